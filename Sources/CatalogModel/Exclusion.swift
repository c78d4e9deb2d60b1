/// Why a face is in no split. Stored as the raw value (today's strings). Image-level reasons
/// are counted once per image in the split's summary; the rest once per face.
public enum Exclusion: String, Sendable, Codable, CaseIterable {
    // Image-level: every face of the image shares it.
    /// A near-duplicate copy (`curate dedup` keeps one canonical member per cluster).
    case duplicate
    case notScanned = "not_scanned"
    case unreadable
    case noFace = "no_face"
    // Face-level.
    case unlabelled
    /// The sources disagree (one image under two labels, or a cluster whose members do).
    case labelConflict = "label_conflict"
    case unknownLabel = "unknown_label"
    /// The quality gate's reasons (see `FaceRejection`).
    case tooSmall = "too_small", outOfFrame = "out_of_frame", tooDark = "too_dark", tooBright = "too_bright", blurry
    /// A reviewer rejected the face.
    case rejected
    /// Rejected when the split was made, the reject since undone: the next split places it.
    case awaitingSplit = "awaiting_split"

    /// Counted per image (not per face) in split summaries and status.
    public var countsImages: Bool {
        switch self {
        case .duplicate, .notScanned, .unreadable, .noFace: true
        default: false
        }
    }

    public init(_ gate: FaceRejection) { self.init(rawValue: gate.rawValue)! }
}
