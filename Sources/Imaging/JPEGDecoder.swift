import CTurboJPEG

/// JPEG through libjpeg-turbo, with Pillow's colour rules: gray stays gray, YCbCr becomes
/// RGB (libjpeg's default islow DCT and fancy upsampling, as Pillow uses), CMYK and YCCK are
/// read as CMYK with Adobe's inverted-ink convention (Pillow always assumes it: rawmode
/// "CMYK;I") and turned to RGB by Pillow's `cmyk2rgb`.
enum JPEGDecoder {
    enum ColorSpace { case gray, color, cmyk }

    static func header(_ b: UnsafeRawBufferPointer) throws -> (Int, Int, ColorSpace) {
        guard let tj = tjInitDecompress() else { throw ImageProbeError.corrupt(.jpeg, "turbojpeg init failed") }
        defer { tjDestroy(tj) }
        return try header(b, tj)
    }

    private static func header(_ b: UnsafeRawBufferPointer, _ tj: tjhandle) throws -> (Int, Int, ColorSpace) {
        var w: Int32 = 0, h: Int32 = 0, sub: Int32 = 0, cs: Int32 = 0
        let base = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if tjDecompressHeader3(tj, base, UInt(b.count), &w, &h, &sub, &cs) != 0 {
            let msg = String(cString: tjGetErrorStr2(tj))
            // A header cut short is truncation, not corruption.
            if msg.contains("Premature end") || b.count < 512 { throw ImageProbeError.truncated(.jpeg) }
            throw ImageProbeError.corrupt(.jpeg, msg)
        }
        let space: ColorSpace
        switch cs {
        case Int32(TJCS_GRAY.rawValue): space = .gray
        case Int32(TJCS_CMYK.rawValue), Int32(TJCS_YCCK.rawValue): space = .cmyk
        default: space = .color
        }
        return (Int(w), Int(h), space)
    }

    static func decode(_ b: UnsafeRawBufferPointer) throws -> PixelImage {
        guard let tj = tjInitDecompress() else { throw ImageProbeError.corrupt(.jpeg, "turbojpeg init failed") }
        defer { tjDestroy(tj) }
        let (w, h, space) = try header(b, tj)
        let src = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let (format, channels): (TJPF, Int)
        switch space {
        case .gray: (format, channels) = (TJPF_GRAY, 1)
        case .color: (format, channels) = (TJPF_RGB, 3)
        case .cmyk: (format, channels) = (TJPF_CMYK, 4)
        }
        var out = [UInt8](repeating: 0, count: w * h * channels)
        let rc = out.withUnsafeMutableBufferPointer { o in
            tjDecompress2(tj, src, UInt(b.count), o.baseAddress, Int32(w), 0, Int32(h), Int32(format.rawValue), 0)
        }
        // Warnings (e.g. extraneous bytes) still give a full image; errors do not.
        if rc != 0 && tjGetErrorCode(tj) == Int32(TJERR_FATAL.rawValue) {
            throw ImageProbeError.corrupt(.jpeg, String(cString: tjGetErrorStr2(tj)))
        }
        if space == .cmyk { return PixelImage(width: w, height: h, channels: 3, pixels: cmykToRGB(out)) }
        return PixelImage(width: w, height: h, channels: channels, pixels: out)
    }

    /// Pillow: unpack "CMYK;I" (every sample inverted), then `cmyk2rgb`:
    /// `out = clip(nk - nk*c/255)` with nk = 255 - k and its rounded MULDIV255.
    static func cmykToRGB(_ cmyk: [UInt8]) -> [UInt8] {
        let n = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: n * 3)
        cmyk.withUnsafeBufferPointer { s in
            rgb.withUnsafeMutableBufferPointer { d in
                for i in 0..<n {
                    let nk = Int(s[4 * i + 3])          // 255 - (255 - k)
                    for c in 0..<3 {
                        let t = (255 - Int(s[4 * i + c])) * nk + 128
                        let v = nk - (((t >> 8) + t) >> 8)
                        d[3 * i + c] = UInt8(clamping: v)
                    }
                }
            }
        }
        return rgb
    }
}
