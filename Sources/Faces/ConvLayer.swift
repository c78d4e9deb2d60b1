import Inference

/// conv (unpadded, stride 1, with bias) + PReLU, optionally followed by a ceil-mode max pool, over
/// a batch of images in caller-owned buffers: R-Net's and O-Net's layers without a tensor
/// allocation per layer. Each image is its own sgemm call, as `Ops.conv2d` makes them, so
/// results are the same bit for bit (the direct kernel would be slower on these narrow maps).
struct ConvLayer: Sendable {
    let weight, bias, slope: FloatBuffer
    let inChannels, outChannels, kernel: Int
    let pool: (kernel: Int, stride: Int)?
    /// PReLU after the pool, on fewer values (exact when all slopes are ≥ 0).
    let poolFirst: Bool

    init(_ w: Tensor, _ b: Tensor, _ p: Tensor, pool: (kernel: Int, stride: Int)? = nil) {
        (inChannels, outChannels, kernel) = (w.shape[1], w.shape[0], w.shape[2])
        weight = FloatBuffer(w); bias = FloatBuffer(b); slope = FloatBuffer(p)
        self.pool = pool
        poolFirst = pool != nil && Ops.monotonic(p)
    }

    /// Output height and width for an input of h×w.
    func outputSize(_ h: Int, _ w: Int) -> (Int, Int) {
        let (ch, cw) = (h - kernel + 1, w - kernel + 1)
        guard let pool else { return (ch, cw) }
        return (Ops.poolOutputSize(ch, kernel: pool.kernel, stride: pool.stride, padding: 0, ceilMode: true),
                Ops.poolOutputSize(cw, kernel: pool.kernel, stride: pool.stride, padding: 0, ceilMode: true))
    }

    /// `src`: n images [inChannels, h, w] → `dst`: n images [outChannels, outputSize]. Uses
    /// scratch slot `tmpSlot` for the unpooled map.
    func run(_ src: UnsafePointer<Float>, count n: Int, height h: Int, width w: Int,
             into dst: UnsafeMutablePointer<Float>, scratch: Scratch, tmpSlot: Int) {
        let (ch, cw) = (h - kernel + 1, w - kernel + 1)
        let (oh, ow) = outputSize(h, w)
        let tmp = pool == nil ? nil : scratch.buffer(tmpSlot, count: outChannels * ch * cw)
        for i in 0..<n {
            let x = src + i * inChannels * h * w, y = dst + i * outChannels * oh * ow
            Ops.convValid(x, channels: inChannels, height: h, width: w, weight: weight.pointer, bias: bias.pointer,
                          outChannels: outChannels, kernel: kernel, into: tmp ?? y, scratch: scratch, direct: false)
            guard let pool, let tmp else {
                Ops.prelu(y, channels: outChannels, plane: oh * ow, slope: slope.pointer)
                continue
            }
            if !poolFirst { Ops.prelu(tmp, channels: outChannels, plane: ch * cw, slope: slope.pointer) }
            Ops.maxPoolPlanes(tmp, planes: outChannels, height: ch, width: cw, kernel: pool.kernel, stride: pool.stride,
                              ceilMode: true, into: y, scratch: scratch)
            if poolFirst { Ops.prelu(y, channels: outChannels, plane: oh * ow, slope: slope.pointer) }
        }
    }
}

/// Runs `layers` in turn over n images of `channels`×`size`×`size` and returns the last
/// feature map as a tensor [n, c, h, w]. Intermediate maps live in scratch slots.
func runLayers(_ layers: [ConvLayer], _ x: Tensor, scratch: Scratch) -> Tensor {
    let n = x.shape[0]
    var (h, w) = (x.shape[2], x.shape[3])
    var result = Tensor(zeros: [0])
    x.data.withUnsafeBufferPointer { xp in
        var src = UnsafePointer(xp.baseAddress!)
        // Slots: firstFree / +1 alternate as layer outputs, +2 holds unpooled maps.
        for (i, layer) in layers.enumerated() {
            let (oh, ow) = layer.outputSize(h, w)
            let dst = scratch.buffer(Scratch.firstFree + i % 2, count: n * layer.outChannels * oh * ow)
            layer.run(src, count: n, height: h, width: w, into: dst, scratch: scratch, tmpSlot: Scratch.firstFree + 2)
            src = UnsafePointer(dst); (h, w) = (oh, ow)
        }
        let c = layers.last!.outChannels
        result = Tensor(shape: [n, c, h, w], data: Array(UnsafeBufferPointer(start: src, count: n * c * h * w)))
    }
    return result
}
