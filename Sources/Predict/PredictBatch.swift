import CurateCore
import Foundation
import Imaging

/// `curate predict` over several photos: each is loaded (file or URL), predicted and, with
/// `--draw`, written with its boxes; one unreadable photo does not stop the others.
public enum PredictBatch {
    public struct Outcome: Sendable {
        public var results: [PredictResult] = []
        /// The URL each readable photo was loaded from, in order (what `--add` records).
        public var loaded: [String] = []
        public var failures: [(input: String, error: String)] = []
    }

    public static func run(_ inputs: [String], predictor: Predictor, fetch: FetchSettings, draw: DrawTarget?) -> Outcome {
        var out = Outcome()
        for arg in inputs {
            do {
                let input = try PredictInput.load(arg, fetch: fetch)
                let faces = predictor.predict(input.image)
                // Printed even when drawing it fails next (the failure is reported too).
                out.results.append(PredictResult(input: arg, width: input.image.width, height: input.image.height, faces: faces))
                if let draw {
                    let path = draw.path(for: arg)
                    try write(Annotation.draw(input.image, faces), to: path)
                    out.results[out.results.count - 1].drawn = path
                }
                out.loaded.append(input.url)
            } catch {
                out.failures.append((arg, "\(error)"))
            }
        }
        return out
    }

    /// PNG or JPEG by the extension, written whole or not at all.
    static func write(_ image: PixelImage, to path: String) throws {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        let bytes = ext == "png" ? try ImageEncoder.png(image) : try ImageEncoder.jpeg(image, quality: 92)
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) }
        catch { throw CurateError("cannot write \(path): \(error.localizedDescription)") }
    }
}

/// Where --draw writes: one file for one photo, else a directory of `<name>-predicted.png`.
public struct DrawTarget: Sendable {
    let out: String
    let directory: Bool

    public init(_ out: String, count: Int) throws {
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

    public func path(for input: String) -> String {
        guard directory else { return out }
        let stem = URL(string: input)?.deletingPathExtension().lastPathComponent ?? "image"
        return URL(fileURLWithPath: out).appendingPathComponent("\(stem.isEmpty ? "image" : stem)-predicted.png").path
    }
}

/// One photo's result, as printed.
public struct PredictResult: Sendable, Encodable {
    public var input: String
    public var width: Int
    public var height: Int
    public var faces: [FacePrediction]
    public var drawn: String?

    public func text(labels: [String]) -> String {
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
