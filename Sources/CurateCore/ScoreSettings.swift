import Foundation

/// Settings of `curate score` and `curate train`.
public struct ScoreSettings: Decodable, Sendable, Equatable {
    public enum RankBy: String, Decodable, Sendable, CaseIterable { case selfConfidence = "self_confidence", margin }
    public typealias Resize = InputRecipe.Resize
    /// Pipeline label -> the default model's class. Labels left out (and with no class of the
    /// same name) cannot be scored by the default model.
    public var classes: [String: String] = [:]
    public var rankBy = RankBy.selfConfidence
    public var batch = 64
    /// How a face becomes the network's input (`score.crop`, `zoom`, `resize`, `gray`, `flip`).
    public var recipe = InputRecipe()
    public var resize: Resize {
        get { recipe.resize }
        set { recipe.resize = newValue }
    }
    public var zoom: Double {
        get { recipe.zoom }
        set { recipe.zoom = newValue }
    }
    /// The trained head also reads dlib's face ResNet (level 2, 512 pooled features), computed
    /// by `curate score` for every face.
    public var faceResNet = false
    /// `curate train`: folds, L2 strength of the logistic-regression head, seed.
    public var folds = 5
    public var l2 = 300.0
    public var seed: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case classes, rankBy = "rank_by", batch, crop, resize, zoom, margin, gray, flip, faceResNet = "face_resnet", folds, l2, seed }

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
        func choice<T: RawRepresentable & CaseIterable>(_ key: CodingKeys, _: T.Type) throws -> T? where T.RawValue == String {
            guard let r = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let v = T(rawValue: r) else {
                throw CurateError("score.\(key.stringValue) must be \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(r)'")
            }
            return v
        }
        recipe.resize = try choice(.resize, Resize.self) ?? d.resize
        recipe.gray = try choice(.gray, InputRecipe.Gray.self) ?? d.recipe.gray
        recipe.zoom = try c.decodeIfPresent(Double.self, forKey: .zoom) ?? d.zoom
        guard zoom > 0.2 && zoom <= 2 else { throw CurateError("score.zoom must be between 0.2 and 2") }
        // Before `score.crop` existed, a zoom other than 1 meant re-aligning from the photo.
        recipe.crop = try choice(.crop, InputRecipe.Crop.self) ?? (zoom != 1 ? .aligned : d.recipe.crop)
        if zoom != 1 && recipe.crop != .aligned {
            throw CurateError("score.zoom applies to score.crop: aligned only (it is \(recipe.crop.rawValue))")
        }
        recipe.flip = try c.decodeIfPresent(Bool.self, forKey: .flip) ?? d.recipe.flip
        recipe.margin = try c.decodeIfPresent(Int.self, forKey: .margin) ?? d.recipe.margin
        guard (0...120).contains(recipe.margin) else { throw CurateError("score.margin must be between 0 and 120 (pixels at 160)") }
        faceResNet = try c.decodeIfPresent(Bool.self, forKey: .faceResNet) ?? d.faceResNet
        folds = try c.decodeIfPresent(Int.self, forKey: .folds) ?? d.folds
        l2 = try c.decodeIfPresent(Double.self, forKey: .l2) ?? d.l2
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        guard batch >= 1 else { throw CurateError("score.batch must be at least 1") }
        guard folds >= 2 else { throw CurateError("score.folds must be at least 2") }
        guard l2 >= 0 else { throw CurateError("score.l2 must not be negative") }
    }
}
