import ArgumentParser
import Catalogs
import CurateCore
import Split

struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Assign faces to train/val/test, stratified by label, one photo's group never across splits.",
        discussion: """
            A group is all faces of one photo and of its near-duplicate copies. Reruns keep every \
            earlier assignment and place only new groups; --reshuffle recomputes everything. Left out: \
            near-duplicate copies, images without faces, and faces with missing or conflicting labels.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Shares: 70/15/15 (train/val/test), 80/20 (train/test) or fractions 0.7/0.15/0.15 (default: the pipeline's).", valueName: "ratio"))
    var ratio: String?

    @Option(help: "Seed for the order of placement and ties (default: the pipeline's).")
    var seed: UInt64?

    @Flag(help: "Recompute every assignment instead of keeping earlier ones.")
    var reshuffle = false

    @Flag(help: "Split even while other processes (`curate worker`) still scan images for faces; their faces join on the next split.")
    var partial = false

    func run() throws {
        let pipeline = try global.loadPipeline()
        var settings = pipeline.split
        if let ratio { settings.ratio = try SplitRatio(ratio) }
        if let seed { settings.seed = seed }
        let stage = SplitStage(catalog: try global.openExistingCatalog(), labels: pipeline.labels)
        print(try stage.run(settings, reshuffle: reshuffle, partial: partial).text)
    }
}
