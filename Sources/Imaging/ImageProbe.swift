import CPNG
import CTurboJPEG

/// What a header reveals about an image without decoding its pixels.
public struct ImageHeader: Sendable, Equatable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    public var pixels: Int { width * height }
    public init(format: ImageFormat, width: Int, height: Int) {
        self.format = format; self.width = width; self.height = height
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
        case .unsupportedFormat(let f): return "\(f.rawValue) is not supported yet"
        case .truncated(let f): return "\(f.rawValue) data ends before its end marker"
        case .corrupt(let f, let why): return "corrupt \(f.rawValue): \(why)"
        case .tooManyPixels(_, let w, let h, let limit):
            return "\(w)x\(h) is \(w * h) pixels, over the limit of \(limit)"
        }
    }
}

public enum ImageProbe {
    /// Reads the header with libjpeg-turbo or libpng, refuses images over `maxPixels`
    /// before anything is allocated for pixels, and checks the end marker so that a
    /// body cut short is caught without a full decode.
    public static func probe(_ bytes: UnsafeRawBufferPointer, maxPixels: Int) throws -> ImageHeader {
        guard let format = ImageFormat.sniff(bytes) else { throw ImageProbeError.notAnImage }
        let header: ImageHeader
        switch format {
        case .jpeg: header = try jpegHeader(bytes)
        case .png: header = try pngHeader(bytes)
        default: throw ImageProbeError.unsupportedFormat(format)
        }
        guard header.width > 0, header.height > 0 else { throw ImageProbeError.corrupt(format, "zero dimension") }
        if header.pixels > maxPixels {
            throw ImageProbeError.tooManyPixels(format, width: header.width, height: header.height, limit: maxPixels)
        }
        guard hasEndMarker(bytes, format: format) else { throw ImageProbeError.truncated(format) }
        return header
    }

    public static func probe(_ bytes: [UInt8], maxPixels: Int) throws -> ImageHeader {
        try bytes.withUnsafeBytes { try probe($0, maxPixels: maxPixels) }
    }

    static func jpegHeader(_ b: UnsafeRawBufferPointer) throws -> ImageHeader {
        guard let tj = tjInitDecompress() else { throw ImageProbeError.corrupt(.jpeg, "turbojpeg init failed") }
        defer { tjDestroy(tj) }
        var w: Int32 = 0, h: Int32 = 0, sub: Int32 = 0, cs: Int32 = 0
        let base = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if tjDecompressHeader3(tj, base, UInt(b.count), &w, &h, &sub, &cs) != 0 {
            let msg = String(cString: tjGetErrorStr2(tj))
            // A header cut short is truncation, not corruption.
            if msg.contains("Premature end") || b.count < 512 { throw ImageProbeError.truncated(.jpeg) }
            throw ImageProbeError.corrupt(.jpeg, msg)
        }
        return ImageHeader(format: .jpeg, width: Int(w), height: Int(h))
    }

    static func pngHeader(_ b: UnsafeRawBufferPointer) throws -> ImageHeader {
        var img = png_image()
        img.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&img) }
        if png_image_begin_read_from_memory(&img, b.baseAddress, b.count) == 0 {
            let msg = withUnsafeBytes(of: img.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if b.count < 33 || msg.contains("EOF") || msg.contains("end") { throw ImageProbeError.truncated(.png) }
            throw ImageProbeError.corrupt(.png, msg)
        }
        return ImageHeader(format: .png, width: Int(img.width), height: Int(img.height))
    }

    /// JPEG: an EOI marker (FF D9) near the end; entropy-coded data never contains
    /// FF D9 because encoders stuff every FF with 00. PNG: an IEND chunk near the end.
    /// A little trailing padding after either is tolerated, as decoders do.
    static func hasEndMarker(_ b: UnsafeRawBufferPointer, format: ImageFormat) -> Bool {
        let tail = min(b.count, 1024)
        let start = b.count - tail
        switch format {
        case .jpeg:
            var i = b.count - 2
            while i >= start {
                if b[i] == 0xFF && b[i + 1] == 0xD9 { return true }
                i -= 1
            }
            return false
        case .png:
            let iend: [UInt8] = [0x49, 0x45, 0x4E, 0x44]
            var i = b.count - 4
            while i >= start {
                if b[i] == iend[0] && b[i + 1] == iend[1] && b[i + 2] == iend[2] && b[i + 3] == iend[3] { return true }
                i -= 1
            }
            return false
        default:
            return true
        }
    }
}
