import CatalogRows
import CurateCore
import Foundation

extension PostgresCatalog {
    public func reviewQueue(_ q: ReviewQuery) throws -> ReviewPage {
        try db.read { tx in
            var filters = ["f.rejected IS NULL"]   // the quality gate's rejects are not in the dataset
            var args: [(any PGBindable)?] = []
            if !q.all { filters.append("r.face_id IS NULL") }
            if let label = q.label { filters.append("COALESCE(r.new_label, s.label, sc.label) = ?"); args.append(label) }
            // `IS DISTINCT FROM`: SQLite's `IS NOT`, true for a face with no review.
            if let split = q.split { filters.append("s.split = ? AND r.action IS DISTINCT FROM 'reject'"); args.append(split) }
            let rank = q.rankBy.rawValue  // a closed set of column names
            // `ReviewOrder` as SQL: conflicts first, flagged, lowest score, face id.
            // Counted for the first page only: later pages keep the count the page already has.
            let total = q.after != nil ? nil : try tx.fetchValue(Int.self, "SELECT COUNT(*) \(Self.queueFrom) \(Self.whereClause(filters))",
                                                                 args) ?? 0
            if let after = q.after {
                // Row comparison (false < true, as SQLite's 0 < 1); no such face: an empty page.
                filters.append("""
                    (sc.candidates IS NULL, -sc.flagged, sc.\(rank), sc.face_id)
                        > (SELECT candidates IS NULL, -flagged, \(rank), face_id FROM face_scores WHERE face_id = ?)
                    """)
                args.append(after)
            }
            args.append(q.limit)
            let items = try tx.fetchAll("""
                SELECT \(Self.queueColumns) \(Self.queueFrom) \(Self.whereClause(filters))
                ORDER BY sc.candidates IS NULL, sc.flagged DESC, sc.\(rank) ASC, sc.face_id ASC LIMIT ?
                """, args).map { try Self.reviewItem($0) }
            return ReviewPage(total: total, items: items)
        }
    }

    public func reviewItem(faceID: Int64) throws -> ReviewItem? {
        try db.read { tx in
            try tx.fetchOne("SELECT \(Self.queueColumns) \(Self.queueFrom) WHERE sc.face_id = ?", [faceID])
                .map { try Self.reviewItem($0) }
        }
    }

    public func recordReview(faceID: Int64, action: ReviewAction, label: String?, reviewer: String) throws -> ReviewEntry {
        try db.write { tx in
            // Review decisions take turns, as SQLite's single writer makes them: the old label
            // is read after any decision committed before, and two undos never pick the same one.
            try tx.lockStage("review")
            guard let face = try tx.fetchOne("""
                SELECT f.image_sha256, s.label AS split_label, r.new_label AS review_label,
                       COALESCE(c.conflict, 0) AS cluster_conflict
                FROM faces f LEFT JOIN face_splits s ON s.face_id = f.id LEFT JOIN face_reviews r ON r.face_id = f.id
                JOIN images i ON i.sha256 = f.image_sha256 LEFT JOIN clusters c ON c.id = i.cluster_id
                WHERE f.id = ?
                """, [faceID]) else { throw CurateError("no face with id \(faceID)") }
            let sha: String = try face["image_sha256"]
            let reviewLabel: String? = try face["review_label"], splitLabel: String? = try face["split_label"]
            let clusterConflict: Bool = try face["cluster_conflict"]
            // Only their number matters (one source label or none agreed), not their order.
            let sources = try tx.fetchValues(String.self, """
                SELECT DISTINCT l.label FROM urls u JOIN url_labels l ON l.url_id = u.id
                WHERE u.sha256 = ? AND u.state = 'fetched'
                """, [sha])
            // A face of a conflicting cluster has no agreed label until a reviewer gives it one.
            let conflict = clusterConflict && reviewLabel == nil
            let old = conflict ? nil : FacePlacement.currentLabel(review: reviewLabel, split: splitLabel, sources: sources)
            let new: String?
            switch action {
            case .relabel:
                guard let label else { throw CurateError("relabel needs a label") }
                new = label
            case .accept:
                guard let old else { throw CurateError("face \(faceID) has no label to accept (its sources disagree); relabel it") }
                new = old
            case .reject: new = nil
            case .undo: throw CurateError("undo takes back the reviewer's last decision; it is not recorded for a face")
            }
            return try Self.insertHistory(tx, faceID: faceID, action: action, old: old, new: new, undoes: nil, reviewer: reviewer)
        }
    }

    public func undoLastReview(reviewer: String) throws -> ReviewEntry? {
        try db.write { tx in
            try tx.lockStage("review")
            guard let last = try tx.fetchOne("""
                SELECT h.* FROM label_history h
                WHERE h.reviewer = ? AND h.action != 'undo'
                  AND NOT EXISTS (SELECT 1 FROM label_history u WHERE u.undoes = h.id)
                ORDER BY h.id DESC LIMIT 1
                """, [reviewer]) else { return nil }
            return try Self.insertHistory(tx, faceID: try last["face_id"], action: .undo, old: try last["new_label"],
                                          new: try last["old_label"], undoes: try last["id"], reviewer: reviewer)
        }
    }

    public func reviewHistory() throws -> [ReviewEntry] {
        try db.read { tx in
            try tx.decodeAll(HistoryRow.self, "SELECT * FROM label_history ORDER BY id").map { try $0.entry() }
        }
    }

    static func insertHistory(_ tx: PGTransaction, faceID: Int64, action: ReviewAction, old: String?, new: String?,
                              undoes: Int64?, reviewer: String) throws -> ReviewEntry {
        let at = Date()
        guard let id = try tx.fetchValue(Int64.self, """
            INSERT INTO label_history (face_id, action, old_label, new_label, undoes, reviewer, at) VALUES (?, ?, ?, ?, ?, ?, ?)
            RETURNING id
            """, [faceID, action.rawValue, old, new, undoes, reviewer, at]) else {
            throw CurateError("catalog did not return the new review's id")
        }
        return ReviewEntry(id: id, faceID: faceID, action: action, oldLabel: old, newLabel: new,
                           undoes: undoes, reviewer: reviewer, at: at)
    }

    static func whereClause(_ filters: [String]) -> String {
        filters.isEmpty ? "" : "WHERE " + filters.joined(separator: " AND ")
    }

    static let queueFrom = """
        FROM face_scores sc JOIN faces f ON f.id = sc.face_id JOIN images i ON i.sha256 = f.image_sha256
        LEFT JOIN face_splits s ON s.face_id = f.id LEFT JOIN face_reviews r ON r.face_id = f.id
        """

    static let queueColumns = """
        sc.face_id, sc.probs, sc.label, sc.candidates, sc.predicted, sc.self_confidence, sc.margin, sc.flagged,
        f.image_sha256, f.crop_path, f.x1, f.y1, f.x2, f.y2, i.path, i.width, i.height,
        s.split, s.excluded, s.label AS split_label, r.action AS review_action, r.new_label AS review_label, r.reviewer,
        (SELECT u.url FROM urls u WHERE u.sha256 = f.image_sha256 AND u.state = 'fetched' ORDER BY u.id LIMIT 1) AS url
        """

    static func reviewItem(_ r: PGRow) throws -> ReviewItem {
        ReviewItem(score: try r.decode(FaceScoreRow.self), card: try r.decode(ReviewCardRow.self), columns: try r.decode(PlacementColumns.self))
    }
}
