import CatalogRows
import CurateCore
import Foundation
import GRDB

extension SQLiteCatalog {
    public func imagesToScan(shard: Int64?) throws -> [ImageToScan] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT sha256, path FROM images
                WHERE canonical = 1 AND sha256 NOT IN (SELECT image_sha256 FROM face_scans)\(Self.inShard("sha256", shard)) ORDER BY \(Self.listOrder("images")), sha256
                """).map { ImageToScan(sha256: $0["sha256"], path: $0["path"]) }
        }
    }

    public func recordFaceScans(_ scans: [FaceScan], lease: ShardLease?) throws {
        guard !scans.isEmpty else { return }
        try pool.write { db in
            try Self.hold(lease, db)
            let clear = try db.cachedStatement(sql: "DELETE FROM faces WHERE image_sha256 = ?")
            let scan = try db.cachedStatement(sql: """
                INSERT INTO face_scans (image_sha256, faces, error, settings, scanned_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (image_sha256) DO UPDATE SET faces = excluded.faces, error = excluded.error,
                    settings = excluded.settings, scanned_at = excluded.scanned_at
                """)
            let face = try db.cachedStatement(sql: """
                INSERT INTO faces (image_sha256, idx, x1, y1, x2, y2, probability, landmarks, crop_path, method,
                                   size_px, inside, sharpness, brightness, rejected)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let now = Date()
            for s in scans {
                try clear.execute(arguments: [s.imageSHA256])
                try scan.execute(arguments: [s.imageSHA256, s.faces.count, s.error, s.settings, now])
                for f in s.faces {
                    let lm = String(decoding: try JSONEncoder().encode(f.landmarks), as: UTF8.self)
                    try face.execute(arguments: [f.imageSHA256, f.index, f.box[0], f.box[1], f.box[2], f.box[3],
                                                 f.probability, lm, f.cropPath, f.method, f.quality?.size,
                                                 f.quality?.inside, f.quality?.sharpness, f.quality?.brightness,
                                                 f.rejected?.rawValue])
                }
            }
        }
    }

    public func faceExportRows() throws -> [FaceExportRow] {
        let images = Dictionary(uniqueKeysWithValues: try imageExportRows().map { ($0.sha256, $0) })
        return try pool.read { db in
            let scores = try faceScores(db)
            return try Row.fetchAll(db, sql: """
                SELECT f.*, s.split, s.group_key, s.excluded, s.label AS split_label,
                       r.action AS review_action, r.new_label AS review_label
                FROM faces f LEFT JOIN face_splits s ON s.face_id = f.id LEFT JOIN face_reviews r ON r.face_id = f.id
                ORDER BY f.id
                """).map { r in
                let f = try FaceRow(row: r)
                let img = images[f.imageSHA256]
                let labels = img?.labels ?? []
                let placed = try PlacementColumns(row: r).placement(sources: labels)
                return FaceExportRow(
                    faceID: f.id, imageSHA256: f.imageSHA256, index: f.idx, url: img?.urls.first,
                    label: placed.label, labels: labels, box: f.box, landmarks: f.landmarks,
                    prob: Float(f.probability), crop: f.cropPath, method: f.method, cluster: img?.cluster,
                    split: placed.split, group: r["group_key"], excluded: placed.excluded,
                    quality: f.quality, rejected: f.rejection, reviewed: r["review_action"],
                    score: scores[f.id])
            }
        }
    }

    public func imagesWithoutFaces() throws -> [ImageRef] {
        try pool.read { db in
            let labels = try Self.distinctLabels(db)
            return try Row.fetchAll(db, sql: """
                SELECT i.sha256, i.path,
                       (SELECT u.url FROM urls u WHERE u.sha256 = i.sha256 AND u.state = 'fetched' ORDER BY u.id LIMIT 1) AS url
                FROM face_scans s JOIN images i ON i.sha256 = s.image_sha256
                WHERE s.faces = 0 AND s.error IS NULL ORDER BY \(Self.listOrder("i")), i.sha256
                """).map { ImageRef(sha256: $0["sha256"], path: $0["path"], url: $0["url"], labels: labels[$0["sha256"] as String] ?? []) }
        }
    }

    public func faces(ofImage sha256: String) throws -> [FaceRecord] {
        try pool.read { db in
            try FaceRow.fetchAll(db, sql: "SELECT * FROM faces WHERE image_sha256 = ? ORDER BY idx", arguments: [sha256]).map(\.record)
        }
    }

    public func facesToGate() throws -> [FaceToGate] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.*, i.path FROM faces f JOIN images i ON i.sha256 = f.image_sha256 ORDER BY f.image_sha256, f.idx
                """).map { r in
                let f = try FaceRow(row: r)
                return FaceToGate(faceID: f.id, imagePath: r["path"], box: f.box, landmarks: f.landmarks,
                                  quality: f.quality, rejected: f.rejection)
            }
        }
    }

    public func recordFaceGate(_ updates: [FaceGateUpdate]) throws {
        guard !updates.isEmpty else { return }
        try pool.write { db in
            let update = try db.cachedStatement(sql: """
                UPDATE faces SET size_px = ?, inside = ?, sharpness = ?, brightness = ?, rejected = ? WHERE id = ?
                """)
            for u in updates {
                try update.execute(arguments: [u.quality.size, u.quality.inside, u.quality.sharpness, u.quality.brightness,
                                               u.rejected?.rawValue, u.faceID])
            }
        }
    }
}
