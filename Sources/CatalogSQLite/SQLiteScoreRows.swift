import CurateCore
import Foundation
import GRDB

/// The columns a face's placement is decided from, decoded from any row that selects them
/// (`split`, `excluded`, `split_label` from face_splits, `review_action`, `review_label` from
/// face_reviews, and `reviewer` and `rejected` when selected). The rule itself lives in the model.
struct PlacementColumns: Decodable, FetchableRecord {
    var split: SplitName?
    var excluded: Exclusion?
    var splitLabel: String?
    var reviewAction: String?
    var reviewLabel: String?
    var reviewer: String?
    var rejected: String?

    enum CodingKeys: String, CodingKey {
        case split, excluded, splitLabel = "split_label", reviewAction = "review_action", reviewLabel = "review_label", reviewer
        case rejected
    }

    /// The decision standing for the face, if any (an action this build does not know is none).
    var review: FaceReview? {
        reviewAction.flatMap(ReviewAction.init(rawValue:)).map { FaceReview(action: $0, label: reviewLabel, reviewer: reviewer ?? "") }
    }

    func placement(sources: [String]) -> FacePlacement {
        let stored = FacePlacement.Stored(split: split, label: splitLabel, excluded: excluded)
        return FacePlacement.resolve(review: review, stored: stored, sources: sources,
                                     gate: rejected.flatMap(FaceRejection.init(rawValue:)))
    }
}

/// One `face_scores` row; GRDB decodes the probabilities and candidates from their JSON columns.
struct FaceScoreRow: Decodable, FetchableRecord {
    var faceID: Int64
    var probs: [String: Float]
    var label: String?
    var candidates: [String]?
    var predicted: String
    var selfConfidence: Double
    var margin: Double
    var flagged: Bool

    enum CodingKeys: String, CodingKey {
        case faceID = "face_id", probs, label, candidates, predicted, selfConfidence = "self_confidence", margin, flagged
    }

    var score: FaceScore {
        FaceScore(faceID: faceID, probs: probs, label: label, candidates: candidates, predicted: predicted,
                  selfConfidence: Float(selfConfidence), margin: Float(margin), flagged: flagged)
    }
}

/// What scoring one face needs: its crop, its photo, landmarks and box (for crops made at score time).
struct ScoreInputRow: Decodable, FetchableRecord {
    var id: Int64
    var cropPath: String
    var landmarks: [[Float]]
    var path: String
    var x1, y1, x2, y2: Double

    enum CodingKeys: String, CodingKey { case id, cropPath = "crop_path", landmarks, path, x1, y1, x2, y2 }

    var input: FaceToScore {
        FaceToScore(faceID: id, crop: cropPath, imagePath: path, landmarks: landmarks, box: [x1, y1, x2, y2].map { Float($0) })
    }
}

/// One `label_history` row.
struct HistoryRow: Decodable, FetchableRecord {
    var id: Int64
    var faceID: Int64
    var action: String
    var oldLabel: String?
    var newLabel: String?
    var undoes: Int64?
    var reviewer: String
    var at: Date

    enum CodingKeys: String, CodingKey {
        case id, faceID = "face_id", action, oldLabel = "old_label", newLabel = "new_label", undoes, reviewer, at
    }

    func entry() throws -> ReviewEntry {
        guard let action = ReviewAction(rawValue: action) else { throw CurateError("unknown review action '\(action)' in the label history") }
        return ReviewEntry(id: id, faceID: faceID, action: action, oldLabel: oldLabel, newLabel: newLabel,
                           undoes: undoes, reviewer: reviewer, at: at)
    }
}

/// A review-queue card's columns beyond the score's and the placement's (`queueColumns`).
struct ReviewCardRow: Decodable, FetchableRecord {
    var imageSHA256: String
    var cropPath: String
    var path: String
    var width: Int
    var height: Int
    var x1, y1, x2, y2: Double
    var url: String?

    enum CodingKeys: String, CodingKey {
        case imageSHA256 = "image_sha256", cropPath = "crop_path", path, width, height, x1, y1, x2, y2, url
    }
}
