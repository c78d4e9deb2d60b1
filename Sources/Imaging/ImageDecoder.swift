import CPNG
import CTurboJPEG

/// Full decodes with libjpeg-turbo and libpng into 8-bit gray or RGB.
public enum ImageDecoder {
    /// Decodes JPEG or PNG bytes. Gray sources stay 1 channel; colour becomes RGB
    /// (alpha is dropped, as Pillow's `convert("L")` ignores it).
    public static func decode(_ bytes: [UInt8], maxPixels: Int = 100_000_000) throws -> PixelImage {
        try bytes.withUnsafeBytes { b in
            let header = try ImageProbe.probe(b, maxPixels: maxPixels)
            switch header.format {
            case .jpeg: return try decodeJPEG(b, header)
            case .png: return try decodePNG(b, header)
            default: throw ImageProbeError.unsupportedFormat(header.format)
            }
        }
    }

    static func decodeJPEG(_ b: UnsafeRawBufferPointer, _ h: ImageHeader) throws -> PixelImage {
        guard let tj = tjInitDecompress() else { throw ImageProbeError.corrupt(.jpeg, "turbojpeg init failed") }
        defer { tjDestroy(tj) }
        var w: Int32 = 0, hh: Int32 = 0, sub: Int32 = 0, cs: Int32 = 0
        let src = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
        tjDecompressHeader3(tj, src, UInt(b.count), &w, &hh, &sub, &cs)
        let gray = cs == Int32(TJCS_GRAY.rawValue)
        let channels = gray ? 1 : 3
        var out = [UInt8](repeating: 0, count: h.width * h.height * channels)
        let rc = out.withUnsafeMutableBufferPointer { o in
            tjDecompress2(tj, src, UInt(b.count), o.baseAddress, w, 0, hh,
                          gray ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue), 0)
        }
        // Warnings (e.g. extraneous bytes) still give a full image; errors do not.
        if rc != 0 && tjGetErrorCode(tj) == Int32(TJERR_FATAL.rawValue) {
            throw ImageProbeError.corrupt(.jpeg, String(cString: tjGetErrorStr2(tj)))
        }
        return PixelImage(width: h.width, height: h.height, channels: channels, pixels: out)
    }

    static func decodePNG(_ b: UnsafeRawBufferPointer, _ h: ImageHeader) throws -> PixelImage {
        var img = png_image()
        img.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&img) }
        guard png_image_begin_read_from_memory(&img, b.baseAddress, b.count) != 0 else {
            throw ImageProbeError.corrupt(.png, "unreadable header")
        }
        let isColor = img.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        // RGBA/GA, not RGB/G: asking libpng for no alpha would composite onto a background.
        let hasAlpha = img.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        img.format = (isColor ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (hasAlpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        let stride = (isColor ? 3 : 1) + (hasAlpha ? 1 : 0)
        var buf = [UInt8](repeating: 0, count: Int(img.width) * Int(img.height) * stride)
        let ok = buf.withUnsafeMutableBytes { png_image_finish_read(&img, nil, $0.baseAddress, 0, nil) }
        guard ok != 0 else {
            let msg = withUnsafeBytes(of: img.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw ImageProbeError.corrupt(.png, msg)
        }
        let channels = isColor ? 3 : 1
        if !hasAlpha { return PixelImage(width: h.width, height: h.height, channels: channels, pixels: buf) }
        var out = [UInt8](repeating: 0, count: h.width * h.height * channels)
        for i in 0..<(h.width * h.height) {
            for c in 0..<channels { out[i * channels + c] = buf[i * stride + c] }
        }
        return PixelImage(width: h.width, height: h.height, channels: channels, pixels: out)
    }
}
