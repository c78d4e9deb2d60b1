/// How a face crop was cut from its photo: warped onto the five-point template (`aligned`), or
/// facenet-pytorch's box plus margin, unrotated (`margin`).
public enum CropMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case aligned, margin
}
