import CKernels
import Foundation

/// Resampling that reproduces Pillow's `Image.resize` for 8-bit images: separable
/// filters with support scaled by the reduction factor, coefficients normalised and
/// quantised to 22-bit fixed point, horizontal pass first, each pass rounded and
/// clipped to 8 bits. Matching it exactly is what makes perceptual hashes agree.
public enum ResampleFilter: Sendable, Hashable {
    case lanczos, bilinear, bicubic

    var support: Double {
        switch self {
        case .lanczos: return 3
        case .bilinear: return 1
        case .bicubic: return 2
        }
    }

    func weight(_ x: Double) -> Double {
        switch self {
        case .lanczos:
            guard -3 <= x && x < 3 else { return 0 }
            return sinc(x) * sinc(x / 3)
        case .bilinear:
            let a = abs(x)
            return a < 1 ? 1 - a : 0
        case .bicubic:
            let a = -0.5, x = abs(x)
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }

    private func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let px = x * .pi
        return sin(px) / px
    }
}

extension PixelImage {
    private static let precisionBits = 32 - 8 - 2

    /// Per output position: first input index, tap count, and fixed-point weights.
    struct Coefficients {
        var ksize: Int
        var bounds: [(min: Int, count: Int)]
        var weights: [Int32]   // outSize * ksize
        /// For the C kernels: window starts, and weights in rows of `kpad` (ksize rounded up
        /// to 8, zero-padded).
        var starts: [Int32] = [], kpad = 0, padded: [Int32] = []
    }

    /// AVX2 passes (CKernels) when the CPU has them: the same bytes, several times faster.
    static let simd = ck_has_avx2_fma() != 0

