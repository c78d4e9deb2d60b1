import CatalogRows
import CurateCore
import Foundation
import GRDB

/// The catalog in SQLite (WAL), through GRDB. The only file in the project with SQL.
public final class SQLiteCatalog: Catalog, CatalogInspection {
    let pool: DatabasePool

    /// The newest migration this build knows (`curate --version` prints it).
    public static var schemaVersion: String { migrator.migrations.last.map { String($0.prefix { $0 != ":" }) } ?? "none" }

    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            // WAL + NORMAL survives a killed process; only power loss can drop the last commit.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw CurateError("cannot open catalog \(path): \(error)")
        }
        // A newer curate's catalog is refused before anything writes to it: this build does not
        // know what its later migrations changed. An up-to-date one is not migrated at all, so
        // opening it (`curate status` while a fetch runs) takes no write lock.
        let (unknown, missing) = try pool.read { db -> ([String], Bool) in
            let applied = try Self.migrator.appliedIdentifiers(db)
            let known = Set(Self.migrator.migrations)
            return (applied.subtracting(known).sorted(), !known.isSubset(of: applied))
        }
        guard unknown.isEmpty else {
            throw CurateError("catalog \(path) was made by a newer curate (schema \(unknown.joined(separator: ", "))); "
                + "this build knows up to \(Self.schemaVersion): upgrade curate to open it")
        }
        guard missing else { return }
        do { try Self.migrator.migrate(pool) }
        catch { throw CurateError("cannot migrate catalog \(path) to \(Self.schemaVersion): \(error)") }
    }

    public func addURLs(_ entries: [URLEntry]) throws -> AddSummary {
        try pool.write { db in
            var summary = AddSummary()
            let insertURL = try db.cachedStatement(sql: "INSERT INTO urls (url) VALUES (?) ON CONFLICT (url) DO NOTHING")
            let findURL = try db.cachedStatement(sql: "SELECT id FROM urls WHERE url = ?")
            let insertLabel = try db.cachedStatement(sql: """
                INSERT INTO url_labels (url_id, label, list_file, line) VALUES (?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """)
            for e in entries {
                try insertURL.execute(arguments: [e.url])
                summary.newURLs += db.changesCount
                guard let id = try Int64.fetchOne(findURL, arguments: [e.url]) else { continue }
                try insertLabel.execute(arguments: [id, e.label, e.listFile, e.line])
                summary.newLabels += db.changesCount
            }
            return summary
        }
    }

    public func urlsToFetch(retryFailed: Bool, shard: Int64?) throws -> [PendingURL] {
        let states = retryFailed ? "('pending', 'failed')" : "('pending')"
        return try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, url FROM urls WHERE state IN \(states)\(Self.inShard("id", shard, integer: true)) ORDER BY id")
                .map { PendingURL(id: $0["id"], url: $0["url"]) }
        }
    }

    @discardableResult
    public func record(_ outcomes: [FetchOutcome], lease: ShardLease?) throws -> Int {
        guard !outcomes.isEmpty else { return 0 }
        return try pool.write { db in
            try Self.hold(lease, db)
            var duplicates = 0
            let insertImage = try db.cachedStatement(sql: """
                INSERT INTO images (sha256, path, format, width, height, bytes, first_fetched_at, orientation, seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING
                """)
            // Another URL of a stored image may come earlier in the lists (retries finish late).
            let earlier = try db.cachedStatement(sql: "UPDATE images SET seq = ? WHERE sha256 = ? AND (seq IS NULL OR seq > ?)")
            let update = try db.cachedStatement(sql: """
                UPDATE urls SET state = ?, final_url = ?, http_status = ?, content_type = ?, bytes = ?,
                    sha256 = ?, format = ?, width = ?, height = ?, attempts = attempts + ?,
                    elapsed_s = ?, fetched_at = ?, error = ?, error_detail = ?
                WHERE id = ?
                """)
            for o in outcomes {
                if let img = o.image {
                    try insertImage.execute(arguments: [img.sha256, img.path, img.format, img.width,
                                                        img.height, img.bytes, o.fetchedAt, img.orientation, o.urlID])
                    if db.changesCount == 0 {
                        duplicates += 1
                        try earlier.execute(arguments: [o.urlID, img.sha256, o.urlID])
                    }
                }
                let state = o.image != nil ? "fetched" : "failed"
                try update.execute(arguments: [state, o.finalURL, o.httpStatus, o.contentType, o.bytes,
                                               o.sha256, o.format, o.width, o.height, o.attempts,
                                               o.elapsedSeconds, o.fetchedAt, o.error, o.errorDetail, o.urlID])
            }
            return duplicates
        }
    }

    public func status() throws -> CatalogStatus {
        try pool.read { db in
            var s = CatalogStatus()
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM urls GROUP BY state") {
                let n: Int = row["n"]
                switch row["state"] as String {
                case "fetched": s.urls.fetched = n
                case "failed": s.urls.failed = n
                default: s.urls.pending = n
                }
            }
            s.urls.total = s.urls.fetched + s.urls.failed + s.urls.pending
            for row in try Row.fetchAll(db, sql: """
                SELECT error, COUNT(*) AS n FROM urls WHERE state = 'failed' GROUP BY error
                """) {
                s.failures[row["error"] ?? "unknown"] = row["n"]
            }
            s.images.total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM images") ?? 0
            s.images.hashed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM images WHERE phash IS NOT NULL") ?? 0
            s.images.inClusters = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM images WHERE cluster_id IS NOT NULL") ?? 0
            s.images.clusters = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM clusters") ?? 0
            s.images.conflicts = try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM clusters WHERE conflict = 1) + (
                    SELECT COUNT(*) FROM (
                        SELECT i.sha256 FROM images i
                        JOIN urls u ON u.sha256 = i.sha256 AND u.state = 'fetched'
                        JOIN url_labels l ON l.url_id = u.id
                        WHERE i.cluster_id IS NULL
                        GROUP BY i.sha256 HAVING COUNT(DISTINCT l.label) > 1))
                """) ?? 0
            if let r = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS scanned, COALESCE(SUM(faces > 0), 0) AS with, COALESCE(SUM(faces = 0 AND error IS NULL), 0) AS without,
                       COALESCE(SUM(faces), 0) AS faces, COALESCE(SUM(error IS NOT NULL), 0) AS failed FROM face_scans
                """) {
                s.faces.total = r["faces"]
                s.faces.imagesScanned = r["scanned"]
                s.faces.imagesWithFaces = r["with"]
                s.faces.imagesWithoutFace = r["without"]
                s.faces.failed = r["failed"]
            }
            for row in try Row.fetchAll(db, sql: "SELECT rejected, COUNT(*) AS n FROM faces WHERE rejected IS NOT NULL GROUP BY 1") {
                s.faces.rejected[row["rejected"]] = row["n"]
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT l.label, COUNT(DISTINCT u.sha256) AS n
                FROM url_labels l JOIN urls u ON u.id = l.url_id
                WHERE u.state = 'fetched' GROUP BY l.label
                """) {
                s.labels[row["label"]] = row["n"]
            }
            try Self.splitStatus(db, into: &s)
            s.scored = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM face_scores") ?? 0
            s.flagged = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM face_scores WHERE flagged = 1") ?? 0
            return s
        }
    }

    public func provenance(url: String) throws -> URLProvenance? {
        try pool.read { db in
            try Self.provenance(db, where: "WHERE url = ?", arguments: [url]).first
        }
    }

    public func allProvenance() throws -> [URLProvenance] {
        try pool.read { db in try Self.provenance(db, where: "", arguments: []) }
    }

    public func failedURLs(reason: FetchFailure?) throws -> [URLProvenance] {
        try pool.read { db in
            try Self.provenance(db, where: "WHERE state = 'failed'" + (reason == nil ? "" : " AND error = ?"),
                                arguments: StatementArguments(reason.map { [$0] } ?? []))
        }
    }

    private static func provenance(_ db: Database, where clause: String, arguments: StatementArguments) throws -> [URLProvenance] {
        var labels: [Int64: [URLLabel]] = [:]
        let labelSQL = clause.isEmpty
            ? "SELECT url_id, label, list_file FROM url_labels ORDER BY url_id, label, list_file"
            : "SELECT url_id, label, list_file FROM url_labels WHERE url_id IN (SELECT id FROM urls \(clause)) ORDER BY label, list_file"
        for row in try URLLabelRow.fetchAll(db, sql: labelSQL, arguments: arguments) {
            labels[row.urlID, default: []].append(URLLabel(label: row.label, listFile: row.listFile))
        }
        return try URLRow.fetchAll(db, sql: "SELECT * FROM urls \(clause) ORDER BY id", arguments: arguments).map { r in
            r.provenance(labels: labels[r.id] ?? [])
        }
    }
}
