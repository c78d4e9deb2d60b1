/// Full decodes into 8-bit gray or RGB, as Pillow opens a file and converts it with
/// `convert("RGB")` (or `convert("L")` for gray sources), then turns it upright by its EXIF
/// orientation as `ImageOps.exif_transpose` does.
public enum ImageDecoder {
    /// Decodes JPEG, PNG, GIF (first frame), WebP (first frame) or AVIF bytes. Gray sources
    /// stay 1 channel; colour becomes RGB (alpha is dropped, as Pillow's conversions do).
    /// `upright: false` keeps the stored orientation.
    public static func decode(_ bytes: [UInt8], maxPixels: Int = 100_000_000, upright: Bool = true) throws -> PixelImage {
        let (stored, orientation) = try decodeStored(bytes, maxPixels: maxPixels)
        return upright ? orientation.apply(stored) : stored
    }

    /// Pillow's `exif_transpose(im).convert("L")`, turned after the gray conversion: the
    /// conversion is per pixel, so the pixels are the same, and turning one channel is a third
    /// of the work of turning three.
    public static func decodeGray(_ bytes: [UInt8], maxPixels: Int = 100_000_000) throws -> PixelImage {
        let (stored, orientation) = try decodeStored(bytes, maxPixels: maxPixels)
        return orientation.apply(stored.luma())
    }

    /// The stored pixels and the orientation that turns them upright.
    private static func decodeStored(_ bytes: [UInt8], maxPixels: Int) throws -> (PixelImage, Orientation) {
        try bytes.withUnsafeBytes { b in
            // The header, the pixel limit and completeness are checked once, here.
            let header = try ImageProbe.storedHeader(b, maxPixels: maxPixels)
            let stored: PixelImage
            switch header.format {
            case .jpeg: stored = try JPEGDecoder.decode(b)
            case .png: stored = try PNGDecoder.decode(b, width: header.width, height: header.height, maxPixels: maxPixels)
            case .gif: stored = try GIFDecoder.decode(b, canvas: (header.width, header.height))
            case .webp: stored = try WebPDecoder.decode(b, size: (header.width, header.height))
            case .avif: stored = try AVIFDecoder.decode(b, maxPixels: maxPixels)
            default: throw ImageProbeError.unsupportedFormat(header.format)
            }
            return (stored, header.orientation)
        }
    }
}
