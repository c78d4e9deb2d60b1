import CurateCore
import Foundation

/// The columns a face's placement is decided from, decoded from any row that selects them
/// (`split`, `excluded`, `split_label` from face_splits, `review_action`, `review_label` from
/// face_reviews, and `reviewer` and `rejected` when selected). The rule itself lives in the model.
public struct PlacementColumns: Decodable {
    public var split: SplitName?
    public var excluded: Exclusion?
    public var splitLabel: String?
    public var reviewAction: String?
    public var reviewLabel: String?
    public var reviewer: String?
    public var rejected: String?

    public enum CodingKeys: String, CodingKey {
        case split, excluded, splitLabel = "split_label", reviewAction = "review_action", reviewLabel = "review_label", reviewer
        case rejected
    }

    /// The decision standing for the face, if any (an action this build does not know is none).
    public var review: FaceReview? {
        reviewAction.flatMap(ReviewAction.init(rawValue:)).map { FaceReview(action: $0, label: reviewLabel, reviewer: reviewer ?? "") }
    }

    public func placement(sources: [String]) -> FacePlacement {
        let stored = FacePlacement.Stored(split: split, label: splitLabel, excluded: excluded)
        return FacePlacement.resolve(review: review, stored: stored, sources: sources,
                                     gate: rejected.flatMap(FaceRejection.init(rawValue:)))
    }
}

/// One `face_scores` row; a backend decodes the probabilities and candidates from their JSON columns.
public struct FaceScoreRow: Decodable {
    public var faceID: Int64
    public var probs: [String: Float]
    public var label: String?
    public var candidates: [String]?
    public var predicted: String
    public var selfConfidence: Double
    public var margin: Double
    public var flagged: Bool

    public enum CodingKeys: String, CodingKey {
        case faceID = "face_id", probs, label, candidates, predicted, selfConfidence = "self_confidence", margin, flagged
    }

    public var score: FaceScore {
        FaceScore(faceID: faceID, probs: probs, label: label, candidates: candidates, predicted: predicted,
                  selfConfidence: Float(selfConfidence), margin: Float(margin), flagged: flagged)
    }
}

/// What scoring one face needs: its crop, its photo, landmarks and box (for crops made at score time).
public struct ScoreInputRow: Decodable {
    public var id: Int64
    public var cropPath: String
    public var landmarks: [[Float]]
    public var path: String
    public var x1, y1, x2, y2: Double

    public enum CodingKeys: String, CodingKey { case id, cropPath = "crop_path", landmarks, path, x1, y1, x2, y2 }

    public var input: FaceToScore {
        FaceToScore(faceID: id, crop: cropPath, imagePath: path, landmarks: landmarks, box: [x1, y1, x2, y2].map { Float($0) })
    }
}

/// One `label_history` row.
public struct HistoryRow: Decodable {
    public var id: Int64
    public var faceID: Int64
    public var action: String
    public var oldLabel: String?
    public var newLabel: String?
    public var undoes: Int64?
    public var reviewer: String
    public var at: Date

    public enum CodingKeys: String, CodingKey {
        case id, faceID = "face_id", action, oldLabel = "old_label", newLabel = "new_label", undoes, reviewer, at
    }

    public func entry() throws -> ReviewEntry {
        guard let action = ReviewAction(rawValue: action) else { throw CurateError("unknown review action '\(action)' in the label history") }
        return ReviewEntry(id: id, faceID: faceID, action: action, oldLabel: oldLabel, newLabel: newLabel,
                           undoes: undoes, reviewer: reviewer, at: at)
    }
}

/// A review-queue card's columns beyond the score's and the placement's (`queueColumns`).
public struct ReviewCardRow: Decodable {
    public var imageSHA256: String
    public var cropPath: String
    public var path: String
    public var width: Int
    public var height: Int
    public var x1, y1, x2, y2: Double
    public var url: String?

    public enum CodingKeys: String, CodingKey {
        case imageSHA256 = "image_sha256", cropPath = "crop_path", path, width, height, x1, y1, x2, y2, url
    }
}

/// One row of `scoringRows`' query (a face's stored outputs and what places it), decoded once
/// for both backends; `PlacementColumns` is decoded from the same row.
public struct ScoringColumns: Decodable {
    public var id: Int64
    public var imageSHA256: String
    public var groupKey: String?
    public var probs: Data
    public var features: Data
    public var clusterLabels: String?
    public var reviewAction: String?

    public enum CodingKeys: String, CodingKey {
        case id, imageSHA256 = "image_sha256", groupKey = "group_key", probs, features, clusterLabels = "cluster_labels"
        case reviewAction = "review_action"
    }

    /// `labels`: each image's URLs' distinct labels (a conflicting cluster's own labels win).
    public func row(placement columns: PlacementColumns, labels: [String: [String]]) -> ScoringRow {
        let placed = columns.placement(sources: labels[imageSHA256] ?? [])
        return ScoringRow(faceID: id, label: placed.label, split: placed.split, group: groupKey, excluded: placed.excluded,
                          probs: floats(probs), features: floats(features),
                          sources: clusterLabels.map { $0.split(separator: ",").map(String.init) } ?? labels[imageSHA256] ?? [],
                          reviewed: reviewAction != nil)
    }
}
