import ArgumentParser
import Catalogs
import CurateCore
import Fetch
import Foundation
import Score
import Imaging
import Predict

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Find the faces in photos and predict each one's label with the pipeline's classifier.",
        discussion: """
            IMAGE is a file, a file:// URL or an http(s) URL (fetched like `curate fetch`). Nothing is \
            stored unless --add LABEL is given. A photo without a face gives an empty result (exit 0); \
            an unreadable one is an error (exit 1, the other photos are still processed).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Photos: files or URLs.", valueName: "image"))
    var images: [String]

    @Option(help: "default (fer's mini-Xception) or trained (the head `curate train` fitted in the workspace).")
    var model: ScoreStage.Model = .default

    @Flag(help: "Print JSON (an array, one object per photo).")
    var json = false

    @Option(help: ArgumentHelp("Write a copy with boxes and probabilities drawn: a .png/.jpg file for one photo, a directory for several.", valueName: "out"))
    var draw: String?

    @Option(help: ArgumentHelp("Also add each photo to the catalog with this label, as `curate fetch` would.", valueName: "label"))
    var add: String?

    @OptionGroup var models: ModelsOption

    func run() throws {
        let pipeline = try global.loadPipeline()
        let m = model
        let label = try add.map { try pipeline.labels.normalize($0) }
        let drawTarget = try draw.map { try DrawTarget($0, count: images.count) }
        let predictor = try Predictor(pipeline: pipeline, modelsDir: models.url, model: m,
                                      workspace: m == .trained ? global.workspaceDir : nil)
        var results: [PredictResult] = []
        var failed = 0
        var added: [URLEntry] = []
        for arg in images {
            do {
                let input = try PredictInput.load(arg, fetch: pipeline.fetch)
                let faces = predictor.predict(input.image)
                results.append(PredictResult(input: arg, width: input.image.width, height: input.image.height, faces: faces))
                if let drawTarget {
                    let out = drawTarget.path(for: arg)
                    try Self.write(Annotation.draw(input.image, faces), to: out)
                    results[results.count - 1].drawn = out
                }
                if let label { added.append(URLEntry(url: input.url, label: label, listFile: "curate predict --add", line: added.count + 1)) }
            } catch {
                failed += 1
                log("Error: \(error)")
            }
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try enc.encode(results), as: UTF8.self))
        } else {
            print(results.map { $0.text(labels: pipeline.labels.names) }.joined(separator: "\n"))
        }
        if !added.isEmpty { try addToCatalog(added, pipeline) }
        if failed > 0 { throw ExitCode(1) }
    }

    /// Records the photos as `curate fetch` would (provenance, label), fetching only them.
    func addToCatalog(_ entries: [URLEntry], _ pipeline: PipelineConfig) throws {
        let workspace = global.workspaceDir
        let catalog = try global.openCatalog()
        _ = try catalog.addURLs(entries)
        let stage = try FetchStage(workspace: workspace, catalog: catalog, settings: pipeline.fetch)
        let summary = try stage.run(retryFailed: true, only: Set(entries.map(\.url)))
        log("added to \(workspace.catalogURL.path) as \(entries[0].label): \(summary.fetched) fetched, "
            + "\(summary.duplicates) already stored, \(summary.failed) failed")
    }

    static func write(_ image: PixelImage, to path: String) throws {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        let bytes = ext == "png" ? try ImageEncoder.png(image) : try ImageEncoder.jpeg(image, quality: 92)
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) }
        catch { throw CurateError("cannot write \(path): \(error.localizedDescription)") }
    }
}

/// Where --draw writes: one file for one photo, else a directory of `<name>-predicted.png`.
struct DrawTarget {
    let out: String
    let directory: Bool

    init(_ out: String, count: Int) throws {
        self.out = out
        directory = count > 1
        if directory {
            do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
            catch { throw CurateError("--draw: cannot create directory \(out): \(error.localizedDescription)") }
        } else {
            let ext = URL(fileURLWithPath: out).pathExtension.lowercased()
            guard ["png", "jpg", "jpeg"].contains(ext) else { throw CurateError("--draw must end in .png, .jpg or .jpeg, not '\(out)'") }
        }
    }

    func path(for input: String) -> String {
        guard directory else { return out }
        let stem = URL(string: input)?.deletingPathExtension().lastPathComponent ?? "image"
        return URL(fileURLWithPath: out).appendingPathComponent("\(stem.isEmpty ? "image" : stem)-predicted.png").path
    }
}

/// One photo's result, as printed.
struct PredictResult: Encodable {
    var input: String
    var width: Int
    var height: Int
    var faces: [FacePrediction]
    var drawn: String?

    func text(labels: [String]) -> String {
        guard !faces.isEmpty else { return "\(input): no face found" }
        var lines = ["\(input): \(faces.count) face\(faces.count == 1 ? "" : "s")"]
        let shown = labels.filter { l in faces[0].probs[l] != nil }
        lines.append("  face  box                         det    " + shown.map { $0.padding(toLength: 8, withPad: " ", startingAt: 0) }.joined()
                     + "predicted  quality gate")
        for (i, f) in faces.enumerated() {
            let box = "(\(Int(f.box[0].rounded())),\(Int(f.box[1].rounded())))-(\(Int(f.box[2].rounded())),\(Int(f.box[3].rounded())))"
            let probs = shown.map { String(format: "%-8.3f", f.probs[$0]!) }.joined()
            lines.append("  \(String(i + 1).padding(toLength: 6, withPad: " ", startingAt: 0))\(box.padding(toLength: 28, withPad: " ", startingAt: 0))"
                         + String(format: "%-7.3f", f.probability) + probs + f.predicted.padding(toLength: 11, withPad: " ", startingAt: 0)
                         + (f.rejected.map { "left out: \($0.rawValue)" } ?? "kept"))
        }
        if let drawn { lines.append("  drawn: \(drawn)") }
        return lines.joined(separator: "\n")
    }
}
