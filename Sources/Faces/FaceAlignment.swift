import Foundation
import Imaging

/// Cropping a detected face to a square image, two ways.
public enum FaceCrop {
    /// insightface's ArcFace 5-point template for 112×112 (eyes, nose, mouth corners),
    /// scaled here to the output size: the de-facto standard for aligned face crops.
    static let arcface112: [(Double, Double)] = [
        (38.2946, 51.6963), (73.5318, 51.5014), (56.0252, 71.7366), (41.5493, 92.3655), (70.7299, 92.2041),
    ]

    /// A similarity transform x' = s·R·x + t as (a, b, tx, ty): x' = a·x − b·y + tx, y' = b·x + a·y + ty.
    public struct Similarity: Equatable, Sendable {
        public var a, b, tx, ty: Double
        public func apply(_ p: (Double, Double)) -> (Double, Double) {
            (a * p.0 - b * p.1 + tx, b * p.0 + a * p.1 + ty)
        }
    }

    /// Least-squares similarity (Umeyama, no reflection) taking `src` points onto `dst`.
    public static func similarity(from src: [(Double, Double)], to dst: [(Double, Double)]) -> Similarity {
        let n = Double(src.count)
        let msx = src.map(\.0).reduce(0, +) / n, msy = src.map(\.1).reduce(0, +) / n
        let mdx = dst.map(\.0).reduce(0, +) / n, mdy = dst.map(\.1).reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0, varSrc = 0.0
        for (p, q) in zip(src, dst) {
            let (x, y) = (p.0 - msx, p.1 - msy), (u, v) = (q.0 - mdx, q.1 - mdy)
            sxx += x * u + y * v        // Σ ⟨p, q⟩
            sxy += x * v - y * u        // Σ p × q
            varSrc += x * x + y * y
        }
        // For 2-D similarity the optimal rotation angle is atan2(Σ cross, Σ dot) and the
        // scale is |(Σ dot, Σ cross)| / Σ|p|².
        let a = varSrc > 0 ? sxx / varSrc : 1, b = varSrc > 0 ? sxy / varSrc : 0
        return Similarity(a: a, b: b, tx: mdx - (a * msx - b * msy), ty: mdy - (b * msx + a * msy))
    }

    /// The face warped so its landmarks land on the ArcFace template scaled to `size`
    /// (bilinear sampling, black outside the photo). `zoom` below 1 shrinks the template about
    /// the centre, framing more of the head (e.g. for classifiers trained on looser crops).
    public static func aligned(_ image: PixelImage, landmarks: [[Float]], size: Int = 160, zoom: Double = 1) -> PixelImage {
        let scale = Double(size) / 112, c = Double(size) / 2
        let template = arcface112.map { (c + ($0.0 * scale - c) * zoom, c + ($0.1 * scale - c) * zoom) }
        return warp(image, from: landmarks.map { (Double($0[0]), Double($0[1])) }, to: template, size: size)
    }

    /// The photo warped by the least-squares similarity taking `from` (points in the photo) onto
    /// `to` (points in a size×size output): bilinear sampling, black outside the photo.
    public static func warp(_ image: PixelImage, from: [(Double, Double)], to: [(Double, Double)], size: Int) -> PixelImage {
        let t = similarity(from: from, to: to)
        // Inverse map each output pixel centre back into the photo.
        let det = t.a * t.a + t.b * t.b
        let (ia, ib) = (t.a / det, -t.b / det)
        let ch = image.channels
        var out = [UInt8](repeating: 0, count: size * size * ch)
        for y in 0..<size {
            for x in 0..<size {
                let (u, v) = (Double(x) - t.tx, Double(y) - t.ty)
                let sx = ia * u - ib * v, sy = ib * u + ia * v
                let x0 = Int(floor(sx)), y0 = Int(floor(sy))
                let fx = sx - Double(x0), fy = sy - Double(y0)
                for c in 0..<ch {
                    func px(_ xx: Int, _ yy: Int) -> Double {
                        guard xx >= 0, yy >= 0, xx < image.width, yy < image.height else { return 0 }
                        return Double(image.pixels[(yy * image.width + xx) * ch + c])
                    }
                    let v = (px(x0, y0) * (1 - fx) + px(x0 + 1, y0) * fx) * (1 - fy)
                        + (px(x0, y0 + 1) * (1 - fx) + px(x0 + 1, y0 + 1) * fx) * fy
                    out[(y * size + x) * ch + c] = UInt8(max(0, min(255, v.rounded())))
                }
            }
        }
        return PixelImage(width: size, height: size, channels: ch, pixels: out)
    }

    /// facenet-pytorch's `extract_face`: the box grown by `margin` output pixels, clipped to
    /// the photo, cut out and resized to size×size with Pillow's bilinear filter.
    public static func margin(_ image: PixelImage, box: [Float], margin: Int = 0, size: Int = 160) -> PixelImage {
        let mx = Double(margin) * Double(box[2] - box[0]) / Double(size - margin)
        let my = Double(margin) * Double(box[3] - box[1]) / Double(size - margin)
        let x0 = Int(max(Double(box[0]) - mx / 2, 0)), y0 = Int(max(Double(box[1]) - my / 2, 0))
        let x1 = Int(min(Double(box[2]) + mx / 2, Double(image.width)))
        let y1 = Int(min(Double(box[3]) + my / 2, Double(image.height)))
        let (w, h) = (max(1, x1 - x0), max(1, y1 - y0))
        let ch = image.channels
        var crop = [UInt8](repeating: 0, count: w * h * ch)
        for y in 0..<h where y0 + y < image.height {
            for x in 0..<w where x0 + x < image.width {
                for c in 0..<ch { crop[(y * w + x) * ch + c] = image.pixels[((y0 + y) * image.width + x0 + x) * ch + c] }
            }
        }
        return PixelImage(width: w, height: h, channels: ch, pixels: crop).resized(width: size, height: size, filter: .bilinear)
    }
}
