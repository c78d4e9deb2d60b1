import ArgumentParser
import CurateCore
import Dedup

struct DedupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedup",
        abstract: "Hash images and cluster near duplicates; flag clusters with conflicting labels.",
        discussion: "Nothing is deleted: non-canonical members are marked, and later stages skip them.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "pHash Hamming distance (bits) for near duplicates (default from the pipeline).")
    var threshold: Int?

    @Flag(help: "List clusters with their members' URLs and labels instead of running.")
    var list = false

    func run() throws {
        let workspace = global.workspaceDir
        let catalog = try workspace.openExistingCatalog()
        if list {
            let listings = try catalog.clusterListings()
            if listings.isEmpty { print("no near-duplicate clusters") }
            for l in listings { print(l.text) }
            return
        }
        let config = try global.loadPipeline()
        let stage = DedupStage(workspace: workspace, catalog: catalog, progress: StageProgress.forTerminal(label: "hash"))
        print(try stage.run(threshold: threshold ?? config.dedup.threshold).text)
    }
}
