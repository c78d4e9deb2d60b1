import CurateCore
import Foundation
import Split

/// `curate train`: a logistic-regression head on the default model's features, with k-fold
/// cross-validation grouped like the splits, so every placed face gets an out-of-fold
/// probability (what `curate score --model trained` ranks by, as cleanlab advises), calibrated
/// by a cross-fitted temperature; and a head fitted on the train split, evaluated on val and test.
public struct TrainStage {
    public let workspace: Workspace
    public let catalog: any ScoreCatalog
    public let labels: [String]
    public let settings: ScoreSettings
    public let modelsDir: URL

    /// Fewer labelled faces than this in a class: its numbers are reported with a warning.
    public static let trustedPerClass = 30

    public init(workspace: Workspace, catalog: any ScoreCatalog, labels: [String], settings: ScoreSettings, modelsDir: URL) {
        self.workspace = workspace; self.catalog = catalog; self.labels = labels; self.settings = settings; self.modelsDir = modelsDir
    }

    public func run() throws -> TrainReport {
        let net = try MiniXception(contentsOf: modelsDir.appendingPathComponent(ScoreStage.modelFile))
        let featureModel = ScoreStage.modelKey(net, settings)
        let resnetModel = try settings.faceResNet
            ? ScoreStage.modelKey(FaceResNet(contentsOf: modelsDir.appendingPathComponent(FaceResNet.file))) : nil
        let resnet = try resnetModel.map { try ScoreStage.storedFeatures(catalog, model: $0) }
        let rows = try catalog.scoringRows(model: featureModel).filter { r in
            r.split != nil && r.label.map(labels.contains) == true && (resnet == nil || resnet![r.faceID] != nil)
        }
        guard !rows.isEmpty else {
            throw CurateError("nothing to train on: run `curate split` and then `curate score` (it stores the features) first")
        }
        let y = rows.map { labels.firstIndex(of: $0.label!)! }
        let x = rows.map { TrainedHead.features($0, resnet: resnet?[$0.faceID]) }
        let groups = rows.map { $0.group! }
        let warnings = try Self.requireEnough(y, labels: labels, groups: Set(groups).count, folds: settings.folds)

        // Folds: whole split groups, stratified by label, placed like the splits themselves.
        let folds = GroupedFolds(groups: groups, labels: rows.map { $0.label! }, folds: settings.folds, seed: settings.seed)
        let raw = folds.outOfFold({ idx in
            LogisticRegression.fit(idx.map { x[$0] }, idx.map { y[$0] }, classes: labels.count, l2: settings.l2)
        }, { model, i in model.predict(x[i]) })
        let (oof, temperature) = Temperature.crossFitted(raw, y, folds: folds)
        try catalog.recordFaceProbs(rows.indices.map { FaceProbs(faceID: rows[$0].faceID, probs: oof[$0]) }, model: TrainedHead.oofModel)

        let trainIdx = rows.indices.filter { rows[$0].split == .train }
        guard !trainIdx.isEmpty else { throw CurateError("the split has no train faces") }
        let head = LogisticRegression.fit(trainIdx.map { x[$0] }, trainIdx.map { y[$0] }, classes: labels.count, l2: settings.l2)
        func argmax(_ p: [Float]) -> Int { p.indices.max { p[$0] < p[$1] }! }
        var splits: [String: TrainReport.SplitScores] = [:]
        for name in Set(rows.compactMap(\.split)).subtracting([.train]) {
            let idx = rows.indices.filter { rows[$0].split == name }
            splits[name.rawValue] = TrainReport.scores(idx.map { y[$0] }, idx.map { argmax(head.predict(x[$0])) }, labels: labels,
                                                       groups: idx.map { groups[$0] }, bootstrap: GroupBootstrap(seed: settings.seed))
        }
        let report = TrainReport(labels: labels, trainFaces: trainIdx.count,
                                 outOfFold: TrainReport.scores(y, oof.map(argmax), labels: labels, groups: groups,
                                                               bootstrap: GroupBootstrap(seed: settings.seed)),
                                 splits: splits, temperature: temperature, warnings: warnings.isEmpty ? nil : warnings)
        try TrainedHead(labels: labels, featureModel: featureModel, resnetModel: resnetModel, folds: folds.count, l2: settings.l2, seed: settings.seed,
                        head: head, temperature: temperature, report: report).save(workspace)
        return report
    }

    /// Refuses what cannot be cross-validated (one class, fewer groups than folds); returns a
    /// warning for each class with too few labelled faces to trust its numbers.
    static func requireEnough(_ y: [Int], labels: [String], groups: Int, folds: Int) throws -> [String] {
        var count = [Int](repeating: 0, count: labels.count)
        for v in y { count[v] += 1 }
        let present = count.indices.filter { count[$0] > 0 }
        guard present.count >= 2 else {
            throw CurateError("nothing to learn: every placed face has the label \(labels[present.first ?? 0])")
        }
        guard groups >= folds else {
            throw CurateError("too few groups to cross-validate: \(groups) (people or duplicate clusters) for \(folds) folds; "
                              + "label more faces or lower score.folds")
        }
        return labels.indices.compactMap { c in
            count[c] >= trustedPerClass ? nil
                : "only \(counted(count[c], "placed face")) labelled \(labels[c]) (\(trustedPerClass)+ per class advised): "
                    + "its scores and the head's view of it are not to be trusted"
        }
    }
}
