import Imaging

/// The seed app's picture: each face boxed in red with its label probabilities written under it,
/// text scaled to the photo.
public enum Annotation {
    public struct Rect: Sendable, Equatable, Codable {
        public var x0, y0, x1, y1: Int
        public func contains(_ x: Int, _ y: Int) -> Bool { x >= x0 && x < x1 && y >= y0 && y < y1 }
    }

    /// Where one face's marks go: its box outline and its text block.
    public struct Layout: Sendable, Equatable {
        public var box: Rect
        public var thickness: Int
        public var block: Rect
        public var lines: [String]
        public var scale: Int
    }

    static let red: [UInt8] = [230, 30, 30], black: [UInt8] = [0, 0, 0], white: [UInt8] = [255, 255, 255]

    /// One font pixel per 250 image pixels of the shorter side, but no wider than the face's box
    /// allows (about 8 characters across it), so the labels of small faces in a group photo stay
    /// apart; at least 1.
    public static func scale(width: Int, height: Int, boxWidth: Float) -> Int {
        let byImage = Int((Double(min(width, height)) / 250).rounded())
        let byFace = Int((Double(boxWidth) / 45).rounded())
        return max(1, min(byImage, byFace))
    }

    /// Probabilities, likeliest first, e.g. "happy 0.97"; first, why the quality gate would leave
    /// the face out, if it would.
    public static func lines(_ p: FacePrediction) -> [String] {
        (p.rejected.map { ["gate: \($0.rawValue)"] } ?? [])
            + p.probs.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \(String(format: "%.2f", $0.value))" }
    }

    public static func layout(_ p: FacePrediction, width: Int, height: Int) -> Layout {
        let s = scale(width: width, height: height, boxWidth: p.box[2] - p.box[0]), t = max(2, s)
        let box = Rect(x0: Int(p.box[0].rounded()), y0: Int(p.box[1].rounded()), x1: Int(p.box[2].rounded()), y1: Int(p.box[3].rounded()))
        let text = lines(p)
        let (tw, th) = BitmapFont.size(text, scale: s)
        let pad = 2 * s, bw = tw + 2 * pad, bh = th + 2 * pad
        let x = min(max(0, box.x0), max(0, width - bw))
        // Under the box; above it when there is no room; else inside its top.
        let y = box.y1 + bh <= height ? max(0, box.y1) : box.y0 - bh >= 0 ? box.y0 - bh : max(0, box.y0)
        return Layout(box: box, thickness: t, block: Rect(x0: x, y0: y, x1: x + bw, y1: y + bh), lines: text, scale: s)
    }

    /// A copy of `image` with every face's box and probabilities drawn.
    public static func draw(_ image: PixelImage, _ predictions: [FacePrediction]) -> PixelImage {
        var out = image.rgb()
        let layouts = predictions.map { layout($0, width: image.width, height: image.height) }
        for l in layouts {
            out.strokeRect(x0: l.box.x0, y0: l.box.y0, x1: l.box.x1, y1: l.box.y1, thickness: l.thickness, color: red)
        }
        // Text after every box, so no box is drawn over another face's probabilities.
        for l in layouts {
            out.fill(x0: l.block.x0, y0: l.block.y0, x1: l.block.x1, y1: l.block.y1, color: black)
            out.drawText(l.lines, x: l.block.x0 + 2 * l.scale, y: l.block.y0 + 2 * l.scale, scale: l.scale, color: white)
        }
        return out
    }
}