    static func coefficients(inSize: Int, outSize: Int, filter: ResampleFilter) -> Coefficients {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let ksize = Int(ceil(support)) * 2 + 1
        var bounds: [(Int, Int)] = []
        var weights = [Int32](repeating: 0, count: outSize * ksize)
        var k = [Double](repeating: 0, count: ksize)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let ss = 1 / filterScale
            let xmin = max(0, Int(center - support + 0.5))
            let xmax = min(inSize, Int(center + support + 0.5)) - xmin
            var total = 0.0
            for x in 0..<xmax {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * ss)
                k[x] = w
                total += w
            }
            for x in 0..<xmax {
                let w = total != 0 ? k[x] / total : k[x]
                let f = w * Double(1 << precisionBits)
                weights[xx * ksize + x] = Int32(w < 0 ? (-0.5 + f).rounded(.towardZero) : (0.5 + f).rounded(.towardZero))
            }
            bounds.append((xmin, xmax))
        }
        var c = Coefficients(ksize: ksize, bounds: bounds, weights: weights)
        c.starts = bounds.map { Int32($0.0) }
        c.kpad = (ksize + 7) / 8 * 8
        c.padded = [Int32](repeating: 0, count: outSize * c.kpad)
        for o in 0..<outSize { for i in 0..<ksize { c.padded[o * c.kpad + i] = weights[o * ksize + i] } }
        return c
    }

    @inline(__always) static func clip8(_ v: Int32) -> UInt8 {
        let s = v >> Int32(precisionBits)
        return s < 0 ? 0 : s > 255 ? 255 : UInt8(s)
    }

    /// Pillow-exact resize to `width`×`height`.
    public func resized(width outW: Int, height outH: Int, filter: ResampleFilter = .lanczos) -> PixelImage {
        let needH = outW != width, needV = outH != height
        if !needH && !needV { return self }
        let ch = Self.cachedCoefficients(inSize: width, outSize: outW, filter: filter)
        let cv = Self.cachedCoefficients(inSize: height, outSize: outH, filter: filter)
        var src = self
        var vb = cv.bounds
        if needH {
            // Only the rows the vertical pass will read.
            let first = needV ? cv.bounds[0].min : 0
            let last = needV ? cv.bounds[outH - 1].min + cv.bounds[outH - 1].count : height
            if needV { vb = vb.map { ($0.min - first, $0.count) } }
            let rows = last - first
            var tmp = [UInt8](repeating: 0, count: outW * rows * channels)
            let (w, cn) = (width, channels)
            pixels.withUnsafeBufferPointer { p in
                ch.weights.withUnsafeBufferPointer { kw in
                    tmp.withUnsafeMutableBufferPointer { t in
                        if Self.simd && cn == 1 {
                            ck_resample_h_gray(p.baseAddress! + first * w, Int32(rows), Int32(w), Int32(outW), ch.starts,
                                               ch.padded, Int32(ch.kpad), Int32(Self.precisionBits), t.baseAddress!)
                        } else {
                            Self.horizontal(p.baseAddress!, rows: rows, firstRow: first, width: w, channels: cn,
                                            outW: outW, c: ch, kw: kw.baseAddress!, out: t.baseAddress!)
                        }
                    }
                }
            }
            src = PixelImage(width: outW, height: rows, channels: channels, pixels: tmp)
        }
        guard needV else { return src }
        var out = [UInt8](repeating: 0, count: outW * outH * channels)
        let rowLen = src.width * channels
        src.pixels.withUnsafeBufferPointer { p in
            cv.weights.withUnsafeBufferPointer { kw in
                out.withUnsafeMutableBufferPointer { o in
                    if Self.simd {
                        ck_resample_v(p.baseAddress!, Int32(rowLen), Int32(outH), vb.map { Int32($0.min) },
                                      vb.map { Int32($0.count) }, kw.baseAddress!, Int32(cv.ksize),
                                      Int32(Self.precisionBits), o.baseAddress!)
                    } else {
                        Self.vertical(p.baseAddress!, rowLen: rowLen, outH: outH, bounds: vb, ksize: cv.ksize,
                                      kw: kw.baseAddress!, out: o.baseAddress!)
                    }
                }
            }
        }
        return PixelImage(width: outW, height: outH, channels: channels, pixels: out)
    }

    /// Each output pixel is a dot product over a contiguous run of its input row.
    private static func horizontal(_ p: UnsafePointer<UInt8>, rows: Int, firstRow: Int, width: Int, channels: Int,
                                   outW: Int, c: Coefficients, kw: UnsafePointer<Int32>, out: UnsafeMutablePointer<UInt8>) {
        let half = Int32(1) << Int32(precisionBits - 1)
        for y in 0..<rows {
            let row = p + (y + firstRow) * width * channels
            for xx in 0..<outW {
                let (xmin, n) = c.bounds[xx]
                let k = kw + xx * c.ksize
                for ch in 0..<channels {
                    var ss = half
                    if channels == 1 {
                        let src = row + xmin
                        for x in 0..<n { ss &+= Int32(src[x]) &* k[x] }
                    } else {
                        let src = row + xmin * channels + ch
                        for x in 0..<n { ss &+= Int32(src[x * channels]) &* k[x] }
                    }
                    out[(y * outW + xx) * channels + ch] = clip8(ss)
                }
            }
        }
    }

    /// Accumulates whole rows at a time, so the inner loop runs along memory.
    private static func vertical(_ p: UnsafePointer<UInt8>, rowLen: Int, outH: Int, bounds: [(min: Int, count: Int)],
                                 ksize: Int, kw: UnsafePointer<Int32>, out: UnsafeMutablePointer<UInt8>) {
        let half = Int32(1) << Int32(precisionBits - 1)
        let acc = UnsafeMutablePointer<Int32>.allocate(capacity: rowLen)
        defer { acc.deallocate() }
        for yy in 0..<outH {
            let (ymin, n) = bounds[yy]
            acc.initialize(repeating: half, count: rowLen)
            for y in 0..<n {
                let w = kw[yy * ksize + y]
                let src = p + (y + ymin) * rowLen
                for i in 0..<rowLen { acc[i] &+= Int32(src[i]) &* w }
            }
            let dst = out + yy * rowLen
            for i in 0..<rowLen { dst[i] = clip8(acc[i]) }
        }
    }

    /// Images of one size share coefficient tables: computing them costs as much as using them.
    private static let cache = CoefficientCache()

    static func cachedCoefficients(inSize: Int, outSize: Int, filter: ResampleFilter) -> Coefficients {
        cache.get(inSize: inSize, outSize: outSize, filter: filter) {
            coefficients(inSize: inSize, outSize: outSize, filter: filter)
        }
    }
}

final class CoefficientCache: @unchecked Sendable {
    // The filter itself, not its description: formatting it (a reflective protocol lookup
    // and a string) four times per hashed image cost more than the lookup.
    private struct Key: Hashable { var inSize: Int; var outSize: Int; var filter: ResampleFilter }
    private var table: [Key: PixelImage.Coefficients] = [:]
    private let lock = NSLock()

    func get(inSize: Int, outSize: Int, filter: ResampleFilter, make: () -> PixelImage.Coefficients) -> PixelImage.Coefficients {
        let key = Key(inSize: inSize, outSize: outSize, filter: filter)
        lock.lock()
        if let c = table[key] { lock.unlock(); return c }
        lock.unlock()
        let c = make()
        lock.lock()
        if table.count > 256 { table.removeAll() }   // bounded: photos come in many sizes
        table[key] = c
        lock.unlock()
        return c
    }
}
