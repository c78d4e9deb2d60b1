import CurateCore
import Foundation

/// The head `curate train` fits, saved as JSON under the workspace with its settings and scores.
public struct TrainedHead: Codable, Sendable {
    public static let file = "models/trained-head.json"
    /// Stored-output name of its out-of-fold probabilities.
    public static let oofModel = "trained-oof"

    public var labels: [String]
    /// The default model's stored outputs it reads features from.
    public var featureModel: String
    /// The face ResNet's stored features it also reads, if any (`score.face_resnet`).
    public var resnetModel: String?
    public var folds: Int
    public var l2: Double
    public var seed: UInt64
    /// Fitted on the train split; scores faces that were not in the cross-validation.
    public var head: LogisticRegression
    /// Divides the head's log-probabilities (`Temperature`); absent in heads saved before it.
    public var temperature: Double?
    public var report: TrainReport

    /// Features of one face: the default model's pooled activations and its class probabilities,
    /// then the face ResNet's features when the head reads them.
    static func features(_ r: ScoringRow, resnet: [Float]? = nil) -> [Float] { r.features + r.probs + (resnet ?? []) }

    /// Refuses a head fitted for other labels or on another model's features.
    public func check(labels: [String], featureModel: String, resnetModel: String?) throws {
        guard self.labels == labels else {
            throw CurateError("the trained head knows labels \(self.labels.joined(separator: ", ")), the pipeline \(labels.joined(separator: ", ")); run `curate train` again")
        }
        guard self.featureModel == featureModel else {
            throw CurateError("the trained head was fitted on features \(self.featureModel), the pipeline's score settings give \(featureModel); run `curate train` again")
        }
        guard self.resnetModel == resnetModel else {
            throw CurateError("the trained head was fitted \(self.resnetModel == nil ? "without" : "with") the face ResNet's features "
                              + "(score.face_resnet is \(resnetModel != nil)); run `curate train` again")
        }
    }

    /// The train-split head's probabilities over `labels` for one face's default-model outputs.
    public func predict(features: [Float], probs: [Float], resnet: [Float]? = nil) -> [Float] { predict(features + probs + (resnet ?? [])) }

    func predict(_ x: [Float]) -> [Float] {
        let p = head.predict(x)
        return temperature.map { Temperature.apply(p, $0) } ?? p
    }

    public func save(_ ws: Workspace) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        try ws.writeAtomically([UInt8](try enc.encode(self)), to: Self.file)
    }

    public static func load(_ ws: Workspace) throws -> TrainedHead {
        let url = ws.url(relative: file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CurateError("no trained head at \(url.path); run `curate train` first")
        }
        do { return try JSONDecoder().decode(TrainedHead.self, from: data) } catch {
            throw CurateError("cannot read \(url.path): \(error); run `curate train` again")
        }
    }

    /// Probabilities over `labels` for every face with default-model features: its out-of-fold
    /// probability where cross-validation gave one, else the train-split head's.
    func probabilities(catalog: any ScoreCatalog) throws -> [ScoringRow] {
        let oof = Dictionary(uniqueKeysWithValues: try catalog.scoringRows(model: Self.oofModel).map { ($0.faceID, $0.probs) })
        let resnet = try resnetModel.map { try ScoreStage.storedFeatures(catalog, model: $0) }
        return try catalog.scoringRows(model: featureModel).compactMap { r in
            var out = r
            if let p = oof[r.faceID] {
                out.probs = p
            } else {
                if resnet != nil && resnet![r.faceID] == nil { return nil }  // its photo could not be read: not scored
                out.probs = predict(Self.features(r, resnet: resnet?[r.faceID]))
            }
            return out
        }
    }
}
