import CatalogModel
import Foundation

/// One row of the label history.
public struct ReviewEntry: Sendable, Equatable, Codable {
    public var id: Int64
    public var faceID: Int64
    public var action: ReviewAction
    public var oldLabel: String?
    public var newLabel: String?
    /// For undo: the entry it takes back.
    public var undoes: Int64?
    public var reviewer: String
    public var at: Date

    public init(id: Int64, faceID: Int64, action: ReviewAction, oldLabel: String? = nil, newLabel: String? = nil,
                undoes: Int64? = nil, reviewer: String, at: Date) {
        self.id = id
        self.faceID = faceID
        self.action = action
        self.oldLabel = oldLabel
        self.newLabel = newLabel
        self.undoes = undoes
        self.reviewer = reviewer
        self.at = at
    }
    enum CodingKeys: String, CodingKey {
        case id, faceID = "face_id", action, oldLabel = "old_label", newLabel = "new_label", undoes, reviewer, at
    }
}

/// Which faces the review queue lists, and where a page starts.
public struct ReviewQuery: Sendable, Equatable {
    /// Only faces whose current label is this.
    public var label: String?
    public var split: SplitName?
    /// Also faces already reviewed (by default they leave the queue).
    public var all: Bool
    public var rankBy: ScoreSettings.RankBy
    /// The page starts after this face in queue order (keyset paging: decisions made
    /// meanwhile do not shift later pages).
    public var after: Int64?
    public var limit: Int
    public init(label: String? = nil, split: SplitName? = nil, all: Bool = false, rankBy: ScoreSettings.RankBy = .selfConfidence,
                after: Int64? = nil, limit: Int = 50) {
        self.label = label; self.split = split; self.all = all; self.rankBy = rankBy; self.after = after; self.limit = limit
    }
}

/// One card of the review queue.
public struct ReviewItem: Sendable, Equatable, Codable {
    public var faceID: Int64
    public var imageSHA256: String
    public var crop: String
    public var imagePath: String
    public var imageWidth: Int
    public var imageHeight: Int
    public var box: [Float]
    public var url: String?
    /// The current label (after any review decision).
    public var label: String?
    /// The label the face was scored with (nil for a label conflict).
    public var scoredLabel: String?
    /// For a label conflict not yet settled: the labels its sources gave.
    public var candidates: [String]?
    public var predicted: String
    public var probs: [String: Float]
    public var selfConfidence: Float
    public var margin: Float
    public var flagged: Bool
    public var split: SplitName?
    public var review: FaceReview?

    public init(faceID: Int64, imageSHA256: String, crop: String, imagePath: String, imageWidth: Int,
                imageHeight: Int, box: [Float], url: String? = nil, label: String? = nil,
                scoredLabel: String? = nil, candidates: [String]? = nil, predicted: String, probs: [String: Float],
                selfConfidence: Float, margin: Float, flagged: Bool, split: SplitName? = nil, review: FaceReview? = nil) {
        self.faceID = faceID
        self.imageSHA256 = imageSHA256
        self.crop = crop
        self.imagePath = imagePath
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.box = box
        self.url = url
        self.label = label
        self.scoredLabel = scoredLabel
        self.candidates = candidates
        self.predicted = predicted
        self.probs = probs
        self.selfConfidence = selfConfidence
        self.margin = margin
        self.flagged = flagged
        self.split = split
        self.review = review
    }
    enum CodingKeys: String, CodingKey {
        case faceID = "face_id", imageSHA256 = "image_sha256", crop, imagePath = "image_path", imageWidth = "image_width"
        case imageHeight = "image_height", box, url, label, scoredLabel = "scored_label", candidates, predicted, probs
        case selfConfidence = "self_confidence", margin, flagged, split, review
    }
}

public struct ReviewPage: Sendable, Equatable, Codable {
    /// Faces matching the query in all (not only on this page); first pages only (nil after `after`).
    public var total: Int?
    public var items: [ReviewItem]

    public init(total: Int? = nil, items: [ReviewItem]) {
        self.total = total
        self.items = items
    }
}
