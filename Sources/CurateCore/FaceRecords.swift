import Foundation

/// A stored image waiting for face detection.
public struct ImageToScan: Sendable, Equatable {
    public var sha256: String
    public var path: String

    public init(sha256: String, path: String) {
        self.sha256 = sha256
        self.path = path
    }
}

/// One face found in an image, with its stored crop.
public struct FaceRecord: Sendable, Equatable {
    public var imageSHA256: String
    public var index: Int
    public var box: [Float]
    public var probability: Float
    public var landmarks: [[Float]]
    public var cropPath: String
    public var method: CropMethod
    /// The quality gate's measurements (nil for faces found before curate measured them).
    public var quality: FaceQuality?
    /// Why the gate left it out, if it did.
    public var rejected: FaceRejection?
    public init(imageSHA256: String, index: Int, box: [Float], probability: Float, landmarks: [[Float]],
                cropPath: String, method: CropMethod, quality: FaceQuality? = nil, rejected: FaceRejection? = nil) {
        self.imageSHA256 = imageSHA256; self.index = index; self.box = box; self.probability = probability
        self.landmarks = landmarks; self.cropPath = cropPath; self.method = method
        self.quality = quality; self.rejected = rejected
    }
}

/// A stored face as the quality gate re-reads it: to measure it (when it has no measurements
/// yet) and to judge it again under the pipeline's current thresholds.
public struct FaceToGate: Sendable, Equatable {
    public var faceID: Int64
    public var imagePath: String
    public var box: [Float]
    public var landmarks: [[Float]]
    public var quality: FaceQuality?
    public var rejected: FaceRejection?
    public init(faceID: Int64, imagePath: String, box: [Float], landmarks: [[Float]], quality: FaceQuality?,
                rejected: FaceRejection?) {
        self.faceID = faceID; self.imagePath = imagePath; self.box = box; self.landmarks = landmarks
        self.quality = quality; self.rejected = rejected
    }
}

/// A face's new gate outcome.
public struct FaceGateUpdate: Sendable, Equatable {
    public var faceID: Int64
    public var quality: FaceQuality
    public var rejected: FaceRejection?
    public init(faceID: Int64, quality: FaceQuality, rejected: FaceRejection?) {
        self.faceID = faceID; self.quality = quality; self.rejected = rejected
    }
}

/// The outcome of scanning one image: its faces (possibly none), or why it failed.
public struct FaceScan: Sendable, Equatable {
    public var imageSHA256: String
    public var faces: [FaceRecord]
    public var error: String?
    public var settings: String
    public init(imageSHA256: String, faces: [FaceRecord], error: String? = nil, settings: String) {
        self.imageSHA256 = imageSHA256; self.faces = faces; self.error = error; self.settings = settings
    }
}

/// One face as `curate export --level face` writes it.
public struct FaceExportRow: Sendable, Equatable, Encodable {
    public var faceID: Int64
    public var imageSHA256: String
    public var index: Int
    public var url: String?
    /// The image's label when its sources agree, else null (see `labels`).
    public var label: String?
    public var labels: [String]
    public var box: [Float]
    public var landmarks: [[Float]]
    public var prob: Float
    public var crop: String
    public var method: CropMethod
    public var cluster: Int64?
    /// The split `curate split` put it in, or null with the reason in `excluded`.
    public var split: SplitName?
    /// Its split group (the canonical image of its photo's near-duplicate cluster).
    public var group: String?
    public var excluded: Exclusion?
    /// The quality gate's measurements and, when it left the face out, why.
    public var quality: FaceQuality?
    public var rejected: FaceRejection?
    /// The live review decision on it (relabel, accept, reject), if a reviewer made one.
    public var reviewed: String?
    /// Mislabel scores from the last `curate score`, when it scored this face.
    public var score: FaceScore?

    public init(faceID: Int64, imageSHA256: String, index: Int, url: String? = nil, label: String? = nil,
                labels: [String], box: [Float], landmarks: [[Float]], prob: Float, crop: String, method: CropMethod,
                cluster: Int64? = nil, split: SplitName? = nil, group: String? = nil, excluded: Exclusion? = nil,
                quality: FaceQuality? = nil, rejected: FaceRejection? = nil, reviewed: String? = nil,
                score: FaceScore? = nil) {
        self.faceID = faceID
        self.imageSHA256 = imageSHA256
        self.index = index
        self.url = url
        self.label = label
        self.labels = labels
        self.box = box
        self.landmarks = landmarks
        self.prob = prob
        self.crop = crop
        self.method = method
        self.cluster = cluster
        self.split = split
        self.group = group
        self.excluded = excluded
        self.quality = quality
        self.rejected = rejected
        self.reviewed = reviewed
        self.score = score
    }

    enum CodingKeys: String, CodingKey {
        case faceID = "face_id", imageSHA256 = "image_sha256", index, url, label, labels, box, landmarks, prob, crop, method, cluster
        case split, group, excluded, quality, rejected, reviewed, probs, selfConfidence = "self_confidence", margin, flagged, predicted
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(faceID, forKey: .faceID); try c.encode(imageSHA256, forKey: .imageSHA256)
        try c.encode(index, forKey: .index); try c.encode(url, forKey: .url); try c.encode(label, forKey: .label)
        try c.encode(labels, forKey: .labels); try c.encode(box, forKey: .box); try c.encode(landmarks, forKey: .landmarks)
        try c.encode(prob, forKey: .prob); try c.encode(crop, forKey: .crop); try c.encode(method, forKey: .method)
        try c.encode(cluster, forKey: .cluster); try c.encode(split, forKey: .split)
        try c.encode(group, forKey: .group); try c.encode(excluded, forKey: .excluded)
        try c.encode(quality, forKey: .quality); try c.encode(rejected, forKey: .rejected)
        try c.encode(reviewed, forKey: .reviewed)
        try c.encode(score?.probs, forKey: .probs); try c.encode(score?.selfConfidence, forKey: .selfConfidence)
        try c.encode(score?.margin, forKey: .margin); try c.encode(score?.flagged, forKey: .flagged)
        try c.encode(score?.predicted, forKey: .predicted)
    }
}
