import CatalogRows
import CurateCore
import Foundation

extension PostgresCatalog {
    public func imagesToScan(shard: Int64?) throws -> [ImageToScan] {
        try db.read { tx in
            try tx.fetchAll("""
                SELECT sha256, path FROM images
                WHERE canonical = 1 AND sha256 NOT IN (SELECT image_sha256 FROM face_scans)\(Self.inShard("sha256", shard))
                ORDER BY \(Self.listOrder("images")), sha256
                """).map { ImageToScan(sha256: try $0["sha256"], path: try $0["path"]) }
        }
    }

    public func recordFaceScans(_ scans: [FaceScan], lease: ShardLease?) throws {
        guard !scans.isEmpty else { return }
        // An image scanned twice in one call: in SQLite the later scan clears the earlier one's
        // faces and replaces its row, so only each image's last scan is recorded, in call order.
        var last: [String: Int] = [:]
        for (i, s) in scans.enumerated() { last[s.imageSHA256] = i }
        let now = Date()
        var rows = PGBatch(), faces = PGBatch()
        for (i, s) in scans.enumerated() where last[s.imageSHA256] == i {
            rows.append(["image_sha256": .text(s.imageSHA256), "faces": .int(Int64(s.faces.count)), "error": pg(s.error),
                         "settings": .text(s.settings), "scanned_at": .date(now)])
            for f in s.faces {
                let landmarks = String(decoding: try JSONEncoder().encode(f.landmarks), as: UTF8.self)
                faces.append(["image_sha256": .text(f.imageSHA256), "idx": .int(Int64(f.index)),
                              "x1": pg(f.box[0]), "y1": pg(f.box[1]), "x2": pg(f.box[2]), "y2": pg(f.box[3]),
                              "probability": pg(f.probability), "landmarks": .text(landmarks), "crop_path": .text(f.cropPath),
                              "method": pg(f.method), "size_px": pg(f.quality?.size), "inside": pg(f.quality?.inside),
                              "sharpness": pg(f.quality?.sharpness), "brightness": pg(f.quality?.brightness),
                              "rejected": pg(f.rejected?.rawValue)])
            }
        }
        try db.write { tx in
            try Self.hold(lease, tx)
            // A rescan replaces the image's faces (their splits, scores and reviews go with them).
            try tx.execute("""
                DELETE FROM faces WHERE image_sha256 IN (SELECT x.image_sha256 FROM jsonb_to_recordset(?::jsonb) AS x(image_sha256 text))
                """, [rows])
            try tx.execute("""
                INSERT INTO face_scans (image_sha256, faces, error, settings, scanned_at)
                SELECT x.image_sha256, x.faces, x.error, x.settings, to_timestamp(x.scanned_at)
                FROM jsonb_to_recordset(?::jsonb) AS x(image_sha256 text, faces bigint, error text, settings text,
                     scanned_at double precision)
                ON CONFLICT (image_sha256) DO UPDATE SET faces = excluded.faces, error = excluded.error,
                    settings = excluded.settings, scanned_at = excluded.scanned_at
                """, [rows])
            guard !faces.isEmpty else { return }
            // Ids are drawn in the order rows are inserted: ORDER BY n gives them in call order,
            // as SQLite's row-by-row inserts do.
            try tx.execute("""
                INSERT INTO faces (image_sha256, idx, x1, y1, x2, y2, probability, landmarks, crop_path, method,
                                   size_px, inside, sharpness, brightness, rejected)
                SELECT x.image_sha256, x.idx, x.x1, x.y1, x.x2, x.y2, x.probability, x.landmarks, x.crop_path, x.method,
                       x.size_px, x.inside, x.sharpness, x.brightness, x.rejected
                FROM jsonb_to_recordset(?::jsonb) AS x(n bigint, image_sha256 text, idx bigint, x1 double precision,
                     y1 double precision, x2 double precision, y2 double precision, probability double precision,
                     landmarks text, crop_path text, method text, size_px double precision, inside double precision,
                     sharpness double precision, brightness double precision, rejected text)
                ORDER BY x.n
                """, [faces])
        }
    }

