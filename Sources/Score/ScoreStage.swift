import CurateCore
import Faces
import Foundation
import Imaging
import Inference

/// `curate score`: runs the emotion classifier over every face it has not seen (incremental),
/// then ranks all labelled faces by cleanlab's mislabel scores and stores the ranking.
public struct ScoreStage: Sendable {
    public enum Model: String, Sendable, CaseIterable { case `default`, trained }

    public let workspace: Workspace
    public let catalog: any ScoreCatalog
    public let labels: [String]
    public let settings: ScoreSettings
    public let modelsDir: URL
    public let progress: StageProgress?
    /// The work queue's terms, and the keeper of this process's leases when a worker shares one
    /// across stages (else each run keeps its own).
    public var policy = LeasePolicy()
    public var keeper: LeaseKeeper?
    /// Rank even while other processes still hold inference work of the same model.
    public var partial = false

    public init(workspace: Workspace, catalog: any ScoreCatalog, labels: [String], settings: ScoreSettings,
                modelsDir: URL, progress: StageProgress? = nil) {
        self.workspace = workspace; self.catalog = catalog; self.labels = labels; self.settings = settings
        self.modelsDir = modelsDir; self.progress = progress
    }

    public static let modelFile = "emotion-mini-xception.safetensors"

    public func run(model: Model = .default) throws -> ScoreSummary {
        try catalog.status().require(.faces, for: "score")
        var summary = ScoreSummary(model: model.rawValue, rankBy: settings.rankBy)
        let t0 = Date()
        let rows: [ScoringRow]
        let map: [(label: String, index: Int)]
        switch model {
        case .default:
            let net = try MiniXception(contentsOf: modelsDir.appendingPathComponent(Self.modelFile))
            let key = modelKey(net)
            map = try MislabelScores.classMap(labels: labels, modelClasses: net.classes, configured: settings.classes)
            summary.notScorable = labels.filter { l in !map.contains { $0.label == l } }
            summary.inferred = try infer(net, key: key)
            try requireFinished(key)
            summary.inferSeconds = Date().timeIntervalSince(t0)
            try inferFaceResNet(into: &summary)
            rows = try catalog.scoringRows(model: key)
        case .trained:
            let head = try TrainedHead.load(workspace)
            // Faces added since training need the default model's features first.
            let net = try MiniXception(contentsOf: modelsDir.appendingPathComponent(Self.modelFile))
            let resnet = try loadFaceResNet()
            try head.check(labels: labels, featureModel: modelKey(net), resnetModel: resnet.map(Self.modelKey))
            summary.inferred = try infer(net, key: head.featureModel)
            try requireFinished(head.featureModel)
            summary.inferSeconds = Date().timeIntervalSince(t0)
            try inferFaceResNet(into: &summary)
            map = labels.enumerated().map { ($1, $0) }
            rows = Interrupt.requested ? [] : try head.probabilities(catalog: catalog)
        }
        // Ranking needs every face's output: an interrupted run keeps what it inferred and stops.
        if Interrupt.requested {
            summary.interrupted = true
            summary.seconds = Date().timeIntervalSince(t0)
            return summary
        }
        let scores = rank(rows, map: map)
        try catalog.replaceFaceScores(scores, model: model.rawValue)
        summary.conflicts = scores.count { $0.candidates != nil }
        summary.ranked = scores.count - summary.conflicts
        summary.flagged = scores.count { $0.flagged }
        summary.top = Self.order(scores, by: settings.rankBy)
        summary.seconds = Date().timeIntervalSince(t0)
        return summary
    }

    /// The stored-output key: a model changes only with its source file.
    func modelKey(_ net: MiniXception) -> String { Self.modelKey(net, settings) }
    /// Outputs are stored per model file and per input recipe (`InputRecipe.key`).
    public static func modelKey(_ net: MiniXception, _ s: ScoreSettings) -> String {
        "mini-xception:" + net.sourceDigest.prefix(16) + ":" + s.recipe.key
    }

    /// Ranking reads every face's output: not while other processes still infer this model
    /// (unless `partial`, or interrupted: then nothing is ranked anyway).
    func requireFinished(_ key: String) throws {
        guard !partial && !Interrupt.requested else { return }
        let open = try catalog.queueStatus(liveWithin: 0).counts(.score(model: key))
        guard open.unfinished > 0 else { return }
        throw CurateError("""
            \(counted(open.unfinished, "scoring shard")) (\(counted(open.openItems, "face"))) still in progress in other processes: \
            wait for them (curate status shows them), or pass --partial to rank the faces scored so far
            """)
    }

