import Foundation
import Inference

/// The three MTCNN networks with facenet-pytorch 2.6.0's weights (converted at set-up to
/// safetensors, tensor names as in its state dicts). Shapes are checked when loading.
struct PNet: Sendable {
    let c1w, c1b, p1, c2w, c2b, p2, c3w, c3b, p3, c41w, c41b, c42w, c42b: Tensor
    let k: PNetKernels

    init(_ f: SafeTensors) throws {
        c1w = try f.tensor("conv1.weight", shape: [10, 3, 3, 3]); c1b = try f.tensor("conv1.bias", shape: [10])
        p1 = try f.tensor("prelu1.weight", shape: [10])
        c2w = try f.tensor("conv2.weight", shape: [16, 10, 3, 3]); c2b = try f.tensor("conv2.bias", shape: [16])
        p2 = try f.tensor("prelu2.weight", shape: [16])
        c3w = try f.tensor("conv3.weight", shape: [32, 16, 3, 3]); c3b = try f.tensor("conv3.bias", shape: [32])
        p3 = try f.tensor("prelu3.weight", shape: [32])
        c41w = try f.tensor("conv4_1.weight", shape: [2, 32, 1, 1]); c41b = try f.tensor("conv4_1.bias", shape: [2])
        c42w = try f.tensor("conv4_2.weight", shape: [4, 32, 1, 1]); c42b = try f.tensor("conv4_2.bias", shape: [4])
        k = PNetKernels([c1w, c1b, p1, c2w, c2b, p2, c3w, c3b, p3, c41w, c41b, c42w, c42b])
    }
    // Run strip by strip from the image's summed-area table: PNetStrips.swift.
}

/// PyTorch flattens R-Net's and O-Net's last feature map after `permute(0, 3, 2, 1)`:
/// the dense layer sees (w, h, c) order with c fastest.
func flattenWHC(_ x: Tensor) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    var out = [Float](repeating: 0, count: x.count)
    x.data.withUnsafeBufferPointer { src in
        for b in 0..<n { for cc in 0..<c { for hh in 0..<h { for ww in 0..<w {
            out[b * c * h * w + (ww * h + hh) * c + cc] = src[((b * c + cc) * h + hh) * w + ww]
        } } } }
    }
    return Tensor(shape: [n, c * h * w], data: out)
}

struct RNet: Sendable {
    let c1w, c1b, p1, c2w, c2b, p2, c3w, c3b, p3, d4w, d4b, p4, d51w, d51b, d52w, d52b: Tensor
    let convs: [ConvLayer]

    init(_ f: SafeTensors) throws {
        c1w = try f.tensor("conv1.weight", shape: [28, 3, 3, 3]); c1b = try f.tensor("conv1.bias", shape: [28])
        p1 = try f.tensor("prelu1.weight", shape: [28])
        c2w = try f.tensor("conv2.weight", shape: [48, 28, 3, 3]); c2b = try f.tensor("conv2.bias", shape: [48])
        p2 = try f.tensor("prelu2.weight", shape: [48])
        c3w = try f.tensor("conv3.weight", shape: [64, 48, 2, 2]); c3b = try f.tensor("conv3.bias", shape: [64])
        p3 = try f.tensor("prelu3.weight", shape: [64])
        d4w = try f.tensor("dense4.weight", shape: [128, 576]); d4b = try f.tensor("dense4.bias", shape: [128])
        p4 = try f.tensor("prelu4.weight", shape: [128])
        d51w = try f.tensor("dense5_1.weight", shape: [2, 128]); d51b = try f.tensor("dense5_1.bias", shape: [2])
        d52w = try f.tensor("dense5_2.weight", shape: [4, 128]); d52b = try f.tensor("dense5_2.bias", shape: [4])
        convs = [ConvLayer(c1w, c1b, p1, pool: (3, 2)), ConvLayer(c2w, c2b, p2, pool: (3, 2)), ConvLayer(c3w, c3b, p3)]
    }

