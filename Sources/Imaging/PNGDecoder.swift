import CCodecs

/// PNG as Pillow reads it (see `curate_png_decode`): raw samples, no gamma.
enum PNGDecoder {
    static func decode(_ b: UnsafeRawBufferPointer, maxPixels: Int) throws -> PixelImage {
        var out = curate_pixels()
        var err = [CChar](repeating: 0, count: 200)
        let rc = curate_png_decode(b.baseAddress!.assumingMemoryBound(to: UInt8.self), b.count, UInt64(maxPixels), &out, &err, err.count)
        defer { curate_free(out.pixels) }
        let message = String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(rc) {
        case Int(CURATE_OK): break
        case Int(CURATE_TOO_MANY_PIXELS): throw ImageProbeError.corrupt(.png, "over the pixel limit (\(message))")
        case Int(CURATE_NO_MEMORY): throw ImageProbeError.corrupt(.png, "out of memory")
        case Int(CURATE_TRUNCATED): throw ImageProbeError.truncated(.png)
        default: throw ImageProbeError.corrupt(.png, message.isEmpty ? "unreadable" : message)
        }
        return PixelImage.copying(width: Int(out.width), height: Int(out.height), channels: Int(out.channels), from: out.pixels)
    }
}

extension PixelImage {
    /// Copies `width × height × channels` bytes a C decoder returned.
    static func copying(width: Int, height: Int, channels: Int, from p: UnsafePointer<UInt8>) -> PixelImage {
        PixelImage(width: width, height: height, channels: channels,
                   pixels: Array(UnsafeBufferPointer(start: p, count: width * height * channels)))
    }
}
