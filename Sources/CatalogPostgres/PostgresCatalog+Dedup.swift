import CatalogRows
import CurateCore
import Foundation

/// Hashes are 64-bit unsigned; PostgreSQL's BIGINT is signed, so they are stored bit-cast (the
/// same values the SQLite backend stores).
@inline(__always) func toDB(_ h: UInt64?) -> Int64? { h.map { Int64(bitPattern: $0) } }
@inline(__always) func fromDB(_ v: Int64?) -> UInt64? { v.map { UInt64(bitPattern: $0) } }

// Orders follow the SQLite backend exactly: text columns are `COLLATE "C"` (SQLite's binary
// order, whatever the database's collation), and `images.seq` is never NULL here.
extension PostgresCatalog {
    public func imagesToHash(shard: Int64?) throws -> [ImageToHash] {
        try db.read { tx in
            try tx.fetchAll("""
                SELECT sha256, path FROM images WHERE phash IS NULL AND hash_error IS NULL\(Self.inShard("sha256", shard))
                ORDER BY \(Self.listOrder("images"))
                """).map { ImageToHash(sha256: try $0["sha256"], path: try $0["path"]) }
        }
    }

    public func recordHashes(_ hashes: [ImageHashes], lease: ShardLease?) throws {
        guard !hashes.isEmpty else { return }
        var batch = PGBatch()
        for h in hashes {
            batch.append(["sha256": .text(h.sha256), "phash": pg(toDB(h.phash)),
                          "dhash": pg(toDB(h.dhash)), "error": pg(h.error)])
        }
        try db.write { tx in
            try Self.hold(lease, tx)
            try tx.execute("""
                UPDATE images i SET phash = x.phash, dhash = x.dhash, hash_error = x.error
                FROM \(PGBatch.lastRows(per: "sha256", "sha256 text, phash bigint, dhash bigint, error text"))
                WHERE i.sha256 = x.sha256
                """, [batch])
        }
    }

    public func hashedImages() throws -> [HashedImage] {
        try db.read { tx in
            let labels = try Self.distinctLabels(tx)
            return try tx.fetchAll("""
                SELECT \(Self.listOrder("images")) AS list_order, sha256, phash, width * height AS pixels
                FROM images WHERE phash IS NOT NULL ORDER BY list_order, sha256
                """).map { r in
                let sha: String = try r["sha256"]
                let phash: Int64 = try r["phash"]
                return HashedImage(listOrder: try r["list_order"], sha256: sha, phash: fromDB(phash)!,
                                   pixels: try r["pixels"], labels: labels[sha] ?? [])
            }
        }
    }

