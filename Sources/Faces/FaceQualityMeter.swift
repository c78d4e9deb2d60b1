import CurateCore
import Imaging

/// Measures what the quality gate judges (see `FaceQuality`): the box's size, then how much of
/// the face's centre is inside the photo, how sharp and how bright it is, on a gray crop
/// aligned to the ArcFace template at its own 112×112.
public enum FaceQualityMeter {
    static let side = 112
    /// The face's centre in the 112 template: its five points span x 38-74 and y 51-93; this
    /// adds about a third of that span around them, from the brows to the chin, so hair and
    /// background (whose edges say nothing of the face's focus) stay out.
    static let centreX = 26..<86, centreY = 34..<106

    /// `gray` is the upright photo as one channel (`PixelImage.luma()`).
    public static func measure(gray: PixelImage, box: [Float], landmarks: [[Float]]) -> FaceQuality {
        let size = Double(min(box[2] - box[0], box[3] - box[1]))
        let crop = FaceCrop.aligned(gray, landmarks: landmarks, size: side)
        let inPhoto = photoMask(landmarks: landmarks, width: gray.width, height: gray.height)
        let centre = centreY.reduce(0) { n, y in n + centreX.count { inPhoto[y * side + $0] } }
        let (sharpness, brightness) = laplacianVarianceAndMean(crop, inPhoto)
        return FaceQuality(size: size, inside: Double(centre) / Double(centreX.count * centreY.count),
                           sharpness: sharpness, brightness: brightness)
    }

    /// Which pixels of the 112 crop sample the photo (the rest are the crop's black fill).
    /// `inside` counts the centre's share of them, not the detector box's: MTCNN's box reaches
    /// above the brows and below the chin, so on photos cropped tightly to a face (the shared
    /// set: median 0.88 of the box inside, lowest 0.38, every face whole) it leaves the frame
    /// while the face does not.
    static func photoMask(landmarks: [[Float]], width: Int, height: Int) -> [Bool] {
        let t = FaceCrop.similarity(from: landmarks.map { (Double($0[0]), Double($0[1])) }, to: FaceCrop.arcface112)
        let det = t.a * t.a + t.b * t.b
        guard det > 0 else { return Array(repeating: false, count: side * side) }
        let (ia, ib) = (t.a / det, -t.b / det)
        var mask = Array(repeating: false, count: side * side)
        for y in 0..<side {
            for x in 0..<side {
                let (u, v) = (Double(x) - t.tx, Double(y) - t.ty)
                let sx = ia * u - ib * v, sy = ib * u + ia * v
                mask[y * side + x] = sx >= 0 && sy >= 0 && sx <= Double(width - 1) && sy <= Double(height - 1)
            }
        }
        return mask
    }

    /// Variance of the 4-neighbour Laplacian (OpenCV's `Laplacian(ksize=1)`, the usual focus
    /// measure) and the mean gray level over the centre's pixels that show the photo: the black
    /// fill past its edge would read as a sharp edge and as darkness.
    static func laplacianVarianceAndMean(_ crop: PixelImage, _ inPhoto: [Bool]) -> (Double, Double) {
        let w = crop.width
        var sum = 0.0, n = 0, sumL = 0.0, sumL2 = 0.0, nL = 0
        crop.pixels.withUnsafeBufferPointer { p in
            for y in centreY {
                for x in centreX {
                    let i = y * w + x
                    guard inPhoto[i] else { continue }
                    let v = Int(p[i])
                    sum += Double(v); n += 1
                    guard inPhoto[i - 1], inPhoto[i + 1], inPhoto[i - w], inPhoto[i + w] else { continue }
                    let lap = Int(p[i - 1]) + Int(p[i + 1]) + Int(p[i - w]) + Int(p[i + w]) - 4 * v
                    sumL += Double(lap); sumL2 += Double(lap * lap); nL += 1
                }
            }
        }
        guard n > 0 else { return (0, 0) }
        let meanL = nL > 0 ? sumL / Double(nL) : 0
        return (nL > 0 ? max(0, sumL2 / Double(nL) - meanL * meanL) : 0, sum / Double(n))
    }
}
