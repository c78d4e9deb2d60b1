import CatalogRows
import CurateCore
import Foundation
import GRDB

/// Hashes are 64-bit unsigned; SQLite integers are signed, so they are stored bit-cast.
@inline(__always) func toDB(_ h: UInt64?) -> Int64? { h.map { Int64(bitPattern: $0) } }
@inline(__always) func fromDB(_ v: Int64?) -> UInt64? { v.map { UInt64(bitPattern: $0) } }

extension SQLiteCatalog {
    public func imagesToHash(shard: Int64?) throws -> [ImageToHash] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT sha256, path FROM images WHERE phash IS NULL AND hash_error IS NULL\(Self.inShard("sha256", shard)) ORDER BY \(Self.listOrder("images"))
                """).map { ImageToHash(sha256: $0["sha256"], path: $0["path"]) }
        }
    }

    public func recordHashes(_ hashes: [ImageHashes], lease: ShardLease?) throws {
        guard !hashes.isEmpty else { return }
        try pool.write { db in
            try Self.hold(lease, db)
            let st = try db.cachedStatement(sql: "UPDATE images SET phash = ?, dhash = ?, hash_error = ? WHERE sha256 = ?")
            for h in hashes { try st.execute(arguments: [toDB(h.phash), toDB(h.dhash), h.error, h.sha256]) }
        }
    }

    public func hashedImages() throws -> [HashedImage] {
        try pool.read { db in
            let labels = try Self.distinctLabels(db)
            return try Row.fetchAll(db, sql: """
                SELECT \(Self.listOrder("images")) AS list_order, sha256, phash, width * height AS pixels
                FROM images WHERE phash IS NOT NULL ORDER BY list_order, sha256
                """).map { r in
                HashedImage(listOrder: r["list_order"] ?? Int64.max, sha256: r["sha256"], phash: fromDB(r["phash"])!,
                            pixels: r["pixels"], labels: labels[r["sha256"]] ?? [])
            }
        }
    }

    public func labelConflicts() throws -> [LabelConflict] {
        try pool.read { db in
            // Every image that is in a conflict: a conflicting cluster's members, or an image
            // outside clusters whose fetched URLs carry more than one label.
            let rows = try Row.fetchAll(db, sql: """
                SELECT i.sha256, i.path, i.canonical, i.cluster_id FROM images i
                WHERE i.cluster_id IN (SELECT id FROM clusters WHERE conflict = 1)
                   OR (i.cluster_id IS NULL AND (
                       SELECT COUNT(DISTINCT l.label) FROM urls u JOIN url_labels l ON l.url_id = u.id
                       WHERE u.sha256 = i.sha256 AND u.state = 'fetched') > 1)
                ORDER BY i.cluster_id IS NULL, i.cluster_id, \(Self.listOrder("i")), i.sha256
                """)
            let sources = try db.cachedStatement(sql: """
                SELECT u.url, l.label, l.list_file, l.line FROM urls u JOIN url_labels l ON l.url_id = u.id
                WHERE u.sha256 = ? AND u.state = 'fetched' ORDER BY u.id, l.label
                """)
            let faces = try db.cachedStatement(sql: """
                SELECT f.id, r.action FROM faces f LEFT JOIN face_reviews r ON r.face_id = f.id
                WHERE f.image_sha256 = ? ORDER BY f.idx
                """)
            var out: [LabelConflict] = []
            for r in rows {
                let sha: String = r["sha256"]
                let member = LabelConflict.Member(
                    sha256: sha, path: r["path"], canonical: r["canonical"],
                    sources: try Row.fetchAll(sources, arguments: [sha]).map {
                        LabelConflict.Source(url: $0["url"], label: $0["label"], listFile: $0["list_file"], line: $0["line"])
                    })
                let cluster: Int64? = r["cluster_id"]
                if cluster == nil || out.last?.cluster != cluster {
                    out.append(LabelConflict(cluster: cluster, labels: [], members: [], faces: [], settled: 0))
                }
                out[out.count - 1].members.append(member)
                if member.canonical {
                    for f in try Row.fetchAll(faces, arguments: [sha]) {
                        out[out.count - 1].faces.append(f["id"])
                        if (f["action"] as String?) != nil { out[out.count - 1].settled += 1 }
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
    static func distinctLabels(_ db: Database) throws -> [String: [String]] {
        var labels: [String: [String]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT DISTINCT u.sha256, l.label FROM urls u JOIN url_labels l ON l.url_id = u.id
            WHERE u.state = 'fetched' ORDER BY u.sha256, l.label
            """) {
            labels[row["sha256"], default: []].append(row["label"])
        }
        return labels
    }

    public func replaceClusters(_ clusters: [ClusterRecord], threshold: Int) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE images SET cluster_id = NULL, canonical = 1 WHERE cluster_id IS NOT NULL")
            try db.execute(sql: "DELETE FROM clusters")
            let insert = try db.cachedStatement(sql: """
                INSERT INTO clusters (id, canonical_sha256, size, labels, conflict, threshold) VALUES (?, ?, ?, ?, ?, ?)
                """)
            let member = try db.cachedStatement(sql: "UPDATE images SET cluster_id = ?, canonical = ? WHERE sha256 = ?")
            for c in clusters {
                try insert.execute(arguments: [c.id, c.canonical, c.members.count, c.labels.joined(separator: ","),
                                               c.conflict, threshold])
                for m in c.members { try member.execute(arguments: [c.id, m == c.canonical, m]) }
            }
        }
    }

    public func clusterListings() throws -> [ClusterListing] {
        try pool.read { db in
            var sources: [String: [(url: String, labels: [String])]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT u.sha256, u.url, group_concat(l.label, ',') AS labels
                FROM images i JOIN urls u ON u.sha256 = i.sha256 AND u.state = 'fetched'
                LEFT JOIN url_labels l ON l.url_id = u.id
                WHERE i.cluster_id IS NOT NULL GROUP BY u.id ORDER BY u.id
                """) {
                let labels = (row["labels"] as String?)?.split(separator: ",").map(String.init) ?? []
                sources[row["sha256"], default: []].append((row["url"], Array(Set(labels)).sorted()))
            }
            var members: [Int64: [ClusterListing.Member]] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT cluster_id, sha256, path, canonical, width, height, phash FROM images
                WHERE cluster_id IS NOT NULL ORDER BY cluster_id, canonical DESC, \(Self.listOrder("images")), sha256
                """) {
                members[r["cluster_id"], default: []].append(ClusterListing.Member(
                    sha256: r["sha256"], path: r["path"], canonical: r["canonical"], width: r["width"], height: r["height"],
                    phash: fromDB(r["phash"]) ?? 0, sources: sources[r["sha256"]] ?? []))
            }
            return try Row.fetchAll(db, sql: "SELECT id, labels, conflict FROM clusters ORDER BY conflict DESC, id").map { r in
                let id: Int64 = r["id"]
                return ClusterListing(id: id, labels: (r["labels"] as String).split(separator: ",").map(String.init),
                                      conflict: r["conflict"], members: members[id] ?? [])
            }
        }
    }

    public func imageExportRows() throws -> [ImageExportRow] {
        try pool.read { db in
            var urls: [String: [String]] = [:]
            var labels: [String: Set<String>] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT u.sha256, u.url, l.label FROM urls u LEFT JOIN url_labels l ON l.url_id = u.id
                WHERE u.state = 'fetched' ORDER BY u.id
                """) {
                let sha: String = row["sha256"], url: String = row["url"]
                if urls[sha]?.last != url { urls[sha, default: []].append(url) }
                if let l: String = row["label"] { labels[sha, default: []].insert(l) }
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM images ORDER BY \(Self.listOrder("images")), sha256").map { r in
                let sha: String = r["sha256"]
                return ImageExportRow(
                    sha256: sha, path: r["path"], format: r["format"], width: r["width"], height: r["height"],
                    orientation: r["orientation"], bytes: r["bytes"], urls: urls[sha] ?? [], labels: (labels[sha] ?? []).sorted(),
                    phash: fromDB(r["phash"]).map(hex16), dhash: fromDB(r["dhash"]).map(hex16),
                    cluster: r["cluster_id"], canonical: r["canonical"])
            }
        }
    }
}
