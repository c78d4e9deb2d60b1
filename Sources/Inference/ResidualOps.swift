/// The operators dlib's ResNets add to those in `Ops`: average pooling with a window equal to its
/// stride and no padding (dlib's `avg_pool<2,2,2,2>`), and residual adds across channel counts.
extension Ops {
    /// Average over `k`×`k` windows stepping by `k`, windows inside the input only (no padding):
    /// [n, c, h, w] → [n, c, (h − k)/k + 1, (w − k)/k + 1].
    public static func averagePool2d(_ x: Tensor, kernel k: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h - k) / k + 1, ow = (w - k) / k + 1
        var out = Tensor(zeros: [n, c, oh, ow])
        let inv = 1 / Float(k * k)
        for p in 0..<(n * c) {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var s: Float = 0
                    for yy in (oy * k)..<(oy * k + k) { for xx in (ox * k)..<(ox * k + k) { s += x.data[(p * h + yy) * w + xx] } }
                    out.data[(p * oh + oy) * ow + ox] = s * inv
                }
            }
        }
        return out
    }

    /// `x += y` where `y` may have fewer channels (dlib's `add_prev`: the missing channels count
    /// as zeros). Planes must agree.
    public static func addChannelsInPlace(_ x: inout Tensor, _ y: Tensor) {
        let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        let cy = y.shape[1]
        precondition(y.shape[0] == n && cy <= c && y.shape[2] * y.shape[3] == plane, "addChannels: \(x.shape) + \(y.shape)")
        x.data.withUnsafeMutableBufferPointer { xp in
            y.data.withUnsafeBufferPointer { yp in
                for b in 0..<n {
                    for ch in 0..<cy {
                        let dst = xp.baseAddress! + (b * c + ch) * plane, src = yp.baseAddress! + (b * cy + ch) * plane
                        for i in 0..<plane { dst[i] += src[i] }
                    }
                }
            }
        }
    }
}
