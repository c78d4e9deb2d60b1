import CatalogRows
import CurateCore
import Foundation

extension PostgresCatalog {
    public func splitInputs() throws -> SplitInputs {
        try db.read { tx in
            let labels = try Self.distinctLabels(tx)
            let images = try tx.fetchAll("""
                SELECT i.sha256, i.canonical, i.cluster_id, c.canonical_sha256, c.conflict,
                       s.faces, s.error, s.image_sha256 IS NOT NULL AS scanned
                FROM images i
                LEFT JOIN clusters c ON c.id = i.cluster_id
                LEFT JOIN face_scans s ON s.image_sha256 = i.sha256
                ORDER BY \(Self.listOrder("i")), i.sha256
                """).map { r -> SplitImage in
                let sha: String = try r["sha256"], scanned: Bool = try r["scanned"], error: String? = try r["error"]
                let scan: SplitImage.Scan = try !scanned ? .notScanned : error != nil ? .failed : .faces(r["faces"])
                let group: String? = try r["canonical_sha256"], conflict: Bool? = try r["conflict"]
                return SplitImage(sha256: sha, canonical: try r["canonical"], cluster: try r["cluster_id"],
                                  groupSHA256: group ?? sha, clusterConflict: conflict ?? false,
                                  labels: labels[sha] ?? [], scan: scan)
            }
            let faces = try tx.fetchAll("""
                SELECT f.id, f.image_sha256, f.rejected, fs.split, r.action AS review_action, r.new_label AS review_label, r.reviewer
                FROM faces f LEFT JOIN face_splits fs ON fs.face_id = f.id LEFT JOIN face_reviews r ON r.face_id = f.id
                ORDER BY f.id
                """).map { r in
                let columns = try r.decode(PlacementColumns.self)
                return SplitFace(id: try r["id"], imageSHA256: try r["image_sha256"], split: columns.split, review: columns.review,
                                 rejected: columns.rejected.flatMap(FaceRejection.init(rawValue:)))
            }
            let state = try tx.fetchOne("SELECT ratio, seed FROM split_state WHERE id = 1").map { r in
                let seed: Int64 = try r["seed"]
                return SplitState(ratio: try r["ratio"], seed: UInt64(bitPattern: seed))
            }
            return SplitInputs(images: images, faces: faces, state: state)
        }
    }

    public func recordSplit(_ split: SplitRecord) throws {
        let excluded = String(decoding: try JSONEncoder.sorted.encode(split.excluded), as: UTF8.self)
        var rows: [[String: PGValue]] = []
        for r in split.rows {
            rows.append(["face_id": .int(r.faceID), "split": pg(r.split), "group_key": .text(r.group), "label": pg(r.label),
                         "excluded": pg(r.excluded)])
        }
        try db.write { tx in
            try tx.lockStage("split")
            try tx.execute("DELETE FROM face_splits")
            for batch in PGBatch.chunked(rows) {
                try tx.execute("""
                    INSERT INTO face_splits (face_id, split, group_key, label, excluded)
                    SELECT x.face_id, x.split, x.group_key, x.label, x.excluded
                    FROM jsonb_to_recordset(?::jsonb) AS x(face_id bigint, split text, group_key text, label text, excluded text)
                    """, [batch])
            }
            try tx.execute("""
                INSERT INTO split_state (id, ratio, seed, excluded_counts, updated_at) VALUES (1, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET ratio = excluded.ratio, seed = excluded.seed,
                    excluded_counts = excluded.excluded_counts, updated_at = excluded.updated_at
                """, [split.state.ratio, Int64(bitPattern: split.state.seed), excluded, Date()])
        }
    }

    static func splitStatus(_ tx: PGTransaction, into s: inout CatalogStatus) throws {
        try s.countSplits(
            storedExcluded: try tx.fetchValue(String.self, "SELECT excluded_counts FROM split_state WHERE id = 1"),
            placements: try tx.decodeAll(PlacementColumns.self, """
                SELECT s.split, s.label AS split_label, s.excluded, r.action AS review_action, r.new_label AS review_label, f.rejected
                FROM face_splits s JOIN faces f ON f.id = s.face_id LEFT JOIN face_reviews r ON r.face_id = s.face_id
                """))
        for row in try tx.fetchAll("SELECT action, COUNT(*) AS n FROM face_reviews GROUP BY action") {
            let action: String = try row["action"], n: Int = try row["n"]
            s.reviewed[action] = n
        }
    }
}
