import Foundation

/// Operators Keras-style networks need beyond the PyTorch-style ones in Ops.swift:
/// depthwise convolution, TensorFlow "same" max pooling, and in-place element-wise steps.
extension Ops {
    /// Depthwise convolution (one filter per channel), stride 1, zero padding `padding` on every
    /// side; `weight` is [c, 1, kh, kw]. 3×3 with padding 1 (all mini-Xception uses) has a direct
    /// 8-wide kernel: per channel the work is far too small for an im2col copy and sgemm to pay.
    /// Other shapes fall back to a grouped convolution.
    public static func depthwiseConv2d(_ x: Tensor, _ weight: Tensor, padding: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(weight.shape[0] == c && weight.shape[1] == 1, "depthwiseConv2d: weight \(weight.shape) for \(c) channels")
        guard weight.shape[2] == 3 && weight.shape[3] == 3 && padding == 1 else {
            return conv2d(x, weight, nil, padding: padding, groups: c)
        }
        var out = Tensor(uninitialized: [n, c, h, w])
        // Rows above and below the image read from a row of zeros.
        let zeros = [Float](repeating: 0, count: w + 2)
        x.data.withUnsafeBufferPointer { xp in
            weight.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { op in
                    zeros.withUnsafeBufferPointer { zp in
                        for p in 0..<(n * c) {
                            let src = xp.baseAddress! + p * h * w
                            let k = wp.baseAddress! + (p % c) * 9
                            let (k0, k1, k2) = (SIMD8<Float>(repeating: k[0]), SIMD8<Float>(repeating: k[1]), SIMD8<Float>(repeating: k[2]))
                            let (k3, k4, k5) = (SIMD8<Float>(repeating: k[3]), SIMD8<Float>(repeating: k[4]), SIMD8<Float>(repeating: k[5]))
                            let (k6, k7, k8) = (SIMD8<Float>(repeating: k[6]), SIMD8<Float>(repeating: k[7]), SIMD8<Float>(repeating: k[8]))
                            for y in 0..<h {
                                func row(_ i: Int) -> UnsafePointer<Float> { i >= 0 && i < h ? src + i * w : zp.baseAddress! }
                                let (r0, r1, r2) = (row(y - 1), row(y), row(y + 1))
                                let d = op.baseAddress! + p * h * w + y * w
                                // Column x reads x-1...x+1; the first and last columns see the zero padding.
                                func scalar(_ x: Int) -> Float {
                                    var s: Float = 0
                                    for kx in 0..<3 where x + kx - 1 >= 0 && x + kx - 1 < w {
                                        let i = x + kx - 1
                                        s += k[kx] * r0[i] + k[3 + kx] * r1[i] + k[6 + kx] * r2[i]
                                    }
                                    return s
                                }
                                d[0] = scalar(0)
                                var x = 1
                                while x + 8 <= w - 1 {
                                    @inline(__always) func load(_ r: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
                                        UnsafeRawPointer(r + i).loadUnaligned(as: SIMD8<Float>.self)
                                    }
                                    var acc = k0 * load(r0, x - 1)
                                    acc += k1 * load(r0, x); acc += k2 * load(r0, x + 1)
                                    acc += k3 * load(r1, x - 1); acc += k4 * load(r1, x); acc += k5 * load(r1, x + 1)
                                    acc += k6 * load(r2, x - 1); acc += k7 * load(r2, x); acc += k8 * load(r2, x + 1)
                                    UnsafeMutableRawPointer(d + x).storeBytes(of: acc, as: SIMD8<Float>.self)
                                    x += 8
                                }
                                while x < w { d[x] = scalar(x); x += 1 }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Output size and leading padding of TensorFlow's "same" padding: out = ceil(in/stride),
    /// total padding split with the odd pixel at the end (bottom/right).
    public static func samePadding(_ size: Int, kernel: Int, stride: Int) -> (out: Int, before: Int) {
        let out = (size + stride - 1) / stride
        let total = max((out - 1) * stride + kernel - size, 0)
        return (out, total / 2)
    }

    /// Max pooling with TensorFlow "same" padding (padded cells never win). Separable: the
    /// max over each row's window first, then over the column of row maxima.
    public static func maxPool2dSame(_ x: Tensor, kernel: Int, stride: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, py) = samePadding(h, kernel: kernel, stride: stride)
        let (ow, px) = samePadding(w, kernel: kernel, stride: stride)
        var out = Tensor(uninitialized: [n, c, oh, ow])
        var rows = [Float](repeating: 0, count: h * ow)
        x.data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { op in
                rows.withUnsafeMutableBufferPointer { rp in
                    for p in 0..<(n * c) {
                        let src = xp.baseAddress! + p * h * w, dst = op.baseAddress! + p * oh * ow
                        // Output columns whose whole window lies inside the row: [lo, hi).
                        let lo = min(ow, (px + stride - 1) / stride)
                        let hi = max(lo, min(ow, (w - kernel + px) / stride + 1))
                        for y in 0..<h {
                            let r = src + y * w, d = rp.baseAddress! + y * ow
                            func clipped(_ ox: Int) -> Float {
                                var m = -Float.infinity
                                for xx in max(0, ox * stride - px)..<min(w, ox * stride - px + kernel) { m = max(m, r[xx]) }
                                return m
                            }
                            for ox in 0..<lo { d[ox] = clipped(ox) }
                            if kernel == 3 {
                                for ox in lo..<hi {
                                    let i = ox * stride - px
                                    d[ox] = max(r[i], max(r[i + 1], r[i + 2]))
                                }
                            } else {
                                for ox in lo..<hi { d[ox] = clipped(ox) }
                            }
                            for ox in hi..<ow { d[ox] = clipped(ox) }
                        }
                        for oy in 0..<oh {
                            let y0 = max(0, oy * stride - py), y1 = min(h, oy * stride - py + kernel)
                            let d = dst + oy * ow
                            for ox in 0..<ow { d[ox] = rp[y0 * ow + ox] }
                            for yy in (y0 + 1)..<y1 { for ox in 0..<ow { d[ox] = max(d[ox], rp[yy * ow + ox]) } }
                        }
                    }
                }
            }
        }
        return out
    }

    public static func reluInPlace(_ x: inout Tensor) {
        x.data.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = max(p[i], 0) } }
    }

    /// x += y, element-wise (residual connections).
    public static func addInPlace(_ x: inout Tensor, _ y: Tensor) {
        precondition(x.shape == y.shape, "addInPlace: \(x.shape) vs \(y.shape)")
        x.data.withUnsafeMutableBufferPointer { xp in
            y.data.withUnsafeBufferPointer { yp in for i in xp.indices { xp[i] += yp[i] } }
        }
    }
}
