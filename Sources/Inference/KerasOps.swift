import Foundation

/// Operators Keras-style networks need beyond the PyTorch-style ones in Ops.swift:
/// depthwise convolution, TensorFlow "same" max pooling, and in-place element-wise steps.
extension Ops {
    /// Depthwise convolution (one k×k filter per channel), stride 1, zero padding `padding`
    /// on every side. `weight` is [c, 1, kh, kw]. A direct loop: per channel the work is far too
    /// small for sgemm to pay for an im2col copy.
    public static func depthwiseConv2d(_ x: Tensor, _ weight: Tensor, padding: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw) = (weight.shape[2], weight.shape[3])
        precondition(weight.shape[0] == c && weight.shape[1] == 1, "depthwiseConv2d: weight \(weight.shape) for \(c) channels")
        let oh = h + 2 * padding - kh + 1, ow = w + 2 * padding - kw + 1
        var out = Tensor(zeros: [n, c, oh, ow])
        x.data.withUnsafeBufferPointer { xp in
            weight.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { op in
                    for p in 0..<(n * c) {
                        let src = xp.baseAddress! + p * h * w
                        let dst = op.baseAddress! + p * oh * ow
                        let k = wp.baseAddress! + (p % c) * kh * kw
                        // Accumulate one tap over a whole row at a time: contiguous, vectorisable.
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                let wv = k[ky * kw + kx]
                                let x0 = max(0, padding - kx), x1 = min(ow, w + padding - kx)
                                guard x1 > x0 else { continue }
                                for oy in 0..<oh {
                                    let iy = oy + ky - padding
                                    guard iy >= 0 && iy < h else { continue }
                                    let s = src + iy * w + kx - padding, d = dst + oy * ow
                                    for ox in x0..<x1 { d[ox] += wv * s[ox] }
                                }
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

    /// Max pooling with TensorFlow "same" padding (padded cells never win).
    public static func maxPool2dSame(_ x: Tensor, kernel: Int, stride: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, py) = samePadding(h, kernel: kernel, stride: stride)
        let (ow, px) = samePadding(w, kernel: kernel, stride: stride)
        var out = Tensor(zeros: [n, c, oh, ow])
        x.data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { op in
                for p in 0..<(n * c) {
                    let src = xp.baseAddress! + p * h * w, dst = op.baseAddress! + p * oh * ow
                    for oy in 0..<oh {
                        let y0 = max(0, oy * stride - py), y1 = min(h, oy * stride - py + kernel)
                        for ox in 0..<ow {
                            let x0 = max(0, ox * stride - px), x1 = min(w, ox * stride - px + kernel)
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
