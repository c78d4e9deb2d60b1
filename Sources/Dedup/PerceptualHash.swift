import Foundation
import Imaging

/// 64-bit perceptual hashes computed as Python's imagehash 4.3.2 does with Pillow:
/// grayscale (`convert("L")`), Lanczos resize, then for pHash a 2-D DCT-II of the
/// 32×32 image whose top-left 8×8 (DC included) is compared with its median; for dHash
/// a 9×8 image whose horizontally adjacent pixels are compared. Bits are row-major,
/// the first bit most significant, so `hex16` prints what `str(imagehash)` prints.
public enum PerceptualHash {
    public struct Hashes: Sendable, Equatable {
        public var phash: UInt64
        public var dhash: UInt64
    }

    /// Both hashes from encoded bytes: one decode, one grayscale conversion.
    public static func compute(_ bytes: [UInt8]) throws -> Hashes {
        let gray = try ImageDecoder.decodeGray(bytes)
        return Hashes(phash: phash(gray), dhash: dhash(gray))
    }

    /// 2·cos(π·k·(2n+1)/64) for k < 8, n < 32: the rows of scipy's unnormalised DCT-II we keep.
    private static let dctRows: [Double] = (0..<8).flatMap { k in
        (0..<32).map { n in 2 * cos(Double.pi * Double(k) * Double(2 * n + 1) / 64) }
    }

    public static func phash(_ gray: PixelImage) -> UInt64 {
        let small = gray.resized(width: 32, height: 32, filter: .lanczos).pixels.map(Double.init)
        // DCT along columns (axis 0), keeping 8 frequencies: 8×32.
        var cols = [Double](repeating: 0, count: 8 * 32)
        for k in 0..<8 {
            for j in 0..<32 {
                var s = 0.0
                for n in 0..<32 { s += dctRows[k * 32 + n] * small[n * 32 + j] }
                cols[k * 32 + j] = s
            }
        }
        // Then along rows (axis 1): 8×8.
        var low = [Double](repeating: 0, count: 64)
        for k in 0..<8 {
            for l in 0..<8 {
                var s = 0.0
                for j in 0..<32 { s += dctRows[l * 32 + j] * cols[k * 32 + j] }
                low[k * 8 + l] = s
            }
        }
        let sorted = low.sorted()
        let median = (sorted[31] + sorted[32]) / 2
        return low.reduce(UInt64(0)) { ($0 << 1) | ($1 > median ? 1 : 0) }
    }

    public static func dhash(_ gray: PixelImage) -> UInt64 {
        let p = gray.resized(width: 9, height: 8, filter: .lanczos).pixels
        var h: UInt64 = 0
        for r in 0..<8 {
            for c in 0..<8 { h = (h << 1) | (p[r * 9 + c + 1] > p[r * 9 + c] ? 1 : 0) }
        }
        return h
    }

    public static func parse(hex: String) -> UInt64? {
        hex.count == 16 ? UInt64(hex, radix: 16) : nil
    }

    @inline(__always) public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
}
