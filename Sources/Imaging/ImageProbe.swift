import CTurboJPEG

/// What a header reveals about an image without decoding its pixels.
public struct ImageHeader: Sendable, Equatable {
    public var format: ImageFormat
    /// The size as shown, after EXIF orientation (what Pillow's `exif_transpose` gives).
    public var width: Int
    public var height: Int
    public var orientation: Orientation
    /// Saturating: a header may claim 2^32 × 2^32 (found by fuzzing).
    public var pixels: Int { Self.pixels(width, height) }
    static func pixels(_ w: Int, _ h: Int) -> Int {
        let (p, overflow) = w.multipliedReportingOverflow(by: h)
        return overflow ? Int.max : p
    }
    public init(format: ImageFormat, width: Int, height: Int, orientation: Orientation = .up) {
        self.format = format; self.width = width; self.height = height; self.orientation = orientation
    }
}

/// Why a body is not a usable image. `reason` is the short, stable code the catalog stores.
public enum ImageProbeError: Error, Equatable, CustomStringConvertible {
    case notAnImage
    case unsupportedFormat(ImageFormat)
    case truncated(ImageFormat)
    case corrupt(ImageFormat, String)
    case tooManyPixels(ImageFormat, width: Int, height: Int, limit: Int)

    public var reason: String {
        switch self {
        case .notAnImage: return "not_an_image"
        case .unsupportedFormat: return "unsupported_format"
        case .truncated: return "truncated_image"
        case .corrupt: return "corrupt_image"
        case .tooManyPixels: return "decompression_bomb"
        }
    }

    public var description: String {
        switch self {
        case .notAnImage: return "not an image (no known image signature)"
        case .unsupportedFormat(let f): return "\(f.rawValue) is not supported (curate decodes \(ImageFormat.decodable.map(\.rawValue).joined(separator: ", ")))"
        case .truncated(let f): return "\(f.rawValue) data ends before the image does"
        case .corrupt(let f, let why): return "corrupt \(f.rawValue): \(why)"
        case .tooManyPixels(_, let w, let h, let limit):
            return "\(w)x\(h) is \(ImageHeader.pixels(w, h)) pixels, over the limit of \(limit)"
        }
    }
}

public enum ImageProbe {
    /// Reads the header, refuses images over `maxPixels` before anything is allocated for
    /// pixels, and walks the container from its first byte so that a body cut short is caught
    /// without a full decode (bytes after a complete image are fine).
    public static func probe(_ bytes: UnsafeRawBufferPointer, maxPixels: Int) throws -> ImageHeader {
        let stored = try storedHeader(bytes, maxPixels: maxPixels)
        var shown = stored
        if stored.orientation.swapsAxes { (shown.width, shown.height) = (stored.height, stored.width) }
        return shown
    }

    /// The checks of `probe`, returning the stored (not yet oriented) header that the
    /// decoders start from, so a decode reads the header once.
    static func storedHeader(_ bytes: UnsafeRawBufferPointer, maxPixels: Int) throws -> ImageHeader {
        guard let format = ImageFormat.sniff(bytes) else { throw ImageProbeError.notAnImage }
        guard format.isDecodable else { throw ImageProbeError.unsupportedFormat(format) }
        let walk = ContainerWalk.walk(bytes, format: format)
        let stored = try storedHeader(bytes, format: format, walk: walk)
        guard stored.width > 0, stored.height > 0 else { throw ImageProbeError.corrupt(format, "zero dimension") }
        if stored.pixels > maxPixels {
            throw ImageProbeError.tooManyPixels(format, width: stored.width, height: stored.height, limit: maxPixels)
        }
        guard walk.complete else { throw ImageProbeError.truncated(format) }
        return stored
    }

    public static func probe(_ bytes: [UInt8], maxPixels: Int) throws -> ImageHeader {
        try bytes.withUnsafeBytes { try probe($0, maxPixels: maxPixels) }
    }

    /// The stored (not yet oriented) size and the orientation to apply.
    static func storedHeader(_ b: UnsafeRawBufferPointer, format: ImageFormat, walk: ContainerWalk) throws -> ImageHeader {
        let orientation = walk.exif.map { Orientation.fromEXIF(UnsafeRawBufferPointer(rebasing: b[$0])) } ?? .up
        switch format {
        case .jpeg:
            let (w, h, _) = try JPEGDecoder.header(b)
            return ImageHeader(format: .jpeg, width: w, height: h, orientation: orientation)
        case .png:
            guard b.count >= 24, b[12] == 0x49, b[13] == 0x48, b[14] == 0x44, b[15] == 0x52 else {   // IHDR first
                if b.count < 24 { throw ImageProbeError.truncated(.png) }
                throw ImageProbeError.corrupt(.png, "IHDR is not the first chunk")
            }
            return ImageHeader(format: .png, width: ContainerWalk.be32(b, 16), height: ContainerWalk.be32(b, 20), orientation: orientation)
        case .gif:
            let (w, h) = try GIFDecoder.canvasSize(b, walk: walk)
            return ImageHeader(format: .gif, width: w, height: h)
        case .webp:
            let (w, h) = try WebPDecoder.canvasSize(b)
            return ImageHeader(format: .webp, width: w, height: h, orientation: orientation)
        case .avif:
            return try AVIFDecoder.header(b)
        default:
            throw ImageProbeError.unsupportedFormat(format)
        }
    }
}
