import CCodecs

/// PNG as Pillow reads it (see `curate_png_decode`): raw samples, no gamma.
enum PNGDecoder {
    /// `width`/`height` are the stored size from the header the probe read.
    static func decode(_ b: UnsafeRawBufferPointer, width: Int, height: Int, maxPixels: Int) throws -> PixelImage {
        // IHDR's colour type (byte 25): gray (0) and gray+alpha (4) decode to one channel.
        guard b.count > 25 else { throw ImageProbeError.truncated(.png) }
        let channels = b[25] == 0 || b[25] == 4 ? 1 : 3
        var err = [CChar](repeating: 0, count: 200)
        let count = width * height * channels
        // Rows are decoded straight into the array (no second buffer, no copy).
        let pixels = try [UInt8](unsafeUninitializedCapacity: count) { dst, initialized in
            var out = curate_pixels()
            let rc = curate_png_decode(b.baseAddress!.assumingMemoryBound(to: UInt8.self), b.count, UInt64(maxPixels),
                                       dst.baseAddress, count, &out, &err, err.count)
            let message = String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch Int(rc) {
            case Int(CURATE_OK): initialized = count
            case Int(CURATE_TOO_MANY_PIXELS): throw ImageProbeError.corrupt(.png, "over the pixel limit (\(message))")
            case Int(CURATE_NO_MEMORY): throw ImageProbeError.corrupt(.png, "out of memory")
            case Int(CURATE_TRUNCATED): throw ImageProbeError.truncated(.png)
            default: throw ImageProbeError.corrupt(.png, message.isEmpty ? "unreadable" : message)
            }
        }
        return PixelImage(width: width, height: height, channels: channels, pixels: pixels)
    }
}
