import CAVIF

/// AVIF (8-, 10- or 12-bit, any chroma subsampling) through libavif, converted to 8-bit RGB
/// with libavif's defaults as Pillow does. Orientation comes from the `irot`/`imir` boxes,
/// which Pillow turns into the EXIF orientation that `exif_transpose` applies.
enum AVIFDecoder {
    private static func parse<T>(_ b: UnsafeRawBufferPointer, maxPixels: Int,
                                 _ body: (UnsafeMutablePointer<avifDecoder>) throws -> T) throws -> T {
        guard let dec = avifDecoderCreate() else { throw ImageProbeError.corrupt(.avif, "decoder init failed") }
        defer { avifDecoderDestroy(dec) }
        dec.pointee.maxThreads = 1
        // As Pillow: tolerate a missing pixi box and an invalid clean aperture.
        dec.pointee.strictFlags &= ~(UInt32(AVIF_STRICT_CLAP_VALID.rawValue) | UInt32(AVIF_STRICT_PIXI_REQUIRED.rawValue))
        dec.pointee.imageSizeLimit = UInt32(min(maxPixels, Int(AVIF_DEFAULT_IMAGE_SIZE_LIMIT)))
        dec.pointee.ignoreXMP = AVIF_TRUE
        var r = avifDecoderSetIOMemory(dec, b.baseAddress!.assumingMemoryBound(to: UInt8.self), b.count)
        if r == AVIF_RESULT_OK { r = avifDecoderParse(dec) }
        try check(r)
        return try body(dec)
    }

    private static func check(_ r: avifResult) throws {
        guard r != AVIF_RESULT_OK else { return }
        if r == AVIF_RESULT_TRUNCATED_DATA { throw ImageProbeError.truncated(.avif) }
        throw ImageProbeError.corrupt(.avif, String(cString: avifResultToString(r)))
    }

    /// Pillow's `irot_imir_to_exif_orientation`.
    static func orientation(_ img: avifImage) -> Orientation {
        let irot = img.transformFlags & UInt32(AVIF_TRANSFORM_IROT.rawValue) != 0
        let imir = img.transformFlags & UInt32(AVIF_TRANSFORM_IMIR.rawValue) != 0
        let leftRight = img.imir.mode == 1
        if irot {
            switch img.irot.angle {
            case 1: return imir ? (leftRight ? .rightMirrored : .leftMirrored) : .left
            case 2: return imir ? (leftRight ? .downMirrored : .mirrored) : .down
            case 3: return imir ? (leftRight ? .leftMirrored : .rightMirrored) : .right
            default: break
            }
        }
        if imir { return leftRight ? .mirrored : .downMirrored }
        return .up
    }

    static func header(_ b: UnsafeRawBufferPointer) throws -> ImageHeader {
        try parse(b, maxPixels: Int(AVIF_DEFAULT_IMAGE_SIZE_LIMIT)) { dec in
            let img = dec.pointee.image.pointee
            return ImageHeader(format: .avif, width: Int(img.width), height: Int(img.height), orientation: orientation(img))
        }
    }

    static func decode(_ b: UnsafeRawBufferPointer, maxPixels: Int) throws -> PixelImage {
        try parse(b, maxPixels: maxPixels) { dec in
            let size = dec.pointee.image.pointee
            guard Int(size.width) * Int(size.height) <= maxPixels else {
                throw ImageProbeError.tooManyPixels(.avif, width: Int(size.width), height: Int(size.height), limit: maxPixels)
            }
            try check(avifDecoderNextImage(dec))
            let image = dec.pointee.image!
            var rgb = avifRGBImage()
            avifRGBImageSetDefaults(&rgb, image)
            rgb.depth = 8
            let alpha = dec.pointee.alphaPresent != 0
            rgb.format = alpha ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_RGB
            avifRGBImageAllocatePixels(&rgb)
            defer { avifRGBImageFreePixels(&rgb) }
            try check(avifImageYUVToRGB(image, &rgb))
            return .rgb(rows: rgb.pixels, width: Int(rgb.width), height: Int(rgb.height), rowBytes: Int(rgb.rowBytes), stride: alpha ? 4 : 3)
        }
    }
}