    public func faceExportRows() throws -> [FaceExportRow] {
        let images = Dictionary(uniqueKeysWithValues: try imageExportRows().map { ($0.sha256, $0) })
        return try db.read { tx in
            let scores = try faceScores(tx)
            return try tx.fetchAll("""
                SELECT f.*, s.split, s.group_key, s.excluded, s.label AS split_label,
                       r.action AS review_action, r.new_label AS review_label
                FROM faces f LEFT JOIN face_splits s ON s.face_id = f.id LEFT JOIN face_reviews r ON r.face_id = f.id
                ORDER BY f.id
                """).map { r in
                let f = try r.decode(FaceRow.self)
                let img = images[f.imageSHA256]
                let labels = img?.labels ?? []
                let placed = try r.decode(PlacementColumns.self).placement(sources: labels)
                let group: String? = try r["group_key"], reviewed: String? = try r["review_action"]
                return FaceExportRow(
                    faceID: f.id, imageSHA256: f.imageSHA256, index: f.idx, url: img?.urls.first,
                    label: placed.label, labels: labels, box: f.box, landmarks: f.landmarks,
                    prob: Float(f.probability), crop: f.cropPath, method: f.method, cluster: img?.cluster,
                    split: placed.split, group: group, excluded: placed.excluded,
                    quality: f.quality, rejected: f.rejection, reviewed: reviewed,
                    score: scores[f.id])
            }
        }
    }

    public func imagesWithoutFaces() throws -> [ImageRef] {
        try db.read { tx in
            let labels = try Self.distinctLabels(tx)
            return try tx.fetchAll("""
                SELECT i.sha256, i.path,
                       (SELECT u.url FROM urls u WHERE u.sha256 = i.sha256 AND u.state = 'fetched' ORDER BY u.id LIMIT 1) AS url
                FROM face_scans s JOIN images i ON i.sha256 = s.image_sha256
                WHERE s.faces = 0 AND s.error IS NULL ORDER BY \(Self.listOrder("i")), i.sha256
                """).map { r in
                let sha: String = try r["sha256"]
                return ImageRef(sha256: sha, path: try r["path"], url: try r["url"], labels: labels[sha] ?? [])
            }
        }
    }

    public func faces(ofImage sha256: String) throws -> [FaceRecord] {
        try db.read { tx in
            try tx.decodeAll(FaceRow.self, "SELECT * FROM faces WHERE image_sha256 = ? ORDER BY idx", [sha256]).map(\.record)
        }
    }

    public func facesToGate() throws -> [FaceToGate] {
        try db.read { tx in
            try tx.fetchAll("""
                SELECT f.*, i.path FROM faces f JOIN images i ON i.sha256 = f.image_sha256
                ORDER BY f.image_sha256, f.idx
                """).map { r in
                let f = try r.decode(FaceRow.self)
                return FaceToGate(faceID: f.id, imagePath: try r["path"], box: f.box, landmarks: f.landmarks,
                                  quality: f.quality, rejected: f.rejection)
            }
        }
    }

    private static let gateColumns = "id bigint, size_px double precision, inside double precision, "
        + "sharpness double precision, brightness double precision, rejected text"

    public func recordFaceGate(_ updates: [FaceGateUpdate]) throws {
        guard !updates.isEmpty else { return }
        var batch = PGBatch()
        for u in updates {
            batch.append(["id": .int(u.faceID), "size_px": .double(u.quality.size),
                          "inside": .double(u.quality.inside), "sharpness": .double(u.quality.sharpness),
                          "brightness": .double(u.quality.brightness), "rejected": pg(u.rejected?.rawValue)])
        }
        try db.write { tx in
            try tx.execute("""
                UPDATE faces f SET size_px = x.size_px, inside = x.inside, sharpness = x.sharpness,
                    brightness = x.brightness, rejected = x.rejected
                FROM \(PGBatch.lastRows(per: "id", Self.gateColumns))
                WHERE f.id = x.id
                """, [batch])
        }
    }
}
