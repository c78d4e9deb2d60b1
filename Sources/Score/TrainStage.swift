import CurateCore
import Foundation
import Split

/// `curate train`: a logistic-regression head on the default model's features, with k-fold
/// cross-validation grouped like the splits, so every placed face gets an out-of-fold
/// probability (what `curate score --model trained` ranks by), and a head fitted on the train
/// split, evaluated on val and test.
public struct TrainStage {
    public let workspace: Workspace
    public let catalog: any ScoreCatalog
    public let labels: [String]
    public let settings: ScoreSettings
    public let modelsDir: URL

    public init(workspace: Workspace, catalog: any ScoreCatalog, labels: [String], settings: ScoreSettings, modelsDir: URL) {
        self.workspace = workspace; self.catalog = catalog; self.labels = labels; self.settings = settings; self.modelsDir = modelsDir
    }

    public func run() throws -> TrainReport {
        let net = try MiniXception(contentsOf: modelsDir.appendingPathComponent(ScoreStage.modelFile))
        let featureModel = ScoreStage.modelKey(net, settings)
        let rows = try catalog.scoringRows(model: featureModel).filter { r in
            r.split != nil && r.label.map(labels.contains) == true
        }
        guard !rows.isEmpty else {
            throw CurateError("nothing to train on: run `curate split` and then `curate score` (it stores the features) first")
        }
        let y = rows.map { labels.firstIndex(of: $0.label!)! }
        let x = rows.map(TrainedHead.features)
        let present = Set(y)
        guard present.count >= 2 else { throw CurateError("nothing to learn: every placed face has the label \(labels[y[0]])") }

        // Folds: whole split groups, stratified by label, placed like the splits themselves.
        var groups: [String: [String: Int]] = [:]
        for (r, l) in zip(rows, y) { groups[r.group!, default: [:]][labels[l], default: 0] += 1 }
        let folds = min(settings.folds, groups.count)
        let splitter = StratifiedSplitter(shares: Array(repeating: 1 / Double(folds), count: folds), seed: settings.seed)
        let foldOf = splitter.place(groups.map { SplitGroup(key: $0.key, labels: $0.value) }, existing: [])
        let fold = rows.map { foldOf[$0.group!]! }

        var oof = [[Float]](repeating: [], count: rows.count)
        for f in 0..<folds {
            let trainIdx = rows.indices.filter { fold[$0] != f }, testIdx = rows.indices.filter { fold[$0] == f }
            let model = LogisticRegression.fit(trainIdx.map { x[$0] }, trainIdx.map { y[$0] }, classes: labels.count, l2: settings.l2)
            for i in testIdx { oof[i] = model.predict(x[i]) }
        }
        try catalog.recordFaceProbs(rows.indices.map { FaceProbs(faceID: rows[$0].faceID, probs: oof[$0]) }, model: TrainedHead.oofModel)

        let trainIdx = rows.indices.filter { rows[$0].split == .train }
        guard !trainIdx.isEmpty else { throw CurateError("the split has no train faces") }
        let head = LogisticRegression.fit(trainIdx.map { x[$0] }, trainIdx.map { y[$0] }, classes: labels.count, l2: settings.l2)
        func argmax(_ p: [Float]) -> Int { p.indices.max { p[$0] < p[$1] }! }
        var splits: [String: TrainReport.SplitScores] = [:]
        for name in Set(rows.compactMap(\.split)).subtracting([.train]) {
            let idx = rows.indices.filter { rows[$0].split == name }
            splits[name.rawValue] = TrainReport.scores(idx.map { y[$0] }, idx.map { argmax(head.predict(x[$0])) }, labels: labels)
        }
        let report = TrainReport(labels: labels, trainFaces: trainIdx.count,
                                 outOfFold: TrainReport.scores(y, oof.map(argmax), labels: labels), splits: splits)
        try TrainedHead(labels: labels, featureModel: featureModel, folds: folds, l2: settings.l2, seed: settings.seed,
                        head: head, report: report).save(workspace)
        return report
    }
}
