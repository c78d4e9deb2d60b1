import CurateCore

/// One `faces` row as a backend decodes it (the landmarks from their JSON column), mapped once to
/// the model's types; queries that join more columns decode it from the same row.
public struct FaceRow: Decodable {
    public var id: Int64
    public var imageSHA256: String
    public var idx: Int
    public var x1, y1, x2, y2: Double
    public var probability: Double
    public var landmarks: [[Float]]
    public var cropPath: String
    public var method: CropMethod
    public var sizePx, inside, sharpness, brightness: Double?
    public var rejected: String?

    public enum CodingKeys: String, CodingKey {
        case id, imageSHA256 = "image_sha256", idx, x1, y1, x2, y2, probability, landmarks, cropPath = "crop_path", method
        case sizePx = "size_px", inside, sharpness, brightness, rejected
    }

    public var box: [Float] { [x1, y1, x2, y2].map { Float($0) } }

    /// The gate's measurements, when it has them (faces found before catalog v8 do not).
    public var quality: FaceQuality? {
        guard let sizePx, let inside, let sharpness, let brightness else { return nil }
        return FaceQuality(size: sizePx, inside: inside, sharpness: sharpness, brightness: brightness)
    }

    public var rejection: FaceRejection? { rejected.flatMap(FaceRejection.init(rawValue:)) }

    public var record: FaceRecord {
        FaceRecord(imageSHA256: imageSHA256, index: idx, box: box, probability: Float(probability), landmarks: landmarks,
                   cropPath: cropPath, method: method, quality: quality, rejected: rejection)
    }
}