    /// x: [n, 3, 24, 24] → (regression [n,4], probability [n,2])
    func callAsFunction(_ x: Tensor, scratch: Scratch) -> (Tensor, Tensor) { dense(features(x, scratch: scratch)) }

    /// The convolutional part, flattened: per image, so it can run in chunks.
    func features(_ x: Tensor, scratch: Scratch) -> Tensor { flattenWHC(runLayers(convs, x, scratch: scratch)) }

    /// The dense part, on the whole batch at once (one sgemm call per layer: splitting the
    /// batch would change how OpenBLAS blocks it, and so the last bits of some outputs).
    func dense(_ f: Tensor) -> (Tensor, Tensor) {
        let d = Ops.prelu(Ops.linear(f, d4w, d4b), p4)
        return (Ops.linear(d, d52w, d52b), Ops.softmax(Ops.linear(d, d51w, d51b), dim: 1))
    }
}

struct ONet: Sendable {
    let c1w, c1b, p1, c2w, c2b, p2, c3w, c3b, p3, c4w, c4b, p4, d5w, d5b, p5: Tensor
    let d61w, d61b, d62w, d62b, d63w, d63b: Tensor
    let convs: [ConvLayer]

    init(_ f: SafeTensors) throws {
        c1w = try f.tensor("conv1.weight", shape: [32, 3, 3, 3]); c1b = try f.tensor("conv1.bias", shape: [32])
        p1 = try f.tensor("prelu1.weight", shape: [32])
        c2w = try f.tensor("conv2.weight", shape: [64, 32, 3, 3]); c2b = try f.tensor("conv2.bias", shape: [64])
        p2 = try f.tensor("prelu2.weight", shape: [64])
        c3w = try f.tensor("conv3.weight", shape: [64, 64, 3, 3]); c3b = try f.tensor("conv3.bias", shape: [64])
        p3 = try f.tensor("prelu3.weight", shape: [64])
        c4w = try f.tensor("conv4.weight", shape: [128, 64, 2, 2]); c4b = try f.tensor("conv4.bias", shape: [128])
        p4 = try f.tensor("prelu4.weight", shape: [128])
        d5w = try f.tensor("dense5.weight", shape: [256, 1152]); d5b = try f.tensor("dense5.bias", shape: [256])
        p5 = try f.tensor("prelu5.weight", shape: [256])
        d61w = try f.tensor("dense6_1.weight", shape: [2, 256]); d61b = try f.tensor("dense6_1.bias", shape: [2])
        d62w = try f.tensor("dense6_2.weight", shape: [4, 256]); d62b = try f.tensor("dense6_2.bias", shape: [4])
        d63w = try f.tensor("dense6_3.weight", shape: [10, 256]); d63b = try f.tensor("dense6_3.bias", shape: [10])
        convs = [ConvLayer(c1w, c1b, p1, pool: (3, 2)), ConvLayer(c2w, c2b, p2, pool: (3, 2)),
                 ConvLayer(c3w, c3b, p3, pool: (2, 2)), ConvLayer(c4w, c4b, p4)]
    }

    /// x: [n, 3, 48, 48] → (regression [n,4], landmarks [n,10], probability [n,2])
    func callAsFunction(_ x: Tensor, scratch: Scratch) -> (Tensor, Tensor, Tensor) { dense(features(x, scratch: scratch)) }

    /// As `RNet.features`.
    func features(_ x: Tensor, scratch: Scratch) -> Tensor { flattenWHC(runLayers(convs, x, scratch: scratch)) }

    /// As `RNet.dense`.
    func dense(_ f: Tensor) -> (Tensor, Tensor, Tensor) {
        let d = Ops.prelu(Ops.linear(f, d5w, d5b), p5)
        return (Ops.linear(d, d62w, d62b), Ops.linear(d, d63w, d63b), Ops.softmax(Ops.linear(d, d61w, d61b), dim: 1))
    }
}
