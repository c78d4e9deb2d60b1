import ArgumentParser
import Catalogs
import CurateCore
import Foundation
import Score
import Predict
import Review

struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Serve the active-review page (127.0.0.1 only): likeliest mislabels first, decisions saved at once.",
        discussion: """
            Prints the page's URL with a session token; every request must carry it. Keys: 1-9 relabel, \
            a/Enter accept, x reject, z undo, j/k or arrows move. Ctrl-C stops the server. Relabels and \
            rejects count at once in export, score and status; run `curate split` to place relabelled \
            faces that had no split.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Open the queue on faces with this current label.")
    var label: String?

    @Option(help: "Open the queue on this split (train, val or test).")
    var split: SplitName?

    @Flag(help: "Include faces already reviewed.")
    var all = false

    @Option(help: "self_confidence or margin (default: the pipeline's score.rank_by).")
    var rankBy: ScoreSettings.RankBy?

    @Option(help: "Name recorded with each decision (default: $USER).")
    var reviewer: String?

    @OptionGroup var models: ModelsOption   // for the "try an image" page

    func run() async throws {
        let pipeline = try global.loadPipeline()
        guard (0...65535).contains(port) else { throw CurateError("--port must be 0…65535, not \(port)") }
        if let label, !pipeline.labels.names.contains(label) {
            throw CurateError("--label '\(label)' is not one of the pipeline's labels: \(pipeline.labels.names.joined(separator: ", "))")
        }
        let splits = pipeline.split.ratio.names
        if let split, !splits.contains(split) {
            throw CurateError("--split must be one of \(splits.map(\.rawValue).joined(separator: ", ")), not '\(split.rawValue)'")
        }
        let rank = rankBy ?? pipeline.score.rankBy
        let who = reviewer ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        guard !who.trimmingCharacters(in: .whitespaces).isEmpty else { throw CurateError("--reviewer must not be empty") }
        let catalog = try global.openExistingCatalog()
        let workspace = try global.workspace(with: catalog)
        if try catalog.status().scored == 0 { throw CurateError("no scored faces to review: run `curate score` first") }
        // The "try an image" page needs the models; the review queue does not.
        var tryImage: TryImage?
        do { tryImage = TryImage(predictor: try Predictor(pipeline: pipeline, modelsDir: try models.url(global)), fetch: pipeline.fetch) }
        catch { log("Note: no \"try an image\" page: \(error)") }
        let server = ReviewServer(
            workspace: workspace, catalog: catalog, labels: pipeline.labels, splits: splits,
            options: .init(port: port, reviewer: who, query: ReviewQuery(label: label, split: split, all: all, rankBy: rank)),
            tryImage: tryImage)
        try await server.run { url in
            FileHandle.standardOutput.write(Data("curate review: open \(url)\n(Ctrl-C stops the server)\n".utf8))
        }
    }
}
