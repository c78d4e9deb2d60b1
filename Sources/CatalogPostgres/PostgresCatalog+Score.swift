import CatalogRows
import CurateCore
import Foundation

extension PostgresCatalog {
    public func facesToScore(model: String, shard: Int64?) throws -> [FaceToScore] {
        try db.read { tx in
            try tx.decodeAll(ScoreInputRow.self, """
                SELECT f.id, f.crop_path, f.landmarks, f.x1, f.y1, f.x2, f.y2, i.path FROM faces f JOIN images i ON i.sha256 = f.image_sha256
                WHERE i.canonical = 1 AND f.rejected IS NULL AND NOT EXISTS (SELECT 1 FROM face_probs p WHERE p.face_id = f.id AND p.model = ?)\(Self.inShard("f.id", shard, integer: true))
                ORDER BY f.image_sha256, f.idx
                """, [model]).map(\.input)
        }
    }

    public func recordFaceProbs(_ probs: [FaceProbs], model: String, lease: ShardLease?) throws {
        guard !probs.isEmpty else { return }
        // Chunks bound each JSON parameter (training records every face's outputs in one call,
        // and features are hundreds of floats a face); all of them commit in one transaction.
        let batches = PGBatch.chunked(probs.map { p in
            ["face_id": .int(p.faceID), "probs": .bytes(floatBlob(p.probs)), "features": .bytes(floatBlob(p.features))]
        }, size: 1_000)
        try db.write { tx in
            try Self.hold(lease, tx)
            for batch in batches {
                try tx.execute("""
                    INSERT INTO face_probs (face_id, model, probs, features)
                    SELECT x.face_id, ?, decode(x.probs, 'base64'), decode(x.features, 'base64')
                    FROM \(PGBatch.lastRows(per: "face_id", "face_id bigint, probs text, features text"))
                    ON CONFLICT (face_id, model) DO UPDATE SET probs = excluded.probs, features = excluded.features
                    """, [model, batch])
            }
        }
    }

    public func scoringRows(model: String) throws -> [ScoringRow] {
        try db.read { tx in
            let labels = try Self.distinctLabels(tx)
            return try tx.fetchAll("""
                SELECT f.id, f.image_sha256, s.split, s.group_key, s.excluded, s.label AS split_label, p.probs, p.features,
                       r.action AS review_action, r.new_label AS review_label, c.labels AS cluster_labels
                FROM face_probs p JOIN faces f ON f.id = p.face_id LEFT JOIN face_splits s ON s.face_id = f.id
                LEFT JOIN face_reviews r ON r.face_id = f.id JOIN images i ON i.sha256 = f.image_sha256
                LEFT JOIN clusters c ON c.id = i.cluster_id AND c.conflict = 1
                WHERE p.model = ? AND f.rejected IS NULL ORDER BY f.id
                """, [model]).map { r in
                try r.decode(ScoringColumns.self).row(placement: try r.decode(PlacementColumns.self), labels: labels)
            }
        }
    }

    public func replaceFaceScores(_ scores: [FaceScore], model: String) throws {
        // The same JSON text as SQLite stores (sorted keys), so both backends read back alike.
        let enc = JSONEncoder.sorted
        var rows: [[String: PGValue]] = []
        for s in scores {
            rows.append(["face_id": .int(s.faceID), "probs": .text(String(decoding: try enc.encode(s.probs), as: UTF8.self)),
                          "label": pg(s.label),
                          "candidates": pg(try s.candidates.map { String(decoding: try enc.encode($0), as: UTF8.self) }),
                          "predicted": .text(s.predicted), "self_confidence": .double(Double(s.selfConfidence)),
                          "margin": .double(Double(s.margin)), "flagged": .int(s.flagged ? 1 : 0)])
        }
        try db.write { tx in
            try tx.lockStage("score")
            try tx.execute("DELETE FROM face_scores")
            for batch in PGBatch.chunked(rows) {
                try tx.execute("""
                    INSERT INTO face_scores (face_id, model, probs, label, candidates, predicted, self_confidence, margin, flagged)
                    SELECT x.face_id, ?, x.probs, x.label, x.candidates, x.predicted, x.self_confidence, x.margin, x.flagged
                    FROM jsonb_to_recordset(?::jsonb) AS x(face_id bigint, probs text, label text, candidates text, predicted text,
                         self_confidence double precision, margin double precision, flagged bigint)
                    """, [model, batch])
            }
        }
    }

    /// Stored mislabel scores by face id, for the face-level export.
    func faceScores(_ tx: PGTransaction) throws -> [Int64: FaceScore] {
        Dictionary(uniqueKeysWithValues: try tx.decodeAll(FaceScoreRow.self, "SELECT * FROM face_scores").map { ($0.faceID, $0.score) })
    }
}