    public func labelConflicts() throws -> [LabelConflict] {
        try db.read { tx in
            // Every image that is in a conflict: a conflicting cluster's members, or an image
            // outside clusters whose fetched URLs carry more than one label.
            let rows = try tx.fetchAll("""
                SELECT i.sha256, i.path, i.canonical, i.cluster_id FROM images i
                WHERE i.cluster_id IN (SELECT id FROM clusters WHERE conflict = 1)
                   OR (i.cluster_id IS NULL AND (
                       SELECT COUNT(DISTINCT l.label) FROM urls u JOIN url_labels l ON l.url_id = u.id
                       WHERE u.sha256 = i.sha256 AND u.state = 'fetched') > 1)
                ORDER BY i.cluster_id IS NULL, i.cluster_id, \(Self.listOrder("i")), i.sha256
                """)
            // The members' sources and the kept members' faces in one query each (SQLite asks
            // per member; here each question is a round trip).
            var members = PGBatch(), kept = PGBatch()
            for r in rows {
                let sha: String = try r["sha256"], canonical: Bool = try r["canonical"]
                members.append(["sha256": .text(sha)])
                if canonical { kept.append(["sha256": .text(sha)]) }
            }
            var sources: [String: [LabelConflict.Source]] = [:]
            if !members.isEmpty {
                // list_file breaks ties as SQLite's (url_id, label, list_file) key index does.
                for s in try tx.fetchAll("""
                    SELECT u.sha256, u.url, l.label, l.list_file, l.line FROM urls u JOIN url_labels l ON l.url_id = u.id
                    WHERE u.sha256 IN (SELECT x.sha256 FROM jsonb_to_recordset(?::jsonb) AS x(sha256 text)) AND u.state = 'fetched'
                    ORDER BY u.id, l.label, l.list_file
                    """, [members]) {
                    let sha: String = try s["sha256"]
                    sources[sha, default: []].append(LabelConflict.Source(
                        url: try s["url"], label: try s["label"], listFile: try s["list_file"], line: try s["line"]))
                }
            }
            var faces: [String: [(id: Int64, settled: Bool)]] = [:]
            if !kept.isEmpty {
                for f in try tx.fetchAll("""
                    SELECT f.image_sha256, f.id, r.action FROM faces f LEFT JOIN face_reviews r ON r.face_id = f.id
                    WHERE f.image_sha256 IN (SELECT x.sha256 FROM jsonb_to_recordset(?::jsonb) AS x(sha256 text))
                    ORDER BY f.image_sha256, f.idx
                    """, [kept]) {
                    let sha: String = try f["image_sha256"], id: Int64 = try f["id"], action: String? = try f["action"]
                    faces[sha, default: []].append((id, action != nil))
                }
            }
            var out: [LabelConflict] = []
            for r in rows {
                let sha: String = try r["sha256"]
                let member = LabelConflict.Member(sha256: sha, path: try r["path"], canonical: try r["canonical"],
                                                  sources: sources[sha] ?? [])
                let cluster: Int64? = try r["cluster_id"]
                if cluster == nil || out.last?.cluster != cluster {
                    out.append(LabelConflict(cluster: cluster, labels: [], members: [], faces: [], settled: 0))
                }
                out[out.count - 1].members.append(member)
                if member.canonical {
                    for f in faces[sha] ?? [] {
                        out[out.count - 1].faces.append(f.id)
                        if f.settled { out[out.count - 1].settled += 1 }
                    }
                }
            }
            for i in out.indices { out[i].labels = Array(Set(out[i].members.flatMap { $0.sources.map(\.label) })).sorted() }
            return out
        }
    }

    /// Where an image first appears in the URL lists (`images.seq`, its first URL's id; URL ids
    /// follow list order). Images are ordered by it, not by when they were stored: fetch stores
    /// them as downloads finish, so storage order (and with it face ids, cluster ids and export
    /// names) would change from run to run.
    static func listOrder(_ table: String) -> String { "\(table).seq" }

    /// The distinct labels of each fetched image's URLs, sorted, by sha256.
    static func distinctLabels(_ tx: PGTransaction) throws -> [String: [String]] {
        var labels: [String: [String]] = [:]
        for row in try tx.fetchAll("""
            SELECT DISTINCT u.sha256, l.label FROM urls u JOIN url_labels l ON l.url_id = u.id
            WHERE u.state = 'fetched' ORDER BY 1, 2
            """) {
            let sha: String = try row["sha256"], label: String = try row["label"]
            labels[sha, default: []].append(label)
        }
        return labels
    }

    public func replaceClusters(_ clusters: [ClusterRecord], threshold: Int) throws {
        var rows: [[String: PGValue]] = [], members: [[String: PGValue]] = []
        for c in clusters {
            rows.append(["id": .int(c.id), "canonical_sha256": .text(c.canonical), "size": .int(Int64(c.members.count)),
                         "labels": .text(c.labels.joined(separator: ",")), "conflict": .int(c.conflict ? 1 : 0)])
            for m in c.members {
                members.append(["cluster_id": .int(c.id), "sha256": .text(m),
                                "canonical": .int(m == c.canonical ? 1 : 0)])
            }
        }
        try db.write { tx in
            try tx.lockStage("dedup")
            try tx.execute("UPDATE images SET cluster_id = NULL, canonical = 1 WHERE cluster_id IS NOT NULL")
            try tx.execute("DELETE FROM clusters")
            for batch in PGBatch.chunked(rows) {
                try tx.execute("""
                    INSERT INTO clusters (id, canonical_sha256, size, labels, conflict, threshold)
                    SELECT x.id, x.canonical_sha256, x.size, x.labels, x.conflict, ?::bigint
                    FROM jsonb_to_recordset(?::jsonb) AS x(id bigint, canonical_sha256 text, size bigint, labels text, conflict bigint)
                    """, [threshold, batch])
            }
            // An image in two clusters' member lists: the last one stands (across batches, the
            // later batch's update runs later).
            for batch in PGBatch.chunked(members) {
                try tx.execute("""
                    UPDATE images i SET cluster_id = x.cluster_id, canonical = x.canonical
                    FROM \(PGBatch.lastRows(per: "sha256", "cluster_id bigint, sha256 text, canonical bigint"))
                    WHERE i.sha256 = x.sha256
                    """, [batch])
            }
        }
    }

