import CatalogRows
import CurateCore
import Foundation
import GRDB

extension SQLiteCatalog {
    public func facesToScore(model: String, shard: Int64?) throws -> [FaceToScore] {
        try pool.read { db in
            try ScoreInputRow.fetchAll(db, sql: """
                SELECT f.id, f.crop_path, f.landmarks, f.x1, f.y1, f.x2, f.y2, i.path FROM faces f JOIN images i ON i.sha256 = f.image_sha256
                WHERE i.canonical = 1 AND f.rejected IS NULL AND NOT EXISTS (SELECT 1 FROM face_probs p WHERE p.face_id = f.id AND p.model = ?)\(Self.inShard("f.id", shard, integer: true))
                ORDER BY f.image_sha256, f.idx
                """, arguments: [model]).map(\.input)
        }
    }

    public func recordFaceProbs(_ probs: [FaceProbs], model: String, lease: ShardLease?) throws {
        guard !probs.isEmpty else { return }
        try pool.write { db in
            try Self.hold(lease, db)
            let st = try db.cachedStatement(sql: """
                INSERT INTO face_probs (face_id, model, probs, features) VALUES (?, ?, ?, ?)
                ON CONFLICT (face_id, model) DO UPDATE SET probs = excluded.probs, features = excluded.features
                """)
            for p in probs { try st.execute(arguments: [p.faceID, model, floatBlob(p.probs), floatBlob(p.features)]) }
        }
    }

    public func scoringRows(model: String) throws -> [ScoringRow] {
        try pool.read { db in
            let labels = try Self.distinctLabels(db)
            return try Row.fetchAll(db, sql: """
                SELECT f.id, f.image_sha256, s.split, s.group_key, s.excluded, s.label AS split_label, p.probs, p.features,
                       r.action AS review_action, r.new_label AS review_label, c.labels AS cluster_labels
                FROM face_probs p JOIN faces f ON f.id = p.face_id LEFT JOIN face_splits s ON s.face_id = f.id
                LEFT JOIN face_reviews r ON r.face_id = f.id JOIN images i ON i.sha256 = f.image_sha256
                LEFT JOIN clusters c ON c.id = i.cluster_id AND c.conflict = 1
                WHERE p.model = ? AND f.rejected IS NULL ORDER BY f.id
                """, arguments: [model]).map { r in
                try ScoringColumns(row: r).row(placement: try PlacementColumns(row: r), labels: labels)
            }
        }
    }

    public func replaceFaceScores(_ scores: [FaceScore], model: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM face_scores")
            let st = try db.cachedStatement(sql: """
                INSERT INTO face_scores (face_id, model, probs, label, candidates, predicted, self_confidence, margin, flagged)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let enc = JSONEncoder.sorted
            for s in scores {
                try st.execute(arguments: [s.faceID, model, String(decoding: try enc.encode(s.probs), as: UTF8.self),
                                           s.label, try s.candidates.map { String(decoding: try enc.encode($0), as: UTF8.self) },
                                           s.predicted, s.selfConfidence, s.margin, s.flagged])
            }
        }
    }

    /// Stored mislabel scores by face id, for the face-level export.
    func faceScores(_ db: Database) throws -> [Int64: FaceScore] {
        Dictionary(uniqueKeysWithValues: try FaceScoreRow.fetchAll(db, sql: "SELECT * FROM face_scores").map { ($0.faceID, $0.score) })
    }
}
