import CatalogRows
import CurateCore
import Foundation
import GRDB

extension SQLiteCatalog {
    public func reviewQueue(_ q: ReviewQuery) throws -> ReviewPage {
        try pool.read { db in
            var filters = ["f.rejected IS NULL"]   // the quality gate's rejects are not in the dataset
            var args: [DatabaseValueConvertible?] = []
            if !q.all { filters.append("r.face_id IS NULL") }
            if let label = q.label { filters.append("COALESCE(r.new_label, s.label, sc.label) = ?"); args.append(label) }
            if let split = q.split { filters.append("s.split = ? AND r.action IS NOT 'reject'"); args.append(split) }
            let rank = q.rankBy.rawValue  // a closed set of column names
            // `ReviewOrder` as SQL: conflicts first, flagged, lowest score, face id.
            // Counted for the first page only: later pages keep the count the page already has.
            let total = q.after != nil ? nil : try Int.fetchOne(db, sql: "SELECT COUNT(*) \(Self.queueFrom) \(Self.whereClause(filters))",
                                                                arguments: StatementArguments(args)) ?? 0
            if let after = q.after {
                filters.append("""
                    (sc.candidates IS NULL, -sc.flagged, sc.\(rank), sc.face_id)
                        > (SELECT candidates IS NULL, -flagged, \(rank), face_id FROM face_scores WHERE face_id = ?)
                    """)
                args.append(after)
            }
            args.append(q.limit)
            let items = try Row.fetchAll(db, sql: """
                SELECT \(Self.queueColumns) \(Self.queueFrom) \(Self.whereClause(filters))
                ORDER BY sc.candidates IS NULL, sc.flagged DESC, sc.\(rank) ASC, sc.face_id ASC LIMIT ?
                """, arguments: StatementArguments(args)).map(Self.reviewItem)
            return ReviewPage(total: total, items: items)
        }
    }

    public func reviewItem(faceID: Int64) throws -> ReviewItem? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.queueColumns) \(Self.queueFrom) WHERE sc.face_id = ?",
                             arguments: [faceID]).map(Self.reviewItem)
        }
    }

    public func recordReview(faceID: Int64, action: ReviewAction, label: String?, reviewer: String) throws -> ReviewEntry {
        try pool.write { db in
            guard let face = try Row.fetchOne(db, sql: """
                SELECT f.image_sha256, s.label AS split_label, r.new_label AS review_label,
                       COALESCE(c.conflict, 0) AS cluster_conflict
                FROM faces f LEFT JOIN face_splits s ON s.face_id = f.id LEFT JOIN face_reviews r ON r.face_id = f.id
                JOIN images i ON i.sha256 = f.image_sha256 LEFT JOIN clusters c ON c.id = i.cluster_id
                WHERE f.id = ?
                """, arguments: [faceID]) else { throw CurateError("no face with id \(faceID)") }
            let sources = try String.fetchAll(db, sql: """
                SELECT DISTINCT l.label FROM urls u JOIN url_labels l ON l.url_id = u.id
                WHERE u.sha256 = ? AND u.state = 'fetched'
                """, arguments: [face["image_sha256"] as String])
            // A face of a conflicting cluster has no agreed label until a reviewer gives it one.
            let conflict = (face["cluster_conflict"] as Bool) && (face["review_label"] as String?) == nil
            let old = conflict ? nil : FacePlacement.currentLabel(review: face["review_label"], split: face["split_label"], sources: sources)
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
            return try Self.insertHistory(db, faceID: faceID, action: action, old: old, new: new, undoes: nil, reviewer: reviewer)
        }
    }

    public func undoLastReview(reviewer: String) throws -> ReviewEntry? {
        try pool.write { db in
            guard let last = try Row.fetchOne(db, sql: """
                SELECT h.* FROM label_history h
                WHERE h.reviewer = ? AND h.action != 'undo'
                  AND NOT EXISTS (SELECT 1 FROM label_history u WHERE u.undoes = h.id)
                ORDER BY h.id DESC LIMIT 1
                """, arguments: [reviewer]) else { return nil }
            return try Self.insertHistory(db, faceID: last["face_id"], action: .undo, old: last["new_label"],
                                          new: last["old_label"], undoes: last["id"], reviewer: reviewer)
        }
    }

    public func reviewHistory() throws -> [ReviewEntry] {
        try pool.read { db in
            try HistoryRow.fetchAll(db, sql: "SELECT * FROM label_history ORDER BY id").map { try $0.entry() }
        }
    }

    static func insertHistory(_ db: Database, faceID: Int64, action: ReviewAction, old: String?, new: String?,
                              undoes: Int64?, reviewer: String) throws -> ReviewEntry {
        let at = Date()
        try db.execute(sql: """
            INSERT INTO label_history (face_id, action, old_label, new_label, undoes, reviewer, at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [faceID, action.rawValue, old, new, undoes, reviewer, at])
        return ReviewEntry(id: db.lastInsertedRowID, faceID: faceID, action: action, oldLabel: old, newLabel: new,
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

    static func reviewItem(_ r: Row) throws -> ReviewItem {
        ReviewItem(score: try FaceScoreRow(row: r), card: try ReviewCardRow(row: r), columns: try PlacementColumns(row: r))
    }
}
