import CatalogRows
import CurateCore
import Foundation
import GRDB

extension SQLiteCatalog {
    /// Every schema change in order. Released migrations are never edited: a catalog made by any
    /// earlier release migrates in place on its next open.
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
        m.registerMigration("v11: the work queue") { db in
            // Shards of per-item work that processes lease (SQLiteCatalog+Queue.swift). Times are
            // unix seconds by the catalog's clock. shard_items names an open shard's items (as
            // text: url ids, image sha256s, face ids); a shard's rows go when it is done.
            try db.execute(sql: """
                CREATE TABLE shards (
                    id INTEGER PRIMARY KEY,
                    stage TEXT NOT NULL,
                    parameter TEXT NOT NULL DEFAULT '',
                    site TEXT,
                    state TEXT NOT NULL CHECK (state IN ('ready', 'leased', 'done', 'failed')),
                    items INTEGER NOT NULL,
                    token TEXT,
                    worker TEXT,
                    leased_at REAL,
                    lease_until REAL,
                    lease_seconds REAL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    error TEXT,
                    created_at REAL NOT NULL,
                    done_at REAL
                );
                CREATE INDEX shards_queue ON shards(stage, parameter, state, id);
                CREATE TABLE shard_items (
                    shard_id INTEGER NOT NULL REFERENCES shards(id) ON DELETE CASCADE,
                    item TEXT NOT NULL,
                    PRIMARY KEY (shard_id, item)
                ) WITHOUT ROWID;
                CREATE INDEX shard_items_item ON shard_items(item, shard_id);
                CREATE TABLE workers (
                    key TEXT PRIMARY KEY,
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    started TEXT NOT NULL,
                    stages TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    heartbeat_at REAL NOT NULL
                );
                """)
        }
        m.registerMigration("v12: catalog settings") { db in
            // Facts about the catalog itself, e.g. the blob store its rows' paths name (`--store`).
            try db.execute(sql: "CREATE TABLE catalog_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        }
        return m
    }
}
