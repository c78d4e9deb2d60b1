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
            try Self.migrator.migrate(pool)
        } catch {
            throw CurateError("cannot open catalog \(path): \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: urls, labels, images") { db in
            try db.execute(sql: """
                CREATE TABLE images (
                    sha256 TEXT PRIMARY KEY NOT NULL,
                    path TEXT NOT NULL,
                    format TEXT NOT NULL,
                    width INTEGER NOT NULL,
                    height INTEGER NOT NULL,
                    bytes INTEGER NOT NULL,
                    first_fetched_at DATETIME NOT NULL
                );
                CREATE TABLE urls (
                    id INTEGER PRIMARY KEY,
                    url TEXT NOT NULL UNIQUE,
                    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fetched', 'failed')),
                    final_url TEXT,
                    http_status INTEGER,
                    content_type TEXT,
                    bytes INTEGER,
                    sha256 TEXT,
                    format TEXT,
                    width INTEGER,
                    height INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    elapsed_s REAL,
                    fetched_at DATETIME,
                    error TEXT,
                    error_detail TEXT,
                    CHECK (state != 'fetched' OR sha256 IS NOT NULL)
                );
                CREATE INDEX urls_state ON urls(state);
                CREATE INDEX urls_sha256 ON urls(sha256);
                CREATE TABLE url_labels (
                    url_id INTEGER NOT NULL REFERENCES urls(id),
                    label TEXT NOT NULL,
                    list_file TEXT NOT NULL,
                    line INTEGER NOT NULL,
                    PRIMARY KEY (url_id, label, list_file)
                ) WITHOUT ROWID;
                CREATE INDEX url_labels_label ON url_labels(label);
                """)
        }
        m.registerMigration("v2: perceptual hashes and near-duplicate clusters") { db in
            try db.execute(sql: """
                ALTER TABLE images ADD COLUMN phash INTEGER;
                ALTER TABLE images ADD COLUMN dhash INTEGER;
                ALTER TABLE images ADD COLUMN hash_error TEXT;
                ALTER TABLE images ADD COLUMN cluster_id INTEGER REFERENCES clusters(id);
                ALTER TABLE images ADD COLUMN canonical INTEGER NOT NULL DEFAULT 1;
                CREATE INDEX images_cluster ON images(cluster_id);
                CREATE TABLE clusters (
                    id INTEGER PRIMARY KEY,
                    canonical_sha256 TEXT NOT NULL REFERENCES images(sha256),
                    size INTEGER NOT NULL,
                    labels TEXT NOT NULL,
                    conflict INTEGER NOT NULL,
                    threshold INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v3: face scans and faces") { db in
            try db.execute(sql: """
                CREATE TABLE face_scans (
                    image_sha256 TEXT PRIMARY KEY NOT NULL REFERENCES images(sha256),
                    faces INTEGER NOT NULL,
                    error TEXT,
                    settings TEXT NOT NULL,
                    scanned_at DATETIME NOT NULL
                );
                CREATE TABLE faces (
                    id INTEGER PRIMARY KEY,
                    image_sha256 TEXT NOT NULL REFERENCES images(sha256),
                    idx INTEGER NOT NULL,
                    x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
                    probability REAL NOT NULL,
                    landmarks TEXT NOT NULL,
                    crop_path TEXT NOT NULL,
                    method TEXT NOT NULL,
                    UNIQUE (image_sha256, idx)
                );
                """)
        }
        m.registerMigration("v4: split assignments") { db in
            // One row per face: its split, or why it is left out. A rescanned image's faces
            // are deleted and re-inserted; their assignments go with them.
            try db.execute(sql: """
                CREATE TABLE face_splits (
                    face_id INTEGER PRIMARY KEY REFERENCES faces(id) ON DELETE CASCADE,
                    split TEXT,
                    group_key TEXT NOT NULL,
                    label TEXT,
                    excluded TEXT,
                    CHECK ((split IS NULL) != (excluded IS NULL))
                );
                CREATE TABLE split_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    ratio TEXT NOT NULL,
                    seed INTEGER NOT NULL,
                    excluded_counts TEXT NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                """)
        }
        m.registerMigration("v5: classifier outputs and mislabel scores") { db in
            // face_probs keeps every model's output (features as little-endian float32 blobs);
            // face_scores holds the current ranking, replaced as a whole by each `curate score`.
            try db.execute(sql: """
                CREATE TABLE face_probs (
                    face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
                    model TEXT NOT NULL,
                    probs BLOB NOT NULL,
                    features BLOB NOT NULL,
                    PRIMARY KEY (face_id, model)
                );
                CREATE TABLE face_scores (
                    face_id INTEGER PRIMARY KEY REFERENCES faces(id) ON DELETE CASCADE,
                    model TEXT NOT NULL,
                    probs TEXT NOT NULL,
                    label TEXT NOT NULL,
                    predicted TEXT NOT NULL,
                    self_confidence REAL NOT NULL,
                    margin REAL NOT NULL,
                    flagged INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v6: label history") { db in
            // Append-only: every review decision is a row; an undo is a row naming the one it
            // takes back. A face's live decision is its latest row not taken back (face_reviews).
            try db.execute(sql: """
                CREATE TABLE label_history (
                    id INTEGER PRIMARY KEY,
                    face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
                    action TEXT NOT NULL CHECK (action IN ('relabel', 'accept', 'reject', 'undo')),
                    old_label TEXT,
                    new_label TEXT,
                    undoes INTEGER REFERENCES label_history(id) ON DELETE CASCADE,
                    reviewer TEXT NOT NULL,
                    at DATETIME NOT NULL,
                    CHECK ((action = 'undo') = (undoes IS NOT NULL)),
                    CHECK (action NOT IN ('relabel', 'accept') OR new_label IS NOT NULL)
                );
                CREATE INDEX label_history_face ON label_history(face_id);
                CREATE UNIQUE INDEX label_history_undoes ON label_history(undoes);
                CREATE VIEW face_reviews AS
                    SELECT h.face_id, h.action, h.new_label, h.reviewer, h.at FROM label_history h
                    WHERE h.id = (SELECT MAX(x.id) FROM label_history x
                                  WHERE x.face_id = h.face_id AND x.action != 'undo'
                                    AND NOT EXISTS (SELECT 1 FROM label_history u WHERE u.undoes = x.id));
                """)
        }
        m.registerMigration("v7: EXIF orientation") { db in
            // width/height are the shown size (after orientation) from v7 on; NULL here means
            // the image was recorded before curate read orientation.
            try db.execute(sql: "ALTER TABLE images ADD COLUMN orientation INTEGER")
        }
        m.registerMigration("v8: face quality gate") { db in
            // The gate's measurements (NULL for faces found before v8: `curate faces` measures
            // them on its next run) and the reason it left the face out (NULL = kept).
            try db.execute(sql: """
                ALTER TABLE faces ADD COLUMN size_px REAL;
                ALTER TABLE faces ADD COLUMN inside REAL;
                ALTER TABLE faces ADD COLUMN sharpness REAL;
                ALTER TABLE faces ADD COLUMN brightness REAL;
                ALTER TABLE faces ADD COLUMN rejected TEXT;
                """)
        }
        m.registerMigration("v9: label conflicts in the review queue") { db in
            // A conflicting face is scored too, with no label and its sources' labels as
            // candidates. face_scores is derived (each `curate score` replaces it): rebuilt as is.
            try db.execute(sql: """
                CREATE TABLE face_scores_v9 (
                    face_id INTEGER PRIMARY KEY REFERENCES faces(id) ON DELETE CASCADE,
                    model TEXT NOT NULL,
                    probs TEXT NOT NULL,
                    label TEXT,
                    candidates TEXT,
                    predicted TEXT NOT NULL,
                    self_confidence REAL NOT NULL,
                    margin REAL NOT NULL,
                    flagged INTEGER NOT NULL
                );
                INSERT INTO face_scores_v9 (face_id, model, probs, label, predicted, self_confidence, margin, flagged)
                    SELECT face_id, model, probs, label, predicted, self_confidence, margin, flagged FROM face_scores;
                DROP TABLE face_scores;
                ALTER TABLE face_scores_v9 RENAME TO face_scores;
                """)
        }
        m.registerMigration("v10: images in list order") { db in
            // Where each image first appears in the URL lists (its first URL's id), as a column:
            // scan order, face ids, cluster ids and export order follow it, never the order
            // downloads happened to finish in (rowid). Filled in place for existing images.
            try db.execute(sql: """
                ALTER TABLE images ADD COLUMN seq INTEGER;
                UPDATE images SET seq = (SELECT MIN(u.id) FROM urls u WHERE u.sha256 = images.sha256);
                CREATE INDEX images_seq ON images(seq);
                """)
        }
        return m
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

    public func urlsToFetch(retryFailed: Bool) throws -> [PendingURL] {
        let states = retryFailed ? "('pending', 'failed')" : "('pending')"
        return try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, url FROM urls WHERE state IN \(states) ORDER BY id")
                .map { PendingURL(id: $0["id"], url: $0["url"]) }
        }
    }

    @discardableResult
    public func record(_ outcomes: [FetchOutcome]) throws -> Int {
        guard !outcomes.isEmpty else { return 0 }
        return try pool.write { db in
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
                s.faces = .init(total: r["faces"], imagesScanned: r["scanned"], imagesWithFaces: r["with"],
                                imagesWithoutFace: r["without"], failed: r["failed"])
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

    public func failedURLs(reason: String?) throws -> [URLProvenance] {
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
        for row in try Row.fetchAll(db, sql: labelSQL, arguments: arguments) {
            labels[row["url_id"], default: []].append(URLLabel(label: row["label"], listFile: row["list_file"]))
        }
        return try Row.fetchAll(db, sql: "SELECT * FROM urls \(clause) ORDER BY id", arguments: arguments).map { r in
            URLProvenance(
                id: r["id"], url: r["url"], state: r["state"], finalURL: r["final_url"],
                httpStatus: r["http_status"], contentType: r["content_type"], bytes: r["bytes"],
                sha256: r["sha256"], format: r["format"], width: r["width"], height: r["height"],
                attempts: r["attempts"], elapsedSeconds: r["elapsed_s"], fetchedAt: r["fetched_at"],
                error: r["error"], errorDetail: r["error_detail"], labels: labels[r["id"]] ?? [])
        }
    }
}