    /// The per-item half alone (`curate worker`): the default model (and the face ResNet when
    /// the head reads it) over every face it has not seen.
    public func inferOnly() throws -> Int {
        let net = try MiniXception(contentsOf: modelsDir.appendingPathComponent(Self.modelFile))
        let n = try infer(net, key: modelKey(net))
        if let resnet = try loadFaceResNet(), !Interrupt.requested { _ = try inferFaceResNet(resnet) }
        return n
    }

    /// Runs the network over unseen faces, leased shard by shard, a batch per core at a time;
    /// returns how many.
    func infer(_ net: MiniXception, key: String) throws -> Int {
        try infer(key: key) { part in try self.classify(part, net) }
    }

    /// Runs `classify` over the faces without outputs under `key`, shard by shard, a batch per
    /// core at a time; returns how many.
    func infer(key: String, _ classify: @escaping @Sendable ([FaceToScore]) throws -> [FaceProbs]) throws -> Int {
        Ops.useSingleThreadedBLAS()
        keepLargeAllocationsInHeap()
        let stage = WorkStage.score(model: key)
        let keeper = try self.keeper ?? LeaseKeeper(queue: catalog, policy: policy, stages: stage.name)
        defer { if self.keeper == nil { keeper.finish() } }
        let leased = LeasedRun(queue: catalog, stage: stage, policy: policy, keeper: keeper)
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let planned = try leased.plan(retryFailed: false)
        progress?.start(total: planned)
        var done = 0
        _ = try leased.run { lease in
            let todo = try catalog.facesToScore(model: key, shard: lease.shard)
            // Rounds of `batch` faces per core, each round split evenly across the cores (so the
            // last, short round still uses them all), then written in one transaction.
            for start in stride(from: 0, to: todo.count, by: settings.batch * cores) {
                if Interrupt.requested { break }
                if keeper.isLost(lease) { throw LeaseLost(lease) }
                let round = Array(todo[start..<min(todo.count, start + settings.batch * cores)])
                let per = (round.count + cores - 1) / cores
                let parts = stride(from: 0, to: round.count, by: per).map { Array(round[$0..<min(round.count, $0 + per)]) }
                let results = try parallelMap(parts) { part in Result { try classify(part) } }.map { try $0.get() }
                try catalog.recordFaceProbs(results.flatMap { $0 }, model: key, lease: lease)
                done += round.count
                progress?.update(done: done, detail: "faces")
            }
        }
        progress?.finish()
        return done
    }

    func classify(_ batch: [FaceToScore], _ net: MiniXception) throws -> [FaceProbs] {
        let recipe = settings.recipe
        var photo: (path: String, gray: PixelImage)?
        func input(_ f: FaceToScore) throws -> [Float] {
            guard recipe.crop != .stored else {
                return try Self.networkInput(workspace.readBlob(f.crop), crop: f.crop, recipe: recipe)
            }
            // Faces come sorted by photo: each photo is decoded once.
            if photo?.path != f.imagePath {
                do { photo = (f.imagePath, try ImageDecoder.decodeGray(workspace.readBlob(f.imagePath))) } catch {
                    throw CurateError("cannot read photo \(f.imagePath): \(error)")
                }
            }
            let crop = FaceInput.crop(gray: photo!.gray, box: f.box, landmarks: f.landmarks, recipe: recipe, faceSettings: FaceSettings())
            return FaceInput.values(gray: crop, recipe: recipe)
        }
        // A few faces per forward pass: the network loops over images anyway, and small
        // activations stay in cache (a 64-face batch allocates ~50 MB per layer).
        let micro = 4
        var out: [FaceProbs] = []
        for start in stride(from: 0, to: batch.count, by: micro) {
            let faces = batch[start..<min(batch.count, start + micro)]
            let (probs, features) = net.outputs(try faces.flatMap(input), count: faces.count, recipe: recipe)
            for (i, f) in faces.enumerated() { out.append(FaceProbs(faceID: f.faceID, probs: probs[i], features: features[i])) }
        }
        return out
    }

