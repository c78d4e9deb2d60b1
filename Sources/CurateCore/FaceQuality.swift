import CatalogModel
import Foundation

/// `faces.quality` in the pipeline file: the thresholds of the gate. Any key may be left out
/// (its default holds); a threshold of 0 (or 255 for `max_brightness`) turns that check off.
public struct QualityGate: Decodable, Sendable, Equatable {
    // Defaults from `make bench-quality` (README "Face quality gate"): each is where agreement
    // of the scorer with its prediction on the untouched photo drops clearly below the rest.
    /// Smallest box side in photo pixels.
    public var minSize = 24.0
    /// Smallest fraction of the face's centre inside the photo.
    public var minInside = 0.5
    /// Smallest Laplacian variance of the face's centre.
    public var minSharpness = 20.0
    /// Darkest and brightest allowed mean gray level of the face's centre.
    public var minBrightness = 40.0
    public var maxBrightness = 230.0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case minSize = "min_size", minInside = "min_inside", minSharpness = "min_sharpness"
        case minBrightness = "min_brightness", maxBrightness = "max_brightness"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "faces.quality")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = QualityGate()
        minSize = try c.decodeIfPresent(Double.self, forKey: .minSize) ?? d.minSize
        minInside = try c.decodeIfPresent(Double.self, forKey: .minInside) ?? d.minInside
        minSharpness = try c.decodeIfPresent(Double.self, forKey: .minSharpness) ?? d.minSharpness
        minBrightness = try c.decodeIfPresent(Double.self, forKey: .minBrightness) ?? d.minBrightness
        maxBrightness = try c.decodeIfPresent(Double.self, forKey: .maxBrightness) ?? d.maxBrightness
        try validate()
    }

    public func validate() throws {
        func need(_ ok: Bool, _ what: String) throws { if !ok { throw CurateError("faces.quality.\(what)") } }
        try need(minSize >= 0, "min_size must not be negative")
        try need((0...1).contains(minInside), "min_inside must be between 0 and 1")
        try need(minSharpness >= 0, "min_sharpness must not be negative")
        try need((0...255).contains(minBrightness) && (0...255).contains(maxBrightness) && minBrightness < maxBrightness,
                 "min_brightness and max_brightness must be gray levels (0-255), the first below the second")
    }

    /// The first check a face fails, or nil when it passes them all.
    public func verdict(_ q: FaceQuality) -> FaceRejection? {
        if q.size < minSize { return .tooSmall }
        if q.inside < minInside { return .outOfFrame }
        if q.brightness < minBrightness { return .tooDark }
        if q.brightness > maxBrightness { return .tooBright }
        if q.sharpness < minSharpness { return .blurry }
        return nil
    }

    /// One line for the scan settings record and `--help`-style summaries.
    public var description: String {
        "min_size=\(minSize) min_inside=\(minInside) min_sharpness=\(minSharpness) brightness=\(minBrightness)...\(maxBrightness)"
    }
}
