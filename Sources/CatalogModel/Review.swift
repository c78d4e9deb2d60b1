/// What a reviewer decided about one face.
public enum ReviewAction: String, Sendable, Codable, CaseIterable {
    /// The face gets another label.
    case relabel
    /// The current label is right.
    case accept
    /// The face is unusable (not a face, two people, a drawing): excluded from splits and export.
    case reject
    /// Takes back an earlier decision (the row it names).
    case undo
}

/// A face's live review decision: the latest one not taken back.
public struct FaceReview: Sendable, Equatable, Codable {
    public var action: ReviewAction
    /// The label the face now has (relabel, accept); nil for reject.
    public var label: String?
    public var reviewer: String
    public init(action: ReviewAction, label: String?, reviewer: String) {
        self.action = action; self.label = label; self.reviewer = reviewer
    }
}
