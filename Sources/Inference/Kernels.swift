import CKernels
import COpenBLAS

/// Pointer-level building blocks for networks that manage their own buffers (MTCNN runs
/// its P-Net in strips through these). Planes are row-major, channel after channel.
extension Ops {
    /// Unpadded stride-1 convolution of one image `src` [c, h, w] plus `bias` into `dst`
    /// [o, h-k+1, w-k+1], then PReLU with `slope` if given. `weight` is [o, c, k, k].
    /// 3×3 kernels on CPUs with AVX2+FMA: a direct convolution (CKernels; `direct: false`
    /// opts out). Otherwise im2col and sgemm onto the bias-filled
    /// output, exactly as `conv2d` (where sgemm splits a long sum, the bias is part of the
    /// first partial sum, so adding it afterwards would round differently). The two differ
    /// in the last bits: OpenBLAS's kernels order some sums differently. The im2col matrix is
    /// built in a `scratch` slot, never a fresh (page-faulting) allocation. Each output is sgemm's one dot product over c·k·k,
    /// exactly as `conv2d` computes it.
    public static func convValid(_ src: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                                 weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                 slope: UnsafePointer<Float>? = nil, outChannels o: Int, kernel k: Int,
                                 into dst: UnsafeMutablePointer<Float>, scratch: Scratch, direct: Bool = true) {
        let oh = h - k + 1, ow = w - k + 1
        precondition(oh > 0 && ow > 0, "convValid: input \(h)x\(w) smaller than kernel \(k)")
        if direct && k == 3 && hasAVX2FMA {
            ck_conv3x3_valid(src, Int32(c), Int32(h), Int32(w), weight, bias, slope, Int32(o), dst)
            return
        }
        defer { if let slope { prelu(dst, channels: o, plane: oh * ow, slope: slope) } }
        let kk = c * k * k, plane = oh * ow
        for ch in 0..<o { (dst + ch * plane).update(repeating: bias[ch], count: plane) }
        if k == 1 {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(o), Int32(plane), Int32(kk), 1,
                        weight, Int32(kk), src, Int32(plane), 1, dst, Int32(plane))
            return
        }
        // One sgemm call for the whole input: splitting the columns into several calls was
        // faster but changed the rounding of some outputs (OpenBLAS's blocking depends on them).
        let col = scratch.buffer(Scratch.col, count: kk * plane)
        var r = 0
        for ci in 0..<c {
            let p = src + ci * h * w
            for ky in 0..<k {
                for kx in 0..<k {
                    let d = col + r * plane
                    for y in 0..<oh { (d + y * ow).update(from: p + (y + ky) * w + kx, count: ow) }
                    r += 1
                }
            }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(o), Int32(plane), Int32(kk), 1,
                    weight, Int32(kk), col, Int32(plane), 1, dst, Int32(plane))
    }

    static let hasAVX2FMA = ck_has_avx2_fma() != 0

    /// PReLU in place, per channel of `channels` planes of `plane` values.
    public static func prelu(_ p: UnsafeMutablePointer<Float>, channels: Int, plane: Int, slope: UnsafePointer<Float>) {
        for ch in 0..<channels {
            let a = slope[ch], base = p + ch * plane
            for i in 0..<plane { let v = base[i]; base[i] = max(v, 0) + a * min(v, 0) }
        }
    }

    /// Whether PReLU with these slopes is non-decreasing (all slopes ≥ 0). Then it commutes
    /// with max pooling exactly (it rounds monotonically), so it can run on the pooled
    /// values: a quarter of the work after a 2×2 pool.
    public static func monotonic(_ slope: Tensor) -> Bool { slope.data.allSatisfy { $0 >= 0 } }

    /// Max pooling of `planes` planes [h, w] with PyTorch semantics (no padding), as
    /// `maxPool2d`; separable (column maxima, then row maxima), which is exact for max.
    public static func maxPoolPlanes(_ src: UnsafePointer<Float>, planes: Int, height h: Int, width w: Int,
                                     kernel: Int, stride: Int, ceilMode: Bool, into dst: UnsafeMutablePointer<Float>,
                                     scratch: Scratch) {
        let oh = poolOutputSize(h, kernel: kernel, stride: stride, padding: 0, ceilMode: ceilMode)
        let ow = poolOutputSize(w, kernel: kernel, stride: stride, padding: 0, ceilMode: ceilMode)
        // Column maxima, padded with -inf so every window reads `kernel` values.
        let padded = (ow - 1) * stride + kernel
        let m = scratch.buffer(Scratch.pool, count: padded)
        (m + w).update(repeating: -.infinity, count: max(0, padded - w))
        for p in 0..<planes {
            let s = src + p * h * w, d = dst + p * oh * ow
            for oy in 0..<oh {
                let y0 = oy * stride, y1 = min(h, y0 + kernel)
                let a = s + y0 * w
                if y1 - y0 >= 2 {
                    let b = a + w
                    for x in 0..<w { m[x] = max(a[x], b[x]) }
                    for y in (y0 + 2)..<max(y0 + 2, y1) {
                        let r = s + y * w
                        for x in 0..<w { m[x] = max(m[x], r[x]) }
                    }
                } else {
                    m.update(from: a, count: w)
                }
                let out = d + oy * ow
                switch (kernel, stride) {
                case (2, 2): for ox in 0..<ow { out[ox] = max(m[2 * ox], m[2 * ox + 1]) }
                case (3, 2): for ox in 0..<ow { out[ox] = max(max(m[2 * ox], m[2 * ox + 1]), m[2 * ox + 2]) }
                default:
                    for ox in 0..<ow {
                        var v = m[ox * stride]
                        for x in 1..<kernel { v = max(v, m[ox * stride + x]) }
                        out[ox] = v
                    }
                }
            }
        }
    }
}
