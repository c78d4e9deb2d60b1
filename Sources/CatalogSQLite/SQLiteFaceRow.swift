import CurateCore
import GRDB

/// One `faces` row as GRDB decodes it (the landmarks from their JSON column), mapped once to
/// the model's types; queries that join more columns decode it from the same row.
struct FaceRow: Decodable, FetchableRecord {
    var id: Int64
    var imageSHA256: String
    var idx: Int
    var x1, y1, x2, y2: Double
    var probability: Double
    var landmarks: [[Float]]
    var cropPath: String
    var method: CropMethod
    var sizePx, inside, sharpness, brightness: Double?
    var rejected: String?

    enum CodingKeys: String, CodingKey {
        case id, imageSHA256 = "image_sha256", idx, x1, y1, x2, y2, probability, landmarks, cropPath = "crop_path", method
        case sizePx = "size_px", inside, sharpness, brightness, rejected
    }

    var box: [Float] { [x1, y1, x2, y2].map { Float($0) } }

    /// The gate's measurements, when it has them (faces found before catalog v8 do not).
    var quality: FaceQuality? {
        guard let sizePx, let inside, let sharpness, let brightness else { return nil }
        return FaceQuality(size: sizePx, inside: inside, sharpness: sharpness, brightness: brightness)
    }

    var rejection: FaceRejection? { rejected.flatMap(FaceRejection.init(rawValue:)) }

    var record: FaceRecord {
        FaceRecord(imageSHA256: imageSHA256, index: idx, box: box, probability: Float(probability), landmarks: landmarks,
                   cropPath: cropPath, method: method, quality: quality, rejected: rejection)
    }
}
