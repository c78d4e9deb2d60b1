import CurateCore
import Faces
import Foundation
import Imaging
import Inference

/// The first three stages of dlib's face-recognition ResNet (`dlib_face_recognition_resnet_model_v1`,
/// from face_recognition_models 0.3.0, converted by scripts/convert_dlib_resnet.py with each
/// affine layer folded into its convolution): 21 convolutions up to "level 2", 128 channels at
/// 8×8, average-pooled to a 2×2 grid: 512 frozen mid-level features per face. The network's own
/// 128-d descriptor is trained to ignore expression; this earlier map still sees it.
///
/// Input: a 150×150 RGB chip (eyes and nose warped onto dlib's chip template), each channel
/// (p − mean) / 256 as dlib's `input_rgb_image_sized<150>`. Layers as dlib defines them: strided
/// convolutions are "valid", stride-1 3×3 ones padded by 1; 3×3/2 max pool without padding; a
/// down-sampling block adds a 2×2/2 average pool of its input, with missing channels as zeros.
public struct FaceResNet: Sendable {
    public static let file = "face-resnet-level2.safetensors"
    public static let chipSize = 150
    static let mean: [Float] = [122.782, 117.001, 104.298]
    /// dlib's 150×150 chip positions of the left eye, right eye and nose tip (as seen in the photo).
    public static let chipTemplate: [(Double, Double)] = [(47.3, 46.5), (100.3, 46.3), (73.1, 75.6)]
    /// Pooled grid side: 2 → 2×2×128 = 512 features.
    public static let grid = 2

    struct Conv: Sendable { var weight: Tensor; var bias: Tensor; var stride: Int; var padding: Int }
    let stem: Conv
    /// Residual blocks in order: (first conv, second conv, down-sampling).
    let blocks: [(Conv, Conv, Bool)]
    /// sha256 of the source .dat (from the file's metadata), naming this model's stored outputs.
    public let sourceDigest: String

    public init(contentsOf url: URL) throws {
        let st: SafeTensors
        do { st = try SafeTensors(contentsOf: url) } catch {
            throw CurateError("cannot load the face ResNet \(url.path): \(error) (run scripts/models.sh)")
        }
        sourceDigest = st.metadata["source_sha256"] ?? "unknown"
        func conv(_ i: Int, stride: Int) throws -> Conv {
            let name = String(format: "conv%02d", i)
            let w = try st.tensor(name + ".weight")
            return Conv(weight: w, bias: try st.tensor(name + ".bias"), stride: stride, padding: stride == 1 ? w.shape[2] / 2 : 0)
        }
        stem = try conv(0, stride: 2)
        // level 4: 3 blocks of 32; level 3: a down block and 3 of 64; level 2: a down block and 2 of 128.
        let plan: [Bool] = [false, false, false, true, false, false, false, true, false, false]
        var blocks: [(Conv, Conv, Bool)] = []
        for (b, down) in plan.enumerated() {
            blocks.append((try conv(1 + 2 * b, stride: down ? 2 : 1), try conv(2 + 2 * b, stride: 1), down))
        }
        self.blocks = blocks
        guard stem.weight.shape == [32, 3, 7, 7], blocks.last!.1.weight.shape[0] == 128 else {
            throw CurateError("face ResNet \(url.path): unexpected shapes (stem \(stem.weight.shape)); run scripts/models.sh again")
        }
    }

    /// The level-2 map [n, 128, 8, 8] of chips given as input values [n, 3, 150, 150].
    public func levelTwo(_ input: Tensor) -> Tensor {
        var x = Ops.conv2d(input, stem.weight, stem.bias, stride: 2)
        Ops.reluInPlace(&x)
        x = Ops.maxPool2d(x, kernel: 3, stride: 2)
        for (a, b, down) in blocks {
            var y = Ops.conv2d(x, a.weight, a.bias, stride: a.stride, padding: a.padding)
            Ops.reluInPlace(&y)
            y = Ops.conv2d(y, b.weight, b.bias, stride: b.stride, padding: b.padding)
            Ops.addChannelsInPlace(&y, down ? Ops.averagePool2d(x, kernel: 2) : x)
            Ops.reluInPlace(&y)
            x = y
        }
        return x
    }

    /// 512 features per chip: the level-2 map averaged over a 2×2 grid (channel-major).
    public func features(_ input: Tensor) -> [[Float]] {
        let m = levelTwo(input)
        let (n, c, h, w) = (m.shape[0], m.shape[1], m.shape[2], m.shape[3])
        let g = Self.grid, ch = h / g, cw = w / g
        return (0..<n).map { b in
            var out = [Float](repeating: 0, count: c * g * g)
            for k in 0..<c {
                for gy in 0..<g {
                    for gx in 0..<g {
                        var s: Float = 0
                        for y in (gy * ch)..<(gy * ch + ch) { for x in (gx * cw)..<(gx * cw + cw) { s += m.data[((b * c + k) * h + y) * w + x] } }
                        out[(k * g + gy) * g + gx] = s / Float(ch * cw)
                    }
                }
            }
            return out
        }
    }

    /// A face's chip: the photo (RGB) warped so its eyes and nose land on dlib's template.
    public static func chipImage(_ photo: PixelImage, landmarks: [[Float]]) -> PixelImage {
        let rgb = photo.channels == 3 ? photo : photo.rgb()
        return FaceCrop.warp(rgb, from: landmarks.prefix(3).map { (Double($0[0]), Double($0[1])) }, to: chipTemplate, size: chipSize)
    }

    /// 512 features for each 150×150 chip (`chipImage`), in one forward pass.
    public func features(chips: [PixelImage]) -> [[Float]] {
        features(Tensor(shape: [chips.count, 3, Self.chipSize, Self.chipSize], data: chips.flatMap(Self.inputValues)))
    }

    /// A chip as the network's input values [3, 150, 150]: per channel (p − mean) / 256.
    public static func inputValues(_ chip: PixelImage) -> [Float] {
        let plane = chip.width * chip.height
        var out = [Float](repeating: 0, count: 3 * plane)
        for c in 0..<3 {
            let m = mean[c]
            for i in 0..<plane {
                let p = Float(chip.pixels[i * 3 + c])
                out[c * plane + i] = (p - m) / 256
            }
        }
        return out
    }
}
