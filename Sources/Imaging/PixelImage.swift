import CCodecs

/// Decoded 8-bit pixels, row-major and tightly packed: 1 channel (gray) or 3 (RGB).
public struct PixelImage: Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "pixel buffer size mismatch")
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    /// Luma as Pillow's `convert("L")` computes it (ITU-R 601-2, 16-bit fixed point,
    /// rounded), so perceptual hashes match Python's imagehash bit for bit.
    public func luma() -> PixelImage {
        if channels == 1 { return self }
        let n = width * height
        let out = [UInt8](unsafeUninitializedCapacity: n) { dst, count in
            pixels.withUnsafeBufferPointer { curate_luma($0.baseAddress!, n, Int32(channels), dst.baseAddress!) }
            count = n
        }
        return PixelImage(width: width, height: height, channels: 1, pixels: out)
    }

    /// RGB from rows of `stride`-byte pixels (RGB or RGBA: a fourth channel is dropped, as
    /// Pillow's `convert("RGB")` drops alpha) that C decoders return.
    static func rgb(rows: UnsafePointer<UInt8>, width: Int, height: Int, rowBytes: Int, stride: Int) -> PixelImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            let row = rows + y * rowBytes
            for x in 0..<width {
                let o = (y * width + x) * 3, s = x * stride
                out[o] = row[s]; out[o + 1] = row[s + 1]; out[o + 2] = row[s + 2]
            }
        }
        return PixelImage(width: width, height: height, channels: 3, pixels: out)
    }

    /// Three channels (gray repeated), for drawing in colour.
    public func rgb() -> PixelImage {
        if channels == 3 { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { out[3 * i] = pixels[i]; out[3 * i + 1] = pixels[i]; out[3 * i + 2] = pixels[i] }
        return PixelImage(width: width, height: height, channels: 3, pixels: out)
    }
}
