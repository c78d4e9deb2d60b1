import Foundation
import Inference

/// P-Net run strip by strip straight from a summed-area table: each strip of output rows
/// resamples only the input rows it needs and keeps its layers in reused scratch buffers,
/// instead of whole pyramid levels and layers of tens of MB (allocated, page-faulted and
/// streamed through memory once per layer). Strips are independent, so a large image's
/// strips can also run on several cores. Arithmetic is that of `PNet.callAsFunction`.
extension PNet {
    /// Output rows per strip. A strip recomputes an 8-row halo of its first layer and a 2-row
    /// one of its second: about 3% more work at 32 rows.
    static let stripRows = 32

    /// Final (conv3) grid of a pyramid level of `height`×`width`: rows, columns.
    static func gridSize(height H: Int, width W: Int) -> (rows: Int, cols: Int) { ((H - 1) / 2 - 4, (W - 1) / 2 - 4) }

    /// Candidate boxes (p ≥ `threshold`) of grid rows `rows` of the pyramid level `height`×`width`
    /// area-resampled from `sums`, in row-major order, as `MTCNN.candidates` gives them.
    func candidates(_ sums: AreaSums, height H: Int, width W: Int, rows: Range<Int>, scale: Float, threshold: Float,
                    scratch: Scratch) -> [Box] {
        let w1 = W - 2                                        // conv1
        let pw = (w1 + 1) / 2                                 // 2×2 ceil-mode pool
        let (w2, w3) = (pw - 2, pw - 4)                       // conv2, conv3
        let (r0, r1) = (rows.lowerBound, rows.upperBound)
        // Rows each layer needs for grid rows [r0, r1).
        let c1Rows = min(H - 2, 2 * r1 + 8) - 2 * r0, pRows = (c1Rows + 1) / 2, inRows = c1Rows + 2
        precondition(pRows - 4 == r1 - r0, "P-Net strip \(rows) of a \(H)x\(W) level")
        let n3 = (r1 - r0) * w3
        var slot = Scratch.firstFree
        func buffer(_ n: Int) -> UnsafeMutablePointer<Float> { defer { slot += 1 }; return scratch.buffer(slot, count: n) }
        let input = buffer(3 * inRows * W), c1 = buffer(10 * c1Rows * w1), pooled = buffer(10 * pRows * pw)
        let c2 = buffer(16 * (pRows - 2) * w2), c3 = buffer(32 * n3), head = buffer(6 * n3)

        sums.resample(rows: 0..<sums.height, cols: 0..<sums.width, height: H, width: W,
                      outRows: (2 * r0)..<(2 * r0 + inRows), subtract: 127.5, multiply: 0.0078125, into: input)
        // PReLU after the pool when that is exact (a quarter of the values), else fused.
        Ops.convValid(input, channels: 3, height: inRows, width: W, weight: k.c1w.pointer, bias: k.c1b.pointer,
                      slope: k.poolFirst ? nil : k.p1.pointer, outChannels: 10, kernel: 3, into: c1, scratch: scratch)
        Ops.maxPoolPlanes(c1, planes: 10, height: c1Rows, width: w1, kernel: 2, stride: 2, ceilMode: true,
                          into: pooled, scratch: scratch)
        if k.poolFirst { Ops.prelu(pooled, channels: 10, plane: pRows * pw, slope: k.p1.pointer) }
        Ops.convValid(pooled, channels: 10, height: pRows, width: pw, weight: k.c2w.pointer, bias: k.c2b.pointer,
                      slope: k.p2.pointer, outChannels: 16, kernel: 3, into: c2, scratch: scratch)
        Ops.convValid(c2, channels: 16, height: pRows - 2, width: w2, weight: k.c3w.pointer, bias: k.c3b.pointer,
                      slope: k.p3.pointer, outChannels: 32, kernel: 3, into: c3, scratch: scratch)
        // The 1×1 heads (sgemm): rows 0-1 face logits, 2-5 box regression. Two calls, as
        // `conv2d` makes them: one call of 6 rows rounds some regressions differently.
        Ops.convValid(c3, channels: 32, height: r1 - r0, width: w3, weight: k.headW.pointer, bias: k.headB.pointer,
                      outChannels: 2, kernel: 1, into: head, scratch: scratch)
        Ops.convValid(c3, channels: 32, height: r1 - r0, width: w3, weight: k.headW.pointer + 64,
                      bias: k.headB.pointer + 2, outChannels: 4, kernel: 1, into: head + 2 * n3, scratch: scratch)

        var out: [Box] = []
        for i in 0..<n3 {
            // Softmax over the two logits, as Ops.softmax does it.
            let (a, b) = (head[i], head[n3 + i])
            let m = max(a, b)
            let ea = expf(a - m), eb = expf(b - m)
            let score = eb / (ea + eb)
            guard score >= threshold else { continue }
            let fx = Float(i % w3), fy = Float(r0 + i / w3)
            out.append(Box(x1: ((2 * fx + 1) / scale).rounded(.down), y1: ((2 * fy + 1) / scale).rounded(.down),
                           x2: ((2 * fx + 12) / scale).rounded(.down), y2: ((2 * fy + 12) / scale).rounded(.down),
                           score: score, reg: (head[2 * n3 + i], head[3 * n3 + i], head[4 * n3 + i], head[5 * n3 + i])))
        }
        return out
    }
}

/// P-Net's weights at stable addresses for the strip kernels.
struct PNetKernels: Sendable {
    let c1w, c1b, p1, c2w, c2b, p2, c3w, c3b, p3, headW, headB: FloatBuffer
    /// All first-layer PReLU slopes ≥ 0, so pooling may come first (see `Ops.monotonic`).
    let poolFirst: Bool

    /// `t`: P-Net's tensors in `PNet`'s order (c1w … c42b).
    init(_ t: [Tensor]) {
        let b = t.map(FloatBuffer.init)
        (c1w, c1b, p1, c2w, c2b, p2, c3w, c3b, p3) = (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8])
        headW = FloatBuffer(t[9].data + t[11].data); headB = FloatBuffer(t[10].data + t[12].data)
        poolFirst = Ops.monotonic(t[2])
    }
}
