import Foundation

/// How a face becomes the classifier's 64×64 grayscale input: which pixels around it, how they
/// shrink, how gray is made, and whether its mirror image is averaged in. `curate train --select`
/// measures candidates by grouped cross-validation; the pipeline's `score:` section names one.
public struct InputRecipe: Hashable, Sendable, CustomStringConvertible {
    /// Which pixels around the face.
    public enum Crop: String, Decodable, Sendable, CaseIterable {
        /// The crop `curate faces` stored (its `faces.crop`, 160×160).
        case stored
        /// Re-aligned from the photo: the 5 landmarks onto the ArcFace template, shrunk by `zoom`.
        case aligned
        /// facenet-pytorch's `extract_face`: the detector's box grown by `margin`/(160 − `margin`)
        /// of its size, clipped to the photo (no black borders; 20 is facenet's default).
        case margin
        /// The detector's box made square on its longer side and grown 1.5×: hair, chin and
        /// jaw around the face, black beyond the photo.
        case context
        /// The whole photo (the naive baseline the bench prints; meaningless for group photos).
        case photo
    }

    /// How gray is made before shrinking.
    public enum Gray: String, Decodable, Sendable, CaseIterable {
        /// ITU-R 601 luma (Pillow's `convert("L")`, OpenCV's BGR2GRAY, what fer feeds the model).
        case luma
        /// Luma, then histogram equalisation over the crop (OpenCV's `equalizeHist`).
        case equalized
    }

    /// How a crop shrinks to 64×64: `bilinear` as fer does (OpenCV's default), or `area` (each
    /// output pixel averages the input pixels it covers; no aliasing).
    public enum Resize: String, Decodable, Sendable, CaseIterable { case bilinear, area }

    public var crop: Crop
    /// For `aligned`: below 1 frames more of the head, above 1 less.
    public var zoom: Double
    /// For `margin`: output pixels of margin at 160 (facenet-pytorch's convention).
    public var margin: Int
    public var resize: Resize
    public var gray: Gray
    /// Test-time augmentation: the network's outputs for the face and its mirror, averaged.
    public var flip: Bool

    public init(crop: Crop = .stored, zoom: Double = 1, margin: Int = 20, resize: Resize = .area, gray: Gray = .luma, flip: Bool = false) {
        self.crop = crop; self.zoom = zoom; self.margin = margin; self.resize = resize; self.gray = gray; self.flip = flip
    }

    /// The stored-output key suffix: outputs differ with every part of the recipe. The forms
    /// written before recipes had parts of their own (`area`, `area:zoom0.8`) are kept, so
    /// stored outputs stay valid.
    public var key: String {
        var k = resize.rawValue
        switch crop {
        case .stored: break
        case .aligned: k += ":zoom\(zoom)"
        case .margin: k += ":margin\(margin)"
        case .context, .photo: k += ":" + crop.rawValue
        }
        if gray == .equalized { k += ":eq" }
        if flip { k += ":flip" }
        return k
    }

    public var description: String {
        let framing = crop == .aligned ? "aligned zoom \(zoom)" : crop == .margin ? "margin \(margin)" : crop.rawValue
        var parts = [framing, resize.rawValue, gray.rawValue]
        if flip { parts.append("flip") }
        return parts.joined(separator: " ")
    }

    /// The pipeline's `score:` lines that select this recipe.
    public var settingLines: [String] {
        ["crop: \(crop.rawValue)"] + (crop == .aligned ? ["zoom: \(zoom)"] : []) + (crop == .margin ? ["margin: \(margin)"] : [])
            + ["resize: \(resize.rawValue)", "gray: \(gray.rawValue)", "flip: \(flip)"]
    }

    /// The candidates `curate train --select` measures: every crop meant for faces in photos in
    /// general (not `photo`), each resize, gray conversion, with and without the mirror.
    public static var candidates: [InputRecipe] {
        var out: [InputRecipe] = []
        let crops: [(Crop, Double, Int)] = [(.aligned, 1, 20), (.aligned, 0.85, 20), (.margin, 1, 20), (.margin, 1, 40), (.margin, 1, 80),
                                            (.context, 1, 20)]
        for (crop, zoom, margin) in crops {
            for resize in Resize.allCases {
                for gray in Gray.allCases {
                    for flip in [false, true] {
                        out.append(InputRecipe(crop: crop, zoom: zoom, margin: margin, resize: resize, gray: gray, flip: flip))
                    }
                }
            }
        }
        return out
    }
}
