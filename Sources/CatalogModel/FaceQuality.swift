import Foundation

/// Why the quality gate of `curate faces` left a detected face out of the dataset. Stored as
/// the raw value; the face, its crop and its measurements stay in the catalog.
public enum FaceRejection: String, Sendable, Codable, CaseIterable, Comparable {
    case tooSmall = "too_small"
    case outOfFrame = "out_of_frame"
    case tooDark = "too_dark"
    case tooBright = "too_bright"
    case blurry

    /// The order reasons are checked in (and listed in): the first that fails is the one stored.
    /// Exposure comes before focus because a dark or washed-out face has little contrast, so
    /// its Laplacian is low whether or not it is in focus.
    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What the gate measures of one face. Size is the detector's box in the (upright) photo; the
/// rest is of the face's centre (brows to chin, cheek to cheek) in a gray crop aligned to the
/// ArcFace template at its own 112×112, so it does not depend on `faces.size`, `faces.crop`
/// or how large the photo is.
public struct FaceQuality: Sendable, Equatable, Codable {
    /// The box's shorter side in photo pixels.
    public var size: Double
    /// The fraction of the face's centre (brows to chin, in the aligned frame) inside the photo.
    public var inside: Double
    /// Variance of the 4-neighbour Laplacian over the face's centre: low for blurred or
    /// upscaled faces, whose edges are soft.
    public var sharpness: Double
    /// Mean gray level (0-255, Pillow's `convert("L")`) over the face's centre.
    public var brightness: Double

    public init(size: Double, inside: Double, sharpness: Double, brightness: Double) {
        self.size = size; self.inside = inside; self.sharpness = sharpness; self.brightness = brightness
    }

}
