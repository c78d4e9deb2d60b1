import CatalogRows
import CurateCore
import Foundation

extension PostgresCatalog {
    /// Counts of every stage, read from one snapshot (a fetch committing meanwhile does not
    /// make the totals disagree).
    public func status() throws -> CatalogStatus {
        try db.read { tx in
            var s = CatalogStatus()
            for row in try tx.fetchAll("SELECT state, COUNT(*) AS n FROM urls GROUP BY state") {
                let n: Int = try row["n"]
                let state: String = try row["state"]
                switch state {
                case "fetched": s.urls.fetched = n
                case "failed": s.urls.failed = n
                default: s.urls.pending = n
                }
            }
            s.urls.total = s.urls.fetched + s.urls.failed + s.urls.pending
            for row in try tx.fetchAll("SELECT error, COUNT(*) AS n FROM urls WHERE state = 'failed' GROUP BY error") {
                let error: String? = try row["error"], n: Int = try row["n"]
                s.failures[error ?? "unknown"] = n
            }
            s.images.total = try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM images") ?? 0
            s.images.hashed = try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM images WHERE phash IS NOT NULL") ?? 0
            s.images.inClusters = try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM images WHERE cluster_id IS NOT NULL") ?? 0
            s.images.clusters = try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM clusters") ?? 0
            s.images.conflicts = try tx.fetchValue(Int.self, """
                SELECT (SELECT COUNT(*) FROM clusters WHERE conflict = 1) + (
                    SELECT COUNT(*) FROM (
                        SELECT i.sha256 FROM images i
                        JOIN urls u ON u.sha256 = i.sha256 AND u.state = 'fetched'
                        JOIN url_labels l ON l.url_id = u.id
                        WHERE i.cluster_id IS NULL
                        GROUP BY i.sha256 HAVING COUNT(DISTINCT l.label) > 1) AS disagreeing)
                """) ?? 0
            // `COUNT(*) FILTER`: PostgreSQL does not sum booleans. `SUM(faces)` is numeric (read as Int).
            if let r = try tx.fetchOne("""
                SELECT COUNT(*) AS scanned, COUNT(*) FILTER (WHERE faces > 0) AS "with",
                       COUNT(*) FILTER (WHERE faces = 0 AND error IS NULL) AS "without",
                       COALESCE(SUM(faces), 0) AS faces, COUNT(*) FILTER (WHERE error IS NOT NULL) AS failed FROM face_scans
                """) {
                s.faces.total = try r["faces"]
                s.faces.imagesScanned = try r["scanned"]
                s.faces.imagesWithFaces = try r["with"]
                s.faces.imagesWithoutFace = try r["without"]
                s.faces.failed = try r["failed"]
            }
            for row in try tx.fetchAll("SELECT rejected, COUNT(*) AS n FROM faces WHERE rejected IS NOT NULL GROUP BY 1") {
                let reason: String = try row["rejected"], n: Int = try row["n"]
                s.faces.rejected[reason] = n
            }
            for row in try tx.fetchAll("""
                SELECT l.label, COUNT(DISTINCT u.sha256) AS n
                FROM url_labels l JOIN urls u ON u.id = l.url_id
                WHERE u.state = 'fetched' GROUP BY l.label
                """) {
                let label: String = try row["label"], n: Int = try row["n"]
                s.labels[label] = n
            }
            try Self.splitStatus(tx, into: &s)
            s.scored = try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM face_scores") ?? 0
            s.flagged = try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM face_scores WHERE flagged = 1") ?? 0
            return s
        }
    }
}
