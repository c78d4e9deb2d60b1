import ArgumentParser
import BlobStore
import Catalogs
import CurateCore
import Foundation
import Inference

@main
struct Curate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curate",
        abstract: "Turn lists of image URLs into a clean, labelled, split face-emotion dataset.",
        version: "curate \(curateVersion) (catalog schema \(CatalogFactory.schemaVersion))",
        subcommands: [InitCommand.self, FetchCommand.self, DedupCommand.self, FacesCommand.self, SplitCommand.self, ScoreCommand.self,
                      TrainCommand.self, PredictCommand.self, StatusCommand.self, WorkerCommand.self, ReviewCommand.self, ReportCommand.self,
                      ExportCommand.self])

    /// As argument-parser's own `main`, after moving global options typed before the
    /// subcommand (`curate --workspace W fetch LIST`) to after it, where it reads them.
    static func main() async {
        BLASCore.reexecIfGeneric(arguments: CommandLine.unsafeArgv)
        let args = GlobalOptions.movingLeadingGlobals(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(args)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Workspace directory (catalog and images).", valueName: "dir"))
    var workspace: String = ProcessInfo.processInfo.environment["CURATE_WORKSPACE"] ?? "Data"

    @Option(name: .long, help: ArgumentHelp("""
        Pipeline definition (labels, stage settings). Default: the workspace's pipeline.yml (written when \
        the workspace is made), else the built-in one (Pipelines/emotions.yml).
        """, valueName: "file"))
    var pipeline: String?

    @Option(name: .long, help: ArgumentHelp("""
        Catalog location: sqlite:PATH (default: catalog.sqlite in the workspace) or \
        postgres://user@host:port/db (shared by many machines; set up once with `curate init`); also \
        $CURATE_CATALOG. Images stay in the workspace (or the --store).
        """, valueName: "url"))
    var catalog: String?

    @Option(name: .long, help: ArgumentHelp("""
        Where photos and face crops live: the workspace (default), file:///shared/mount, or \
        s3://bucket/prefix?endpoint=http://host:port (signed with $AWS_ACCESS_KEY_ID and \
        $AWS_SECRET_ACCESS_KEY); also $CURATE_STORE. The catalog records the first one given; later \
        commands use it and refuse another.
        """, valueName: "url"))
    var store: String?

    func validate() throws {
        _ = try BlobStoreLocation.resolve(option: store)
    }

    /// The workspace folder: catalog, pipeline copy, models, temp files.
    var workspaceDir: Workspace { Workspace(URL(fileURLWithPath: workspace)) }

    /// The workspace with its blob store: `--store` (or `$CURATE_STORE`), which the catalog
    /// records the first time one is given, else the one it recorded, else the workspace folder.
    /// A store other than the recorded one is refused: the catalog's paths name blobs there.
    func workspace(with catalog: any CatalogBackend) throws -> Workspace {
        let dir = workspaceDir
        let given = try BlobStoreLocation.resolve(option: store)
        var url = try catalog.recordedStore()
        // `given` is the workspace only when neither --store nor $CURATE_STORE names one.
        if given != .workspace, let asked = store ?? ProcessInfo.processInfo.environment["CURATE_STORE"] {
            if let url, try BlobStoreLocation.parse(url) != given {
                throw CurateError("this catalog's photos and crops are in \(url); --store \(asked) is another store "
                                  + "(give the same one, or none to use it)")
            }
            url = try url ?? catalog.recordStore(asked)
        }
        guard let url else { return dir }
        return Workspace(dir.root, blobStore: try BlobStoreLocation.parse(url).open(workspace: dir))
    }

    var catalogLocation: CatalogLocation {
        get throws { try CatalogLocation.resolve(option: catalog, workspace: workspaceDir) }
    }

    /// The catalog, which must exist (every command but those that start a workspace).
    func openExistingCatalog() throws -> any CatalogBackend {
        try workspaceDir.openExistingCatalog(at: catalogLocation)
    }

    /// The catalog, created with the workspace if missing (`fetch`, `predict --add`; `init` migrates).
    func openCatalog(mode: CatalogFactory.Mode = .create) throws -> any CatalogBackend {
        let catalog = try workspaceDir.openCatalog(at: catalogLocation, mode: mode)
        try workspaceDir.keepPipelineCopy(of: pipelineSource)
        return catalog
    }

    var pipelineSource: PipelineSource { PipelineSource.resolve(explicit: pipeline, workspace: workspaceDir) }

    /// `--workspace`/`--pipeline`/`--catalog` (and their `=` forms) before the first other word move to
    /// just after it: `curate --workspace W fetch L` reads as `curate fetch --workspace W L`.
    static func movingLeadingGlobals(_ args: [String]) -> [String] {
        let names = ["--workspace", "--pipeline", "--catalog", "--store"]
        var globals: [String] = [], i = 0
        while i < args.count {
            let a = args[i]
            if names.contains(a), i + 1 < args.count { globals += [a, args[i + 1]]; i += 2 }
            else if names.contains(where: { a.hasPrefix($0 + "=") }) { globals.append(a); i += 1 }
            else { break }
        }
        guard !globals.isEmpty, i < args.count, !args[i].hasPrefix("-") else { return args }
        return [args[i]] + globals + args[(i + 1)...]
    }

    func loadPipeline() throws -> PipelineConfig { try pipelineSource.load() }
}
