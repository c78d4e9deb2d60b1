import COpenBLAS
import Foundation

/// CPU operators on NCHW tensors. Convolutions and linear layers go through
/// OpenBLAS `sgemm`; everything else is plain loops.
public enum Ops {
    /// Stages parallelise across images, so BLAS itself should use one thread.
    public static func useSingleThreadedBLAS() { openblas_set_num_threads(1) }

    /// 2-D convolution. `weight` is [out, in/groups, kh, kw]; `bias` is [out] or nil.
    public static func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Int = 1, padding: Int = 0,
                              groups: Int = 1) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, cg, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        precondition(c == cg * groups && o % groups == 0, "conv2d: channels \(c) vs weight \(weight.shape), groups \(groups)")
        let oh = (h + 2 * padding - kh) / stride + 1, ow = (w + 2 * padding - kw) / stride + 1
        precondition(oh > 0 && ow > 0, "conv2d: input \(h)x\(w) smaller than kernel")
        // Every element is written: by the bias (then accumulated onto, beta = 1) or by sgemm (beta = 0).
        var out = Tensor(uninitialized: [n, o, oh, ow])
        if let bias { fillChannelBias(&out, bias) }
        let og = o / groups
        let k = cg * kh * kw
        let plane = oh * ow
        // im2col buffer for one group of one image: k rows × plane columns.
        let direct = kh == 1 && kw == 1 && stride == 1 && padding == 0
        // im2col writes every entry, padding zeros included.
        let colCount = direct ? 0 : k * plane
        var col = [Float](unsafeUninitializedCapacity: colCount) { _, count in count = colCount }
        x.data.withUnsafeBufferPointer { xp in
            weight.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { op in
                    col.withUnsafeMutableBufferPointer { cp in
                        for b in 0..<n {
                            for g in 0..<groups {
                                let src = xp.baseAddress! + (b * c + g * cg) * h * w
                                let a: UnsafePointer<Float>
                                if direct {
                                    a = src
                                } else {
                                    im2col(src, channels: cg, h: h, w: w, kh: kh, kw: kw, stride: stride, padding: padding,
                                           oh: oh, ow: ow, into: cp.baseAddress!)
                                    a = UnsafePointer(cp.baseAddress!)
                                }
                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(og), Int32(plane), Int32(k), 1,
                                            wp.baseAddress! + g * og * k, Int32(k), a, Int32(plane), bias == nil ? 0 : 1,
                                            op.baseAddress! + (b * o + g * og) * plane, Int32(plane))
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    static func im2col(_ src: UnsafePointer<Float>, channels: Int, h: Int, w: Int, kh: Int, kw: Int, stride: Int,
                       padding: Int, oh: Int, ow: Int, into dst: UnsafeMutablePointer<Float>) {
        var row = 0
        for ci in 0..<channels {
            let plane = src + ci * h * w
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let d = dst + row * oh * ow
                    // Output columns whose input column lies inside the image: [lo, hi).
                    let lo = min(ow, max(0, ceilDiv(padding - kx, stride)))
                    let hi = max(lo, min(ow, floorDiv(w - 1 + padding - kx, stride) + 1))
                    for oy in 0..<oh {
                        let iy = oy * stride + ky - padding
                        let out = d + oy * ow
                        guard iy >= 0 && iy < h else { out.update(repeating: 0, count: ow); continue }
                        if lo > 0 { out.update(repeating: 0, count: lo) }
                        if hi < ow { (out + hi).update(repeating: 0, count: ow - hi) }
                        let inRow = plane + iy * w + kx - padding
                        if stride == 1 {
                            (out + lo).update(from: inRow + lo, count: hi - lo)
                        } else {
                            for ox in lo..<hi { out[ox] = inRow[ox * stride] }
                        }
                    }
                    row += 1
                }
            }
        }
    }

    @inline(__always) static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    @inline(__always) static func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }

    /// Sets every element of each channel to that channel's bias.
    static func fillChannelBias(_ t: inout Tensor, _ bias: Tensor) {
        let (n, c) = (t.shape[0], t.shape[1])
        let plane = t.count / (n * c)
        t.data.withUnsafeMutableBufferPointer { p in
            for b in 0..<n { for ch in 0..<c {
                (p.baseAddress! + (b * c + ch) * plane).update(repeating: bias.data[ch], count: plane)
            } }
        }
    }


    /// PReLU with one slope per channel (dimension 1).
    public static func prelu(_ x: Tensor, _ slope: Tensor) -> Tensor {
        var y = x
        preluInPlace(&y, slope)
        return y
    }

    /// max(v, 0) + a·min(v, 0): exact, and branch-free so it vectorises.
    public static func preluInPlace(_ y: inout Tensor, _ slope: Tensor) {
        let (n, c) = (y.shape[0], y.shape[1])
        let plane = y.count / (n * c)
        y.data.withUnsafeMutableBufferPointer { p in
            for b in 0..<n { for ch in 0..<c {
                let a = slope.data[ch]
                let base = p.baseAddress! + (b * c + ch) * plane
                for i in 0..<plane { let v = base[i]; base[i] = max(v, 0) + a * min(v, 0) }
            } }
        }
    }

    public static func relu(_ x: Tensor) -> Tensor {
        var y = x
        y.data.withUnsafeMutableBufferPointer { p in for i in 0..<p.count where p[i] < 0 { p[i] = 0 } }
        return y
    }

    /// Output length of a pooling window sweep, as PyTorch computes it: with `ceilMode`
    /// a partial last window counts, unless it would start inside the right padding.
    public static func poolOutputSize(_ size: Int, kernel: Int, stride: Int, padding: Int, ceilMode: Bool) -> Int {
        let span = size + 2 * padding - kernel
        var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (out - 1) * stride >= size + padding { out -= 1 }
        return out
    }

    /// Max pooling with PyTorch semantics (padding counts as -inf; ceil mode).
    public static func maxPool2d(_ x: Tensor, kernel: Int, stride: Int, padding: Int = 0, ceilMode: Bool = false) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = poolOutputSize(h, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
        let ow = poolOutputSize(w, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
        var out = Tensor(uninitialized: [n, c, oh, ow])
        x.data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { op in
                for p in 0..<(n * c) {
                    let src = xp.baseAddress! + p * h * w
                    let dst = op.baseAddress! + p * oh * ow
                    for oy in 0..<oh {
                        let y0 = max(0, oy * stride - padding), y1 = min(h, oy * stride - padding + kernel)
                        for ox in 0..<ow {
                            let x0 = max(0, ox * stride - padding), x1 = min(w, ox * stride - padding + kernel)
                            var m = -Float.infinity
                            for yy in y0..<y1 { for xx in x0..<x1 { m = max(m, src[yy * w + xx]) } }
                            dst[oy * ow + ox] = m
                        }
                    }
                }
            }
        }
        return out
    }

    /// `x` is [n, in]; `weight` is [out, in] (PyTorch's layout); `bias` is [out].
    public static func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor {
        let (n, k) = (x.shape[0], x.shape[1])
        let o = weight.shape[0]
        precondition(weight.shape[1] == k, "linear: input \(k) vs weight \(weight.shape)")
        var out = Tensor(zeros: [n, o])
        x.data.withUnsafeBufferPointer { xp in
            weight.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { op in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(o), Int32(k), 1,
                                xp.baseAddress!, Int32(k), wp.baseAddress!, Int32(k), 0, op.baseAddress!, Int32(o))
                }
            }
        }
        if let bias {
            for b in 0..<n { for j in 0..<o { out.data[b * o + j] += bias.data[j] } }
        }
        return out
    }

    /// Softmax along `dim`, numerically stable.
    public static func softmax(_ x: Tensor, dim: Int) -> Tensor {
        var y = x
        let outer = x.shape[..<dim].reduce(1, *), len = x.shape[dim], inner = x.shape[(dim + 1)...].reduce(1, *)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * len * inner + i
                var m = -Float.infinity
                for k in 0..<len { m = max(m, x.data[base + k * inner]) }
                var s: Float = 0
                for k in 0..<len { let e = expf(x.data[base + k * inner] - m); y.data[base + k * inner] = e; s += e }
                for k in 0..<len { y.data[base + k * inner] /= s }
            }
        }
        return y
    }

    /// Mean over each channel's plane: [n, c, h, w] → [n, c].
    public static func globalAveragePool(_ x: Tensor) -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1])
        let plane = x.count / (n * c)
        var out = Tensor(zeros: [n, c])
        for p in 0..<(n * c) {
            var s: Float = 0
            for i in 0..<plane { s += x.data[p * plane + i] }
            out.data[p] = s / Float(plane)
        }
        return out
    }

    /// Folds an inference-mode batch norm into the preceding convolution's weight and bias.
    public static func foldBatchNorm(weight: Tensor, bias: Tensor?, gamma: Tensor, beta: Tensor, mean: Tensor,
                                     variance: Tensor, epsilon: Float) -> (Tensor, Tensor) {
        var w = weight
        let o = weight.shape[0]
        let per = weight.count / o
        var b = Tensor(zeros: [o])
        for ch in 0..<o {
            let scale = gamma.data[ch] / (variance.data[ch] + epsilon).squareRoot()
            for i in 0..<per { w.data[ch * per + i] *= scale }
            b.data[ch] = ((bias?.data[ch] ?? 0) - mean.data[ch]) * scale + beta.data[ch]
        }
        return (w, b)
    }

    /// Area resampling to `oh`×`ow`, as PyTorch's `interpolate(mode="area")`
    /// (adaptive average pooling: cell i covers [⌊i·in/out⌋, ⌈(i+1)·in/out⌉)).
    public static func resizeArea(_ x: Tensor, height oh: Int, width ow: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var out = Tensor(uninitialized: [n, c, oh, ow])
        let y0 = (0..<oh).map { ($0 * h) / oh }, y1 = (0..<oh).map { (($0 + 1) * h + oh - 1) / oh }
        let x0 = (0..<ow).map { ($0 * w) / ow }, x1 = (0..<ow).map { (($0 + 1) * w + ow - 1) / ow }
        x.data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { op in
                y0.withUnsafeBufferPointer { y0 in y1.withUnsafeBufferPointer { y1 in
                x0.withUnsafeBufferPointer { x0 in x1.withUnsafeBufferPointer { x1 in
                    for p in 0..<(n * c) {
                        let src = xp.baseAddress! + p * h * w
                        let dst = op.baseAddress! + p * oh * ow
                        for oy in 0..<oh {
                            let (ya, yb) = (y0[oy], y1[oy])
                            let kh = Float(yb - ya)
                            for ox in 0..<ow {
                                let (xa, xb) = (x0[ox], x1[ox])
                                var s: Float = 0
                                var row = src + ya * w
                                for _ in ya..<yb {
                                    for xx in xa..<xb { s += row[xx] }
                                    row += w
                                }
                                // Two divisions, in PyTorch's order, so results match it bit for bit.
                                dst[oy * ow + ox] = s / kh / Float(xb - xa)
                            }
                        }
                    }
                } } } }
            }
        }
        return out
    }

    /// Bilinear resampling with half-pixel centres (`align_corners=False`).
    public static func resizeBilinear(_ x: Tensor, height oh: Int, width ow: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var out = Tensor(zeros: [n, c, oh, ow])
        func taps(_ o: Int, _ inSize: Int, _ outSize: Int) -> (Int, Int, Float) {
            let src = max(0, (Float(o) + 0.5) * Float(inSize) / Float(outSize) - 0.5)
            let i0 = min(Int(src), inSize - 1)
            return (i0, min(i0 + 1, inSize - 1), src - Float(i0))
        }
        let ty = (0..<oh).map { taps($0, h, oh) }, tx = (0..<ow).map { taps($0, w, ow) }
        for p in 0..<(n * c) {
            let base = p * h * w
            for oy in 0..<oh {
                let (y0, y1, fy) = ty[oy]
                for ox in 0..<ow {
                    let (x0, x1, fx) = tx[ox]
                    let top = x.data[base + y0 * w + x0] * (1 - fx) + x.data[base + y0 * w + x1] * fx
                    let bot = x.data[base + y1 * w + x0] * (1 - fx) + x.data[base + y1 * w + x1] * fx
                    out.data[(p * oh + oy) * ow + ox] = top * (1 - fy) + bot * fy
                }
            }
        }
        return out
    }
}
