/// Container formats recognised from their leading bytes ("magic numbers").
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

    /// Identifies a format by signature, independent of any Content-Type header
    /// (servers lie: HTML error pages are routinely served as image/jpeg).
    public static func sniff(_ b: UnsafeRawBufferPointer) -> ImageFormat? {
        func has(_ sig: [UInt8], at off: Int = 0) -> Bool {
            guard b.count >= off + sig.count else { return false }
            for (i, v) in sig.enumerated() where b[off + i] != v { return false }
            return true
        }
        if has([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if has([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if has(Array("GIF87a".utf8)) || has(Array("GIF89a".utf8)) { return .gif }
        if has(Array("RIFF".utf8)) && has(Array("WEBP".utf8), at: 8) { return .webp }
        if has(Array("BM".utf8)) && b.count > 26 { return .bmp }
        if has([0x49, 0x49, 0x2A, 0x00]) || has([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if has(Array("ftyp".utf8), at: 4) {
            if has(Array("avif".utf8), at: 8) || has(Array("avis".utf8), at: 8) { return .avif }
            for brand in ["heic", "heix", "hevc", "mif1", "msf1"] where has(Array(brand.utf8), at: 8) { return .heif }
        }
        return nil
    }
}
