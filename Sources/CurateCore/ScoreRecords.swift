import CatalogModel
import Foundation

/// A face whose crop the classifier has not yet seen under the current model.
public struct FaceToScore: Sendable, Equatable {
    public var faceID: Int64
    public var crop: String
    /// The source photo, the face's landmarks and box, for inputs cut from the photo itself.
    public var imagePath: String
    public var landmarks: [[Float]]
    /// The detector's box (x1, y1, x2, y2) in the photo.
    public var box: [Float]
    public init(faceID: Int64, crop: String, imagePath: String = "", landmarks: [[Float]] = [], box: [Float] = []) {
        self.faceID = faceID; self.crop = crop; self.imagePath = imagePath; self.landmarks = landmarks; self.box = box
    }
}

/// A model's output for one face: class probabilities (the model's own classes) and the
/// pooled activations before its head (features for `curate train`).
public struct FaceProbs: Sendable, Equatable {
    public var faceID: Int64
    public var probs: [Float]
    public var features: [Float]
    public init(faceID: Int64, probs: [Float], features: [Float] = []) {
        self.faceID = faceID; self.probs = probs; self.features = features
    }
}

/// A face as ranking needs it: its current label (nil when it has none usable) and the
/// stored output of one model.
public struct ScoringRow: Sendable, Equatable {
    public var faceID: Int64
    public var label: String?
    public var split: SplitName?
    public var group: String?
    /// Why `curate split` left it out, if it did.
    public var excluded: Exclusion?
    public var probs: [Float]
    public var features: [Float]
    /// The distinct labels its sources gave: its image's URLs', or its cluster's when the
    /// cluster's members disagree (more than one: a label conflict).
    public var sources: [String]
    /// A reviewer has decided on it (relabel, accept or reject).
    public var reviewed: Bool
    public init(faceID: Int64, label: String?, split: SplitName?, group: String?, excluded: Exclusion?, probs: [Float], features: [Float],
                sources: [String] = [], reviewed: Bool = false) {
        self.faceID = faceID; self.label = label; self.split = split; self.group = group
        self.excluded = excluded; self.probs = probs; self.features = features; self.sources = sources; self.reviewed = reviewed
    }

    /// Its sources disagree and no reviewer has decided on it yet.
    public var unsettledConflict: Bool { sources.count > 1 && !reviewed && (excluded == nil || excluded == .labelConflict) }
}

/// The mislabel scores of one face (cleanlab's definitions) under the ranking model.
public struct FaceScore: Sendable, Equatable {
    public var faceID: Int64
    /// Pipeline label -> probability, renormalised over the labels the model can score.
    public var probs: [String: Float]
    /// The label scored against; nil for a label conflict (see `candidates`).
    public var label: String?
    /// For a label conflict: the labels its sources gave. Scores then measure the best of them.
    public var candidates: [String]?
    public var predicted: String
    /// P(given label).
    public var selfConfidence: Float
    /// cleanlab's normalized margin: (P(given) − max P(other) + 1) / 2; low is suspicious.
    public var margin: Float
    /// Confident learning: another class clears its per-class threshold and beats the given label.
    public var flagged: Bool
    public init(faceID: Int64, probs: [String: Float], label: String?, candidates: [String]? = nil, predicted: String,
                selfConfidence: Float, margin: Float, flagged: Bool) {
        self.faceID = faceID; self.probs = probs; self.label = label; self.candidates = candidates; self.predicted = predicted
        self.selfConfidence = selfConfidence; self.margin = margin; self.flagged = flagged
    }
}
