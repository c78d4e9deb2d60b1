import ArgumentParser
import CurateCore
import Faces
import Foundation
import Score

/// `--models DIR`, one declaration for every command that loads weights.
struct ModelsOption: ParsableArguments {
    @Option(help: ArgumentHelp("Models directory (made by scripts/models.sh).", valueName: "dir"))
    var models: String = "Data/models"

    var url: URL { URL(fileURLWithPath: models) }
}

extension ScoreStage.Model: ExpressibleByArgument {}
extension ScoreSettings.RankBy: ExpressibleByArgument {}
extension FaceSettings.Crop: ExpressibleByArgument {}
extension SplitName: ExpressibleByArgument {}

// Any code parses: one this build does not name (a newer curate's) still filters.
extension FetchFailure: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument) }
}
