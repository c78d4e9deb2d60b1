/// A candidate face box in image pixels, its score, and the regression offsets the
/// network predicted for it.
struct Box {
    var x1, y1, x2, y2, score: Float
    var reg: (Float, Float, Float, Float) = (0, 0, 0, 0)
}

enum BoxOps {
    /// Non-maximum suppression as torchvision's `nms`: best score first, IoU with areas
    /// (x2−x1)·(y2−y1) (no +1), a box is dropped when its IoU with a kept one exceeds
    /// `threshold`. Returns kept boxes, best first.
    static func nms(_ boxes: [Box], _ threshold: Float) -> [Box] {
        let order = boxes.indices.sorted { boxes[$0].score > boxes[$1].score }
        var suppressed = [Bool](repeating: false, count: boxes.count)
        var keep: [Box] = []
        for (k, i) in order.enumerated() where !suppressed[i] {
            let a = boxes[i]
            keep.append(a)
            let areaA = (a.x2 - a.x1) * (a.y2 - a.y1)
            for j in order[(k + 1)...] where !suppressed[j] {
                let b = boxes[j]
                let w = max(0, min(a.x2, b.x2) - max(a.x1, b.x1)), h = max(0, min(a.y2, b.y2) - max(a.y1, b.y1))
                let inter = w * h
                let iou = inter / (areaA + (b.x2 - b.x1) * (b.y2 - b.y1) - inter)
                if iou > threshold { suppressed[j] = true }
            }
        }
        return keep
    }

    /// The final "Min" suppression of facenet-pytorch (its numpy NMS): areas with +1,
    /// overlap = intersection / smaller area, a box survives when overlap ≤ threshold.
    /// Returns kept indices, best first.
    static func nmsMin(_ boxes: [Box], _ threshold: Float) -> [Int] {
        var order = boxes.indices.sorted { boxes[$0].score < boxes[$1].score }   // ascending; take from the end
        var keep: [Int] = []
        while let i = order.last {
            keep.append(i)
            order.removeLast()
            let a = boxes[i]
            let areaA = (a.x2 - a.x1 + 1) * (a.y2 - a.y1 + 1)
            order = order.filter { j in
                let b = boxes[j]
                let w = max(0, min(a.x2, b.x2) - max(a.x1, b.x1) + 1), h = max(0, min(a.y2, b.y2) - max(a.y1, b.y1) + 1)
                let areaB = (b.x2 - b.x1 + 1) * (b.y2 - b.y1 + 1)
                return w * h / min(areaA, areaB) <= threshold
            }
        }
        return keep
    }

    /// Refines a box with its regression, widths with +1 (`bbreg`).
    static func regress(_ b: Box) -> Box {
        var o = b
        let w = b.x2 - b.x1 + 1, h = b.y2 - b.y1 + 1
        o.x1 = b.x1 + b.reg.0 * w; o.y1 = b.y1 + b.reg.1 * h
        o.x2 = b.x2 + b.reg.2 * w; o.y2 = b.y2 + b.reg.3 * h
        return o
    }

    /// Squares a box around its centre on its longer side (`rerec`).
    static func square(_ b: Box) -> Box {
        var o = b
        let w = b.x2 - b.x1, h = b.y2 - b.y1
        let l = max(w, h)
        o.x1 = b.x1 + w * 0.5 - l * 0.5
        o.y1 = b.y1 + h * 0.5 - l * 0.5
        o.x2 = o.x1 + l
        o.y2 = o.y1 + l
        return o
    }

    /// The pixel rows and columns a box covers, truncated to integers and clipped to the
    /// image, as 0-based half-open ranges (the reference's 1-based `pad` then `[y-1:ey]`).
    static func cropRange(_ b: Box, width: Int, height: Int) -> (y: Range<Int>, x: Range<Int>)? {
        let x = max(1, Int(b.x1.rounded(.towardZero))), y = max(1, Int(b.y1.rounded(.towardZero)))
        let ex = min(width, Int(b.x2.rounded(.towardZero))), ey = min(height, Int(b.y2.rounded(.towardZero)))
        guard ey > y - 1, ex > x - 1 else { return nil }
        return ((y - 1)..<ey, (x - 1)..<ex)
    }
}
