/// A face's current label, split and exclusion: the one rule every reader of the catalog
/// (export, scoring, review cards, status) applies to what is stored. Decisions count at once:
/// a relabel moves the face's label in its split, a reject or the quality gate takes it out,
/// without waiting for the next `curate split`.
public struct FacePlacement: Sendable, Equatable {
    public var label: String?
    public var split: SplitName?
    public var excluded: Exclusion?

    public init(label: String?, split: SplitName?, excluded: Exclusion?) {
        self.label = label; self.split = split; self.excluded = excluded
    }

    /// What the last `curate split` stored for the face.
    public struct Stored: Sendable, Equatable {
        public var split: SplitName?
        public var label: String?
        public var excluded: Exclusion?
        public init(split: SplitName?, label: String?, excluded: Exclusion?) {
            self.split = split; self.label = label; self.excluded = excluded
        }
    }

    /// A face's current label: a reviewer's (relabel or accept) first; else the one the split
    /// placed it with; before any split, its sources' label if they agree (nil when they do not).
    public static func currentLabel(review: String?, split: String?, sources: [String]) -> String? {
        review ?? split ?? (sources.count == 1 ? sources[0] : nil)
    }

    /// - Parameters:
    ///   - review: the face's live review decision, if any.
    ///   - stored: what the last split stored (nil before any split).
    ///   - sources: the distinct labels its image's URLs carry.
    ///   - gate: the quality gate's reason, when it leaves the face out.
    public static func resolve(review: FaceReview?, stored: Stored?, sources: [String], gate: FaceRejection?) -> FacePlacement {
        let label = currentLabel(review: review?.label, split: stored?.label, sources: sources)
        // The gate's verdict holds at once (a rerun of `curate faces` may change it).
        if let gate { return FacePlacement(label: label, split: nil, excluded: Exclusion(gate)) }
        let excluded = stored?.excluded
        if review?.action == .reject {
            return FacePlacement(label: label, split: nil, excluded: excluded == nil || excluded == .rejected ? .rejected : excluded)
        }
        // Placed as rejected, the reject since undone: out until the next split places it.
        if excluded == .rejected { return FacePlacement(label: label, split: nil, excluded: .awaitingSplit) }
        return FacePlacement(label: label, split: stored?.split, excluded: excluded)
    }
}
