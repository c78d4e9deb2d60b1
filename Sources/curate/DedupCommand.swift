import ArgumentParser
import Catalogs
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

    @Flag(help: "List clusters and every label conflict (one image or a cluster) with their URLs and labels instead of running.")
    var list = false

    @Flag(help: "With --list: one JSON object {clusters, conflicts}.")
    var json = false

    @Flag(help: "Cluster even while other processes (`curate worker`) still hash images; those join on the next dedup.")
    var partial = false

    func validate() throws {
        if json && !list { throw ValidationError("--json goes with --list") }
    }

    func run() throws {
        let catalog = try global.openExistingCatalog()
        let workspace = try global.workspace(with: catalog)
        if list {
            let listings = try catalog.clusterListings()
            let conflicts = try catalog.labelConflicts()
            if json {
                print(try DedupListing(clusters: listings, conflicts: conflicts).json())
                return
            }
            if listings.isEmpty { print("no near-duplicate clusters") }
            for l in listings { print(l.text) }
            print(conflicts.isEmpty ? "no label conflicts"
                  : "\(counted(conflicts.count, "label conflict")) (their faces stay out of the split until `curate review` settles them: conflicts come first there):")
            for c in conflicts { print(c.text) }
            return
        }
        let config = try global.loadPipeline()
        let stage = DedupStage(workspace: workspace, catalog: catalog, progress: StageProgress.forTerminal(label: "hash"))
        Interrupt.install()
        print(try stage.run(threshold: threshold ?? config.dedup.threshold, partial: partial).text)
        if Interrupt.requested { throw ExitCode(130) }
    }
}
