/// Area resampling (`interpolate(mode="area")`, as `Ops.resizeArea`) of an 8-bit RGB image
/// through a summed-area table: every output cell costs four lookups per channel instead of
/// a loop over its pixels, so a whole MTCNN pyramid costs about as much as its smallest copy.
///
/// Why the results are bit-identical to `Ops.resizeArea` on the same pixels: a cell's sum of
/// 8-bit values is an integer, which float accumulation holds exactly while it stays below
/// 2^24 (any cell under 65,793 pixels; the largest cell of a 2048-pixel image's pyramid has
/// about 30,000). Both then divide the same float the same way.
public struct AreaSums: Sendable {
    public let width: Int, height: Int
    /// (height+1)×(width+1) running sums per channel, wrapping: differences of them are exact
    /// for any cell whose true sum is below 2^32.
    let sums: [UInt32]
    /// Where each output channel's table starts (gray images share one table).
    let planes: (Int, Int, Int)

    /// `pixels` is row-major with `channels` interleaved values per pixel: 3 (RGB) or 1 (gray,
    /// replicated to three channels as PIL's convert("RGB")); other counts read channel 0.
    public init(pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, channels: Int) {
        self.width = width; self.height = height
        let rgb = channels == 3
        let nPlanes = rgb ? 3 : 1
        let stride = width + 1, plane = stride * (height + 1)
        planes = rgb ? (0, plane, 2 * plane) : (0, 0, 0)
        sums = [UInt32](unsafeUninitializedCapacity: nPlanes * plane) { buf, count in
            let s = buf.baseAddress!
            for p in 0..<nPlanes {
                (s + p * plane).update(repeating: 0, count: stride)   // row 0
                let src = pixels.baseAddress! + (rgb ? p : 0)
                for y in 0..<height {
                    let above = s + p * plane + y * stride, row = above + stride
                    row[0] = 0
                    var run: UInt32 = 0
                    let line = src + y * width * channels
                    for x in 0..<width {
                        run &+= UInt32(line[x * channels])
                        row[x + 1] = above[x + 1] &+ run
                    }
                }
            }
            count = nPlanes * plane
        }
    }

    /// Resamples the region `rows`×`cols` to `oh`×`ow` and writes output rows `outRows` of
    /// each channel as `(mean - subtract) * multiply` into `dst`: three planes of
    /// outRows.count×ow floats, channel after channel.
    public func resample(rows: Range<Int>, cols: Range<Int>, height oh: Int, width ow: Int, outRows: Range<Int>,
                         subtract: Float, multiply: Float, into dst: UnsafeMutablePointer<Float>) {
        let (h, w) = (rows.count, cols.count)
        let stride = width + 1
        // Cell i covers [⌊i·in/out⌋, ⌈(i+1)·in/out⌉) of the region.
        var x0 = [Int](repeating: 0, count: ow), x1 = [Int](repeating: 0, count: ow), inv = [Float](repeating: 0, count: ow)
        for i in 0..<ow {
            x0[i] = cols.lowerBound + i * w / ow
            x1[i] = cols.lowerBound + ((i + 1) * w + ow - 1) / ow
            inv[i] = Float(x1[i] - x0[i])
        }
        let n = outRows.count * ow
        sums.withUnsafeBufferPointer { sp in
            x0.withUnsafeBufferPointer { x0 in x1.withUnsafeBufferPointer { x1 in inv.withUnsafeBufferPointer { kw in
                for (c, off) in [planes.0, planes.1, planes.2].enumerated() {
                    let base = sp.baseAddress! + off
                    for oy in outRows {
                        let ya = rows.lowerBound + oy * h / oh, yb = rows.lowerBound + ((oy + 1) * h + oh - 1) / oh
                        let kh = Float(yb - ya)
                        let top = base + ya * stride, bottom = base + yb * stride
                        let out = dst + c * n + (oy - outRows.lowerBound) * ow
                        for ox in 0..<ow {
                            let (a, b) = (x0[ox], x1[ox])
                            let s = bottom[b] &- bottom[a] &- top[b] &+ top[a]
                            // Two divisions, in PyTorch's order, as Ops.resizeArea.
                            out[ox] = (Float(s) / kh / kw[ox] - subtract) * multiply
                        }
                    }
                }
            } } }
        }
    }
}
