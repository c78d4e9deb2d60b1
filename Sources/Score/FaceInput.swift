import CurateCore
import Faces
import Foundation
import Imaging
import Inference

/// A face as the classifier sees it under an `InputRecipe`: 64×64 gray values scaled to
/// (p/255 − 0.5)·2. Pure functions of the pixels, shared by `score`, `train --select`,
/// `predict` and the "try an image" page so all see the same input.
public enum FaceInput {
    /// The face cut from its (gray) photo by the recipe's crop. `stored` is the crop `curate
    /// faces` makes with `faceSettings`, cut again.
    public static func crop(gray photo: PixelImage, box: [Float], landmarks: [[Float]], recipe: InputRecipe,
                            faceSettings: FaceSettings) -> PixelImage {
        switch recipe.crop {
        case .stored:
            return faceSettings.crop == .aligned
                ? FaceCrop.aligned(photo, landmarks: landmarks, size: faceSettings.size)
                : FaceCrop.margin(photo, box: box, margin: faceSettings.margin, size: faceSettings.size)
        case .aligned: return FaceCrop.aligned(photo, landmarks: landmarks, size: 160, zoom: recipe.zoom)
        case .margin: return FaceCrop.margin(photo, box: box, margin: recipe.margin, size: 160)
        case .context: return context(photo, box: box, grow: 1.5)
        case .photo: return photo
        }
    }

    /// The box made square on its longer side about its centre and grown by `grow`, cut out at
    /// the photo's resolution with black beyond its edges (no stretching: faces keep their shape).
    static func context(_ image: PixelImage, box: [Float], grow: Double) -> PixelImage {
        let cx = Double(box[0] + box[2]) / 2, cy = Double(box[1] + box[3]) / 2
        let side = max(1, Int((Double(max(box[2] - box[0], box[3] - box[1])) * grow).rounded()))
        let x0 = Int((cx - Double(side) / 2).rounded(.down)), y0 = Int((cy - Double(side) / 2).rounded(.down))
        let ch = image.channels
        var out = [UInt8](repeating: 0, count: side * side * ch)
        for y in 0..<side where (0..<image.height).contains(y0 + y) {
            for x in 0..<side where (0..<image.width).contains(x0 + x) {
                for c in 0..<ch { out[(y * side + x) * ch + c] = image.pixels[((y0 + y) * image.width + x0 + x) * ch + c] }
            }
        }
        return PixelImage(width: side, height: side, channels: ch, pixels: out)
    }

    /// A gray crop as the network's input values: equalised if the recipe says so, shrunk to
    /// 64×64, scaled.
    public static func values(gray crop: PixelImage, recipe: InputRecipe) -> [Float] {
        let side = MiniXception.inputSize
        let g = recipe.gray == .equalized ? equalized(crop) : crop
        let t = Tensor(shape: [1, 1, g.height, g.width], data: g.pixels.map(Float.init))
        let small = recipe.resize == .area ? Ops.resizeArea(t, height: side, width: side) : Ops.resizeBilinear(t, height: side, width: side)
        return small.data.map { ($0 / 255 - 0.5) * 2 }
    }

    /// OpenCV's `equalizeHist`: each level mapped through the cumulative histogram so levels
    /// spread over 0…255 (the lowest present level to 0).
    static func equalized(_ gray: PixelImage) -> PixelImage {
        var hist = [Int](repeating: 0, count: 256)
        for p in gray.pixels { hist[Int(p)] += 1 }
        let total = gray.pixels.count
        guard let first = hist.firstIndex(where: { $0 > 0 }), hist[first] < total else { return gray }
        let scale = 255 / Double(total - hist[first])
        var lut = [UInt8](repeating: 0, count: 256), sum = 0
        for i in (first + 1)..<256 {
            sum += hist[i]
            lut[i] = UInt8(max(0, min(255, (Double(sum) * scale).rounded())))
        }
        return PixelImage(width: gray.width, height: gray.height, channels: 1, pixels: gray.pixels.map { lut[Int($0)] })
    }

    /// A 64×64 input mirrored left to right.
    static func mirrored(_ x: ArraySlice<Float>) -> [Float] {
        let side = MiniXception.inputSize
        var out = [Float](repeating: 0, count: side * side)
        let base = x.startIndex
        for y in 0..<side { for i in 0..<side { out[y * side + i] = x[base + y * side + side - 1 - i] } }
        return out
    }
}

extension MiniXception {
    /// Probabilities and features of faces given as input values (n × 64 × 64), with the
    /// recipe's test-time mirror: outputs of the face and its mirror averaged.
    public func outputs(_ inputs: [Float], count n: Int, recipe: InputRecipe) -> (probs: [[Float]], features: [[Float]]) {
        let side = Self.inputSize, per = side * side
        var data = inputs
        if recipe.flip {
            for i in 0..<n { data += FaceInput.mirrored(inputs[(i * per)..<((i + 1) * per)]) }
        }
        let views = recipe.flip ? 2 : 1
        let (probs, features) = forward(Tensor(shape: [n * views, 1, side, side], data: data))
        let k = probs.shape[1], d = features.shape[1]
        func mean(_ t: Tensor, _ w: Int, _ i: Int) -> [Float] {
            var v = Array(t.data[(i * w)..<((i + 1) * w)])
            if views == 2 {
                let j = i + n
                for c in 0..<w { v[c] = (v[c] + t.data[j * w + c]) / 2 }
            }
            return v
        }
        return ((0..<n).map { mean(probs, k, $0) }, (0..<n).map { mean(features, d, $0) })
    }
}
