import ArgumentParser
import CurateCore
import Foundation

@main
struct Curate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curate",
        abstract: "Turn lists of image URLs into a clean, labelled, split face-emotion dataset.",
        version: "curate \(curateVersion) (catalog schema \(SQLiteCatalog.schemaVersion))",
        subcommands: [FetchCommand.self, DedupCommand.self, FacesCommand.self, SplitCommand.self, ScoreCommand.self,
                      TrainCommand.self, PredictCommand.self, StatusCommand.self, ReviewCommand.self, ReportCommand.self,
                      ExportCommand.self])
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Workspace directory (catalog and images).", valueName: "dir"))
    var workspace: String = ProcessInfo.processInfo.environment["CURATE_WORKSPACE"] ?? "Data"

    @Option(name: .long, help: ArgumentHelp("Pipeline definition (labels, stage settings).", valueName: "file"))
    var pipeline: String = "Pipelines/emotions.yml"

    var workspaceDir: Workspace { Workspace(URL(fileURLWithPath: workspace)) }

    func loadPipeline() throws -> PipelineConfig {
        try PipelineConfig.load(URL(fileURLWithPath: pipeline))
    }
}