    /// The faces of one photo straight from it, as `classify` would see them once `curate faces`
    /// had stored their crops (`curate predict` and the "try an image" page, which store nothing).
    public static func networkInputs(photo: PixelImage, faces: [DetectedFace], settings: FaceSettings, score: ScoreSettings) -> [Float] {
        let recipe = score.recipe
        guard recipe.crop != .stored else {
            // As `curate faces` stores it: cut from the colour photo, then made gray.
            return faces.flatMap { FaceInput.values(gray: FaceCrop.crop(photo, $0, settings).luma(), recipe: recipe) }
        }
        let gray = photo.luma()
        return faces.flatMap {
            FaceInput.values(gray: FaceInput.crop(gray: gray, box: $0.box, landmarks: $0.landmarks, recipe: recipe, faceSettings: settings),
                             recipe: recipe)
        }
    }

    /// A stored crop as the network sees it.
    static func networkInput(_ bytes: [UInt8], crop: String, recipe: InputRecipe) throws -> [Float] {
        let gray: PixelImage
        do { gray = try ImageDecoder.decodeGray(bytes) } catch {
            throw CurateError("cannot read face crop \(crop): \(error)")
        }
        return FaceInput.values(gray: gray, recipe: recipe)
    }

    /// Mislabel scores for every face with a usable label the model can score; faces the split
    /// left out (duplicates, conflicts) are not ranked.
    func rank(_ rows: [ScoringRow], map: [(label: String, index: Int)]) -> [FaceScore] {
        let usable = rows.filter { r in r.excluded == nil && r.label.map { l in map.contains { $0.label == l } } == true }
        let renormalised = usable.map { Self.renormalised($0.probs, map: map) }
        let given = usable.map { r in map.firstIndex { $0.label == r.label! }! }
        let scores = MislabelScores.compute(probs: renormalised, given: given, classCount: map.count)
        let labelled = usable.indices.map { i in
            FaceScore(faceID: usable[i].faceID, probs: Dictionary(uniqueKeysWithValues: zip(map.map(\.label), renormalised[i])),
                      label: usable[i].label!, predicted: map[scores[i].predicted].label,
                      selfConfidence: scores[i].selfConfidence, margin: scores[i].margin, flagged: scores[i].flagged)
        }
        return labelled + rows.filter(\.unsettledConflict).compactMap { conflictScore($0, map: map) }
    }

    /// The model's probabilities of the pipeline's labels, summing to 1 (uniform when all are 0).
    static func renormalised(_ probs: [Float], map: [(label: String, index: Int)]) -> [Float] {
        let p = map.map { probs[$0.index] }
        let s = p.reduce(0, +)
        return s > 0 ? p.map { $0 / s } : p.map { _ in 1 / Float(p.count) }
    }

    /// A face whose sources disagree, scored so a reviewer can settle it: the probabilities as
    /// for any face, self-confidence of the likeliest candidate, and the margin between the
    /// two likeliest candidates (low: the classifier cannot tell them apart either). It does not
    /// take part in the per-class thresholds of the labelled faces and is never "flagged":
    /// the review queue lists conflicts first anyway.
    func conflictScore(_ r: ScoringRow, map: [(label: String, index: Int)]) -> FaceScore? {
        let candidates = r.sources.filter { l in map.contains { $0.label == l } }
        guard !candidates.isEmpty else { return nil }
        let p = Self.renormalised(r.probs, map: map)
        let probs = Dictionary(uniqueKeysWithValues: zip(map.map(\.label), p))
        let ranked = candidates.map { probs[$0]! }.sorted(by: >)
        let predicted = map[p.indices.max { p[$0] < p[$1] }!].label
        return FaceScore(faceID: r.faceID, probs: probs, label: nil, candidates: r.sources, predicted: predicted,
                         selfConfidence: ranked[0], margin: (ranked[0] - (ranked.count > 1 ? ranked[1] : 0) + 1) / 2, flagged: false)
    }

    /// The review queue's order (`ReviewOrder`).
    public static func order(_ scores: [FaceScore], by rankBy: ScoreSettings.RankBy) -> [FaceScore] {
        scores.sorted { a, b in key(a, rankBy) < key(b, rankBy) }
    }

    static func key(_ s: FaceScore, _ rankBy: ScoreSettings.RankBy) -> ReviewOrder {
        ReviewOrder(conflict: s.candidates != nil, flagged: s.flagged, score: rankBy == .margin ? s.margin : s.selfConfidence,
                    faceID: s.faceID)
    }
}
