import Foundation

/// Settings of `curate score` and `curate train`.
public struct ScoreSettings: Decodable, Sendable, Equatable {
    public enum RankBy: String, Decodable, Sendable, CaseIterable { case selfConfidence = "self_confidence", margin }
    /// How a crop shrinks to the network's 64×64: `bilinear` as fer does (OpenCV's default), or
    /// `area` (each output pixel averages the input pixels it covers; no aliasing).
    public enum Resize: String, Decodable, Sendable { case bilinear, area }
    /// Pipeline label -> the default model's class. Labels left out (and with no class of the
    /// same name) cannot be scored by the default model.
    public var classes: [String: String] = [:]
    public var rankBy = RankBy.selfConfidence
    public var batch = 64
    public var resize = Resize.area
    /// 1: the stored aligned crop. Below 1: the face re-aligned from its photo with the template
    /// shrunk by this factor, so the classifier sees more of the head.
    public var zoom = 1.0
    /// `curate train`: folds, L2 strength of the logistic-regression head, seed.
    public var folds = 5
    public var l2 = 300.0
    public var seed: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case classes, rankBy = "rank_by", batch, resize, zoom, folds, l2, seed }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "score")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ScoreSettings()
        classes = try c.decodeIfPresent([String: String].self, forKey: .classes) ?? d.classes
        if let r = try c.decodeIfPresent(String.self, forKey: .rankBy) {
            guard let v = RankBy(rawValue: r) else {
                throw CurateError("score.rank_by must be self_confidence or margin, not '\(r)'")
            }
            rankBy = v
        }
        batch = try c.decodeIfPresent(Int.self, forKey: .batch) ?? d.batch
        if let r = try c.decodeIfPresent(String.self, forKey: .resize) {
            guard let v = Resize(rawValue: r) else { throw CurateError("score.resize must be bilinear or area, not '\(r)'") }
            resize = v
        }
        zoom = try c.decodeIfPresent(Double.self, forKey: .zoom) ?? d.zoom
        guard zoom > 0.2 && zoom <= 2 else { throw CurateError("score.zoom must be between 0.2 and 2") }
        folds = try c.decodeIfPresent(Int.self, forKey: .folds) ?? d.folds
        l2 = try c.decodeIfPresent(Double.self, forKey: .l2) ?? d.l2
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        guard batch >= 1 else { throw CurateError("score.batch must be at least 1") }
        guard folds >= 2 else { throw CurateError("score.folds must be at least 2") }
        guard l2 >= 0 else { throw CurateError("score.l2 must not be negative") }
    }
}
