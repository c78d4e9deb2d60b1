/// Container formats curate recognises (Imaging tells them apart by their leading bytes), stored
/// in the catalog as their raw values.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case jpeg, png, gif, webp, bmp, tiff, heif, avif

    /// Formats whose pixels `curate` can decode (HEIF, BMP and TIFF are recognised and
    /// refused as `unsupported_format`).
    public static let decodable: [ImageFormat] = [.jpeg, .png, .webp, .avif, .gif]
    public var isDecodable: Bool { Self.decodable.contains(self) }

    public var mimeType: String {
        switch self {
        case .jpeg: return "image/jpeg"
        case .heif: return "image/heic"
        default: return "image/\(rawValue)"
        }
    }

    /// The `Accept` header fetch sends: the formats curate decodes, then anything else at a
    /// lower weight (a server that has only another format should still answer).
    public static var acceptHeader: String {
        decodable.map(\.mimeType).joined(separator: ",") + ",image/*;q=0.8,*/*;q=0.5"
    }

    public var fileExtension: String {
        switch self {
        case .jpeg: return "jpg"
        default: return rawValue
        }
    }
}
