import CPNG

extension ImageEncoder {
    /// Lossless PNG (8-bit gray or RGB) with libpng's simplified writer.
    public static func png(_ img: PixelImage) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(img.width)
        image.height = UInt32(img.height)
        image.format = img.channels == 3 ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        // One compression pass into a buffer of libpng's worst-case size (its
        // PNG_IMAGE_PNG_SIZE_MAX, which Swift cannot import), not a measuring pass and then
        // a writing one; a second pass only if that bound was ever too small.
        let data = img.width * img.height * img.channels + img.height
        let compressed = data + (data + 7) >> 3 + (data + 63) >> 6 + 11
        var size = 8 + 25 + 16 + 44 + 12 + 12 * (compressed / 8192 + 2) + compressed + 1024
        for _ in 0..<2 {
            var out = [UInt8](repeating: 0, count: size)
            let capacity = size
            let ok = out.withUnsafeMutableBytes { dst in
                img.pixels.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
            }
            if ok != 0 { return Array(out.prefix(size)) }
            guard size > capacity else { break }   // unchanged or zero size: a real error
            png_image_free(&image)
        }
        throw ImageProbeError.corrupt(.png, "cannot encode")
    }
}
