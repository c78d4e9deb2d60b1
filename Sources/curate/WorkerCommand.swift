import ArgumentParser
import CurateCore
import Foundation
import Worker

extension WorkerStep: ExpressibleByArgument {}

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the per-item stages (fetch, hash, faces, score) on leased shards of work, in a loop.",
        discussion: """
            Start as many as you like, on one machine or many sharing one catalog: each leases shards \
            of about 1,000 items (a fetch shard holds one site's URLs, so per-site limits hold across \
            workers), renews its leases while it works, and gives them back on Ctrl-C. A killed worker's \
            shards are taken over when their lease expires (at once on the same host). The global steps \
            (dedup's clustering, split, score's ranking, export) run once, from their own commands.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var models: ModelsOption

    @Option(help: ArgumentHelp("Stages to run, comma-separated, from: fetch, hash, faces, score.", valueName: "list"),
            transform: { text in
                try text.split(separator: ",").map { part in
                    let name = part.trimmingCharacters(in: .whitespaces)
                    guard let s = WorkerStep(rawValue: name) else {
                        throw ValidationError("unknown stage '\(name)' in --stages (use fetch, hash, faces, score)")
                    }
                    return s
                }
            })
    var stages: [WorkerStep] = WorkerStep.allCases

    @Flag(help: "Stop once a pass finds nothing to claim (else wait --poll seconds and look again, until Ctrl-C).")
    var untilIdle = false

    @Option(help: "Seconds between looks for new work when idle.")
    var poll: Double = 5

    @Option(help: "Lease length in seconds (renewed every third of it while working).")
    var lease: Double = 60

    @Option(help: "Items per shard when this worker plans new work (smaller: finer sharing among few items).")
    var shardSize: Int = LeasePolicy().shardSize

    func validate() throws {
        if shardSize < 1 { throw ValidationError("--shard-size must be at least 1") }
        if stages.isEmpty { throw ValidationError("--stages is empty") }
        if poll <= 0 { throw ValidationError("--poll must be positive") }
        if lease < 1 { throw ValidationError("--lease must be at least 1 second") }
    }

    func run() throws {
        let pipeline = try global.loadPipeline()
        let needsModels = stages.contains(.faces) || stages.contains(.score)
        let catalog = try global.openExistingCatalog()
        let loop = WorkerLoop(steps: stages, untilIdle: untilIdle, poll: poll, policy: LeasePolicy(seconds: lease, shardSize: shardSize),
                              workspace: try global.workspace(with: catalog), catalog: catalog, pipeline: pipeline,
                              modelsDir: needsModels ? try models.url(global) : URL(fileURLWithPath: "/nonexistent"))
        Interrupt.install()
        let summary = try loop.run()
        print(summary.text)
        if summary.interrupted { throw ExitCode(130) }
    }
}
