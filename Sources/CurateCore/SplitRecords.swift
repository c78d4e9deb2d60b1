import Foundation

/// What `curate split` needs to know of one stored image.
public struct SplitImage: Sendable, Equatable {
    public enum Scan: Sendable, Equatable { case notScanned, failed, faces(Int) }
    public var sha256: String
    /// False for a near-duplicate copy (`curate dedup` keeps one canonical member per cluster).
    public var canonical: Bool
    public var cluster: Int64?
    /// The cluster's canonical member, or the image itself: the key of its split group.
    public var groupSHA256: String
    /// The cluster's members carry different labels.
    public var clusterConflict: Bool
    /// Distinct labels its URLs were given.
    public var labels: [String]
    public var scan: Scan
    public init(sha256: String, canonical: Bool = true, cluster: Int64? = nil, groupSHA256: String? = nil,
                clusterConflict: Bool = false, labels: [String], scan: Scan) {
        self.sha256 = sha256; self.canonical = canonical; self.cluster = cluster
        self.groupSHA256 = groupSHA256 ?? sha256; self.clusterConflict = clusterConflict
        self.labels = labels; self.scan = scan
    }
}

/// A stored face, with the split it was last assigned to (if any).
public struct SplitFace: Sendable, Equatable {
    public var id: Int64
    public var imageSHA256: String
    public var split: SplitName?
    /// Its live review decision, if any: a relabel or accept sets its label, a reject leaves it out.
    public var review: FaceReview?
    /// Why the quality gate left it out, if it did.
    public var rejected: FaceRejection?
    public init(id: Int64, imageSHA256: String, split: SplitName? = nil, review: FaceReview? = nil,
                rejected: FaceRejection? = nil) {
        self.id = id; self.imageSHA256 = imageSHA256; self.split = split; self.review = review; self.rejected = rejected
    }
}

/// The settings the stored split was made with.
public struct SplitState: Sendable, Equatable {
    public var ratio: String
    public var seed: UInt64
    public init(ratio: String, seed: UInt64) { self.ratio = ratio; self.seed = seed }
}

public struct SplitInputs: Sendable, Equatable {
    public var images: [SplitImage]
    public var faces: [SplitFace]
    public var state: SplitState?
    public init(images: [SplitImage], faces: [SplitFace], state: SplitState?) {
        self.images = images; self.faces = faces; self.state = state
    }
}

/// One face's outcome: a split, or the reason it is left out.
public struct FaceSplitRow: Sendable, Equatable {
    public var faceID: Int64
    public var split: SplitName?
    public var group: String
    public var label: String?
    public var excluded: Exclusion?
    public init(faceID: Int64, split: SplitName?, group: String, label: String?, excluded: Exclusion?) {
        self.faceID = faceID; self.split = split; self.group = group; self.label = label; self.excluded = excluded
    }
}

/// A whole split, replacing the stored one in one transaction.
public struct SplitRecord: Sendable, Equatable {
    public var rows: [FaceSplitRow]
    public var state: SplitState
    /// Reason -> count (images for image-level reasons, faces for face-level ones).
    public var excluded: [String: Int]
    public init(rows: [FaceSplitRow], state: SplitState, excluded: [String: Int]) {
        self.rows = rows; self.state = state; self.excluded = excluded
    }
}
