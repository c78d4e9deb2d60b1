import ArgumentParser
import CurateCore
import Faces
import Foundation
import Score

/// `--models DIR`, one declaration for every command that loads weights.
struct ModelsOption: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Model weights (made by scripts/models.sh). Default: $CURATE_MODELS, else the workspace's models/, \
        else ~/.cache/curate/models ($XDG_CACHE_HOME).
        """, valueName: "dir"))
    var models: String?

    func url(_ global: GlobalOptions) throws -> URL {
        try ModelsLocation.resolve(explicit: models, workspace: global.workspaceDir)
    }
}

extension ScoreStage.Model: ExpressibleByArgument {}
extension ScoreSettings.RankBy: ExpressibleByArgument {}
extension FaceSettings.Crop: ExpressibleByArgument {}
extension SplitName: ExpressibleByArgument {}

// Any code parses: one this build does not name (a newer curate's) still filters.
extension FetchFailure: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument) }
}
