/// The review queue's order, everywhere it is shown (`curate review`, `score --top`, the
/// report): unsettled label conflicts first, then flagged faces, then the lowest score
/// (self-confidence or margin), then face id. The SQLite queue's `ORDER BY` and its keyset
/// paging spell the same tuple; `ReviewOrderTests` checks them against this.
public struct ReviewOrder: Sendable, Equatable, Comparable {
    public var conflict: Bool
    public var flagged: Bool
    public var score: Float
    public var faceID: Int64

    public init(conflict: Bool, flagged: Bool, score: Float, faceID: Int64) {
        self.conflict = conflict; self.flagged = flagged; self.score = score; self.faceID = faceID
    }

    public static func < (a: Self, b: Self) -> Bool {
        if a.conflict != b.conflict { return a.conflict }
        if a.flagged != b.flagged { return a.flagged }
        if a.score != b.score { return a.score < b.score }
        return a.faceID < b.faceID
    }
}
