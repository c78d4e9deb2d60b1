import CWebP

/// WebP (lossy, lossless, still or animated: the first frame) through libwebp's animation
/// decoder, as Pillow reads every WebP: RGBA on a transparent canvas, alpha then dropped.
enum WebPDecoder {
    static func canvasSize(_ b: UnsafeRawBufferPointer) throws -> (Int, Int) {
        var features = WebPBitstreamFeatures()
        let status = WebPGetFeatures(b.baseAddress!.assumingMemoryBound(to: UInt8.self), b.count, &features)
        switch status {
        case VP8_STATUS_OK: return (Int(features.width), Int(features.height))
        case VP8_STATUS_NOT_ENOUGH_DATA: throw ImageProbeError.truncated(.webp)
        case VP8_STATUS_UNSUPPORTED_FEATURE: throw ImageProbeError.corrupt(.webp, "unsupported WebP feature")
        default: throw ImageProbeError.corrupt(.webp, "bad header (status \(status.rawValue))")
        }
    }

    /// `size` is the probe's `canvasSize`, already checked against the pixel limit (the
    /// animation decoder allocates the whole canvas up front).
    static func decode(_ b: UnsafeRawBufferPointer, size: (Int, Int)) throws -> PixelImage {
        let (w, h) = size
        var data = WebPData(bytes: b.baseAddress!.assumingMemoryBound(to: UInt8.self), size: b.count)
        var options = WebPAnimDecoderOptions()
        guard WebPAnimDecoderOptionsInit(&options) != 0 else { throw ImageProbeError.corrupt(.webp, "decoder init failed") }
        options.color_mode = MODE_RGBA
        options.use_threads = 0
        guard let dec = WebPAnimDecoderNew(&data, &options) else { throw ImageProbeError.corrupt(.webp, "unreadable container") }
        defer { WebPAnimDecoderDelete(dec) }
        var info = WebPAnimInfo()
        guard WebPAnimDecoderGetInfo(dec, &info) != 0, Int(info.canvas_width) == w, Int(info.canvas_height) == h else {
            throw ImageProbeError.corrupt(.webp, "canvas size disagrees with the header")
        }
        var frame: UnsafeMutablePointer<UInt8>?
        var timestamp: Int32 = 0
        guard WebPAnimDecoderGetNext(dec, &frame, &timestamp) != 0, let rgba = frame else {
            throw ImageProbeError.corrupt(.webp, "the first frame does not decode")
        }
        return .rgb(rows: rgba, width: w, height: h, rowBytes: w * 4, stride: 4)
    }
}
