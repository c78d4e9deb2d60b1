import CatalogRows
import CurateCore
import Foundation
import GRDB

extension SQLiteCatalog {
    public func splitInputs() throws -> SplitInputs {
        try pool.read { db in
            let labels = try Self.distinctLabels(db)
            let images = try Row.fetchAll(db, sql: """
                SELECT i.sha256, i.canonical, i.cluster_id, c.canonical_sha256, c.conflict,
                       s.faces, s.error, s.image_sha256 IS NOT NULL AS scanned
                FROM images i
                LEFT JOIN clusters c ON c.id = i.cluster_id
                LEFT JOIN face_scans s ON s.image_sha256 = i.sha256
                ORDER BY \(Self.listOrder("i")), i.sha256
                """).map { r -> SplitImage in
                let sha: String = r["sha256"]
                let scan: SplitImage.Scan = !(r["scanned"] as Bool) ? .notScanned
                    : (r["error"] as String?) != nil ? .failed : .faces(r["faces"])
                return SplitImage(sha256: sha, canonical: r["canonical"], cluster: r["cluster_id"],
                                  groupSHA256: r["canonical_sha256"] ?? sha, clusterConflict: r["conflict"] ?? false,
                                  labels: labels[sha] ?? [], scan: scan)
            }
            let faces = try Row.fetchAll(db, sql: """
                SELECT f.id, f.image_sha256, f.rejected, fs.split, r.action AS review_action, r.new_label AS review_label, r.reviewer
                FROM faces f LEFT JOIN face_splits fs ON fs.face_id = f.id LEFT JOIN face_reviews r ON r.face_id = f.id
                ORDER BY f.id
                """).map { r in
                let columns = try PlacementColumns(row: r)
                return SplitFace(id: r["id"], imageSHA256: r["image_sha256"], split: columns.split, review: columns.review,
                                 rejected: columns.rejected.flatMap(FaceRejection.init(rawValue:)))
            }
            let state = try Row.fetchOne(db, sql: "SELECT ratio, seed FROM split_state WHERE id = 1").map {
                SplitState(ratio: $0["ratio"], seed: UInt64(bitPattern: $0["seed"]))
            }
            return SplitInputs(images: images, faces: faces, state: state)
        }
    }

    public func recordSplit(_ split: SplitRecord) throws {
        let excluded = String(decoding: try JSONEncoder.sorted.encode(split.excluded), as: UTF8.self)
        try pool.write { db in
            try db.execute(sql: "DELETE FROM face_splits")
            let insert = try db.cachedStatement(sql: """
                INSERT INTO face_splits (face_id, split, group_key, label, excluded) VALUES (?, ?, ?, ?, ?)
                """)
            for r in split.rows {
                try insert.execute(arguments: [r.faceID, r.split, r.group, r.label, r.excluded])
            }
            try db.execute(sql: """
                INSERT INTO split_state (id, ratio, seed, excluded_counts, updated_at) VALUES (1, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET ratio = excluded.ratio, seed = excluded.seed,
                    excluded_counts = excluded.excluded_counts, updated_at = excluded.updated_at
                """, arguments: [split.state.ratio, Int64(bitPattern: split.state.seed), excluded, Date()])
        }
    }

    static func splitStatus(_ db: Database, into s: inout CatalogStatus) throws {
        try s.countSplits(
            storedExcluded: try String.fetchOne(db, sql: "SELECT excluded_counts FROM split_state WHERE id = 1"),
            placements: try PlacementColumns.fetchAll(db, sql: """
                SELECT s.split, s.label AS split_label, s.excluded, r.action AS review_action, r.new_label AS review_label, f.rejected
                FROM face_splits s JOIN faces f ON f.id = s.face_id LEFT JOIN face_reviews r ON r.face_id = s.face_id
                """))
        for row in try Row.fetchAll(db, sql: "SELECT action, COUNT(*) AS n FROM face_reviews GROUP BY action") {
            s.reviewed[row["action"]] = row["n"]
        }
    }
}
