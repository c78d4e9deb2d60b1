import CurateCore
import Foundation

/// `curate train --select`: runs the default model over every face under every candidate
/// input recipe (outputs are stored per recipe, so a rerun computes nothing again), then lets
/// `RecipeSelection` choose by grouped cross-validation and print the table that chose.
public struct SelectStage {
    public let workspace: Workspace
    public let catalog: any ScoreCatalog
    public let labels: [String]
    public let settings: ScoreSettings
    public let modelsDir: URL
    public let progress: StageProgress?
    public var candidates = InputRecipe.candidates

    public init(workspace: Workspace, catalog: any ScoreCatalog, labels: [String], settings: ScoreSettings, modelsDir: URL,
                progress: StageProgress? = nil) {
        self.workspace = workspace; self.catalog = catalog; self.labels = labels; self.settings = settings
        self.modelsDir = modelsDir; self.progress = progress
    }

    public func run() throws -> RecipeSelection.Report {
        try catalog.status().require(.faces, for: "train --select")
        let net = try MiniXception(contentsOf: modelsDir.appendingPathComponent(ScoreStage.modelFile))
        let map = try MislabelScores.classMap(labels: labels, modelClasses: net.classes, configured: settings.classes)
        var perRecipe: [[Int64: ScoringRow]] = []
        progress?.start(total: candidates.count)
        for (n, recipe) in candidates.enumerated() {
            var s = settings
            s.recipe = recipe
            let stage = ScoreStage(workspace: workspace, catalog: catalog, labels: labels, settings: s, modelsDir: modelsDir)
            let key = ScoreStage.modelKey(net, s)
            _ = try stage.infer(net, key: key)
            if Interrupt.requested { throw CurateError("interrupted: the outputs computed so far are kept; run it again to go on") }
            let rows = try catalog.scoringRows(model: key).filter { r in
                r.split != nil && r.excluded == nil && r.label.map(labels.contains) == true
            }
            perRecipe.append(Dictionary(uniqueKeysWithValues: rows.map { ($0.faceID, $0) }))
            progress?.update(done: n + 1, detail: recipe.description)
        }
        // The face ResNet's features, tried as extra inputs of the head (when its weights are there).
        let resnetFile = modelsDir.appendingPathComponent(FaceResNet.file)
        var resnet: [Int64: [Float]]?
        if FileManager.default.fileExists(atPath: resnetFile.path) {
            let net = try FaceResNet(contentsOf: resnetFile)
            let stage = ScoreStage(workspace: workspace, catalog: catalog, labels: labels, settings: settings, modelsDir: modelsDir)
            _ = try stage.inferFaceResNet(net)
            if Interrupt.requested { throw CurateError("interrupted: the outputs computed so far are kept; run it again to go on") }
            resnet = try ScoreStage.storedFeatures(catalog, model: ScoreStage.modelKey(net))
        }
        progress?.finish()
        // The faces every recipe could score (a photo unreadable now loses its faces everywhere).
        var common = perRecipe.dropFirst().reduce(Set(perRecipe[0].keys)) { $0.intersection($1.keys) }
        if let resnet { common = common.intersection(resnet.keys) }
        let ids = common.sorted()
        let base = ids.map { perRecipe[0][$0]! }
        let y = base.map { labels.firstIndex(of: $0.label!)! }
        try TrainStage.requireEnough(y, labels: labels, groups: Set(base.map { $0.group! }).count, folds: settings.folds)
        let folds = GroupedFolds(groups: base.map { $0.group! }, labels: base.map { $0.label! }, folds: settings.folds, seed: settings.seed)
        let outputs = candidates.indices.map { c in
            let rows = ids.map { perRecipe[c][$0]! }
            return RecipeSelection.Outputs(recipe: candidates[c], defaultProbs: rows.map { Self.overLabels($0.probs, map: map, labels: labels) },
                                           features: rows.map { TrainedHead.features($0) })
        }
        return RecipeSelection.run(outputs, y: y, classes: labels.count, folds: folds, l2: settings.l2,
                                   resnet: resnet.map { r in ids.map { r[$0]! } })
    }

    /// The model's probabilities over the pipeline's labels in their order, renormalised over
    /// the labels it can score (0 for the others).
    static func overLabels(_ probs: [Float], map: [(label: String, index: Int)], labels: [String]) -> [Float] {
        let p = ScoreStage.renormalised(probs, map: map)
        return labels.map { l in map.firstIndex { $0.label == l }.map { p[$0] } ?? 0 }
    }
}