    public func clusterListings() throws -> [ClusterListing] {
        try db.read { tx in
            var sources: [String: [(url: String, labels: [String])]] = [:]
            for row in try tx.fetchAll("""
                SELECT u.sha256, u.url, string_agg(l.label, ',') AS labels
                FROM images i JOIN urls u ON u.sha256 = i.sha256 AND u.state = 'fetched'
                LEFT JOIN url_labels l ON l.url_id = u.id
                WHERE i.cluster_id IS NOT NULL GROUP BY u.id ORDER BY u.id
                """) {
                let sha: String = try row["sha256"], url: String = try row["url"], joined: String? = try row["labels"]
                let labels = joined?.split(separator: ",").map(String.init) ?? []
                sources[sha, default: []].append((url, Array(Set(labels)).sorted()))
            }
            var members: [Int64: [ClusterListing.Member]] = [:]
            for r in try tx.fetchAll("""
                SELECT cluster_id, sha256, path, canonical, width, height, phash FROM images
                WHERE cluster_id IS NOT NULL
                ORDER BY cluster_id, canonical DESC, \(Self.listOrder("images")), sha256
                """) {
                let cluster: Int64 = try r["cluster_id"], sha: String = try r["sha256"], phash: Int64? = try r["phash"]
                members[cluster, default: []].append(ClusterListing.Member(
                    sha256: sha, path: try r["path"], canonical: try r["canonical"], width: try r["width"],
                    height: try r["height"], phash: fromDB(phash) ?? 0, sources: sources[sha] ?? []))
            }
            return try tx.fetchAll("SELECT id, labels, conflict FROM clusters ORDER BY conflict DESC, id").map { r in
                let id: Int64 = try r["id"], labels: String = try r["labels"]
                return ClusterListing(id: id, labels: labels.split(separator: ",").map(String.init),
                                      conflict: try r["conflict"], members: members[id] ?? [])
            }
        }
    }

    public func imageExportRows() throws -> [ImageExportRow] {
        try db.read { tx in
            var urls: [String: [String]] = [:]
            var labels: [String: Set<String>] = [:]
            for row in try tx.fetchAll("""
                SELECT u.sha256, u.url, l.label FROM urls u LEFT JOIN url_labels l ON l.url_id = u.id
                WHERE u.state = 'fetched' ORDER BY u.id
                """) {
                let sha: String = try row["sha256"], url: String = try row["url"], label: String? = try row["label"]
                if urls[sha]?.last != url { urls[sha, default: []].append(url) }
                if let label { labels[sha, default: []].insert(label) }
            }
            return try tx.fetchAll("""
                SELECT * FROM images ORDER BY \(Self.listOrder("images")), sha256
                """).map { r in
                let sha: String = try r["sha256"], formatCode: String = try r["format"]
                guard let format = ImageFormat(rawValue: formatCode) else {
                    throw CurateError("unknown image format '\(formatCode)' in the catalog (image \(sha))")
                }
                let phash: Int64? = try r["phash"], dhash: Int64? = try r["dhash"]
                return ImageExportRow(
                    sha256: sha, path: try r["path"], format: format, width: try r["width"], height: try r["height"],
                    orientation: try r["orientation"], bytes: try r["bytes"], urls: urls[sha] ?? [],
                    labels: (labels[sha] ?? []).sorted(), phash: fromDB(phash).map(hex16), dhash: fromDB(dhash).map(hex16),
                    cluster: try r["cluster_id"], canonical: try r["canonical"])
            }
        }
    }
}
