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
        let label = try add.map { try pipeline.labels.normalize($0) }
        let drawTarget = try draw.map { try DrawTarget($0, count: images.count) }
        let predictor = try Predictor(pipeline: pipeline, modelsDir: try models.url(global), model: model,
                                      workspace: model == .trained ? global.workspaceDir : nil)
        let batch = PredictBatch.run(images, predictor: predictor, fetch: pipeline.fetch, draw: drawTarget)
        for failure in batch.failures { log("Error: \(failure.error)") }
        if json {
            print(String(decoding: try JSONEncoder.printed.encode(batch.results), as: UTF8.self))
        } else {
            print(batch.results.map { $0.text(labels: pipeline.labels.names) }.joined(separator: "\n"))
        }
        if let label, !batch.loaded.isEmpty {
            let entries = batch.loaded.enumerated().map { i, url in
                URLEntry(url: url, label: label, listFile: "curate predict --add", line: i + 1)
            }
            let catalog = try global.openCatalog()
            let workspace = try global.workspace(with: catalog)
            let summary = try FetchStage.addAndFetch(entries, workspace: workspace, catalog: catalog,
                                                     settings: pipeline.fetch)
            log("added to \(try global.catalogLocation) as \(label): \(summary.fetched) fetched, "
                + "\(summary.duplicates) already stored, \(summary.failed) failed")
        }
        if !batch.failures.isEmpty { throw ExitCode(1) }
    }
}
