import CSV
import CurateCore
import Foundation

/// Faces as one CSV or JSON Lines table: provenance, box, landmarks, label, split and group.
public enum FaceTable {
    static let landmarkNames = ["left_eye", "right_eye", "nose", "mouth_left", "mouth_right"]

    /// Columns; with scores, `p_<label>` for each scored label and the mislabel scores follow.
    public static func csvHeader(scoredLabels: [String] = []) -> [String] {
        let landmarks: [String] = landmarkNames.flatMap { ["\($0)_x", "\($0)_y"] }
        let gate = ["rejected", "size_px", "inside", "sharpness", "brightness"]
        let scores: [String] = scoredLabels.isEmpty ? [] : scoredLabels.map { "p_\($0)" } + ["predicted", "self_confidence", "margin", "flagged"]
        return ["face_id", "split", "group", "label", "image_sha256", "url", "x1", "y1", "x2", "y2"] + landmarks
            + ["prob", "crop", "method", "cluster", "excluded", "reviewed"] + gate + scores
    }

    public static func csvFields(_ r: FaceExportRow, scoredLabels: [String] = []) -> [String] {
        var f = [String(r.faceID), r.split?.rawValue ?? "", r.group ?? "", r.label ?? "", r.imageSHA256, r.url ?? ""]
        f += r.box.map { "\($0)" }
        f += r.landmarks.flatMap { $0.map { "\($0)" } }
        f += ["\(r.prob)", r.crop, r.method.rawValue, r.cluster.map(String.init) ?? "", r.excluded?.rawValue ?? "", r.reviewed ?? ""]
        let measured: [Double?] = [r.quality?.size, r.quality?.inside, r.quality?.sharpness, r.quality?.brightness]
        f += [r.rejected?.rawValue ?? ""] + measured.map { $0.map { "\($0)" } ?? "" }
        if !scoredLabels.isEmpty {
            f += scoredLabels.map { l in r.score?.probs[l].map { "\($0)" } ?? "" }
            f += [r.score?.predicted ?? "", r.score.map { "\($0.selfConfidence)" } ?? "",
                  r.score.map { "\($0.margin)" } ?? "", r.score.map { $0.flagged ? "1" : "0" } ?? ""]
        }
        return f
    }

    /// Rows as CSV text, RFC 4180 quoting by CSV.swift, every row ending in "\n".
    public static func csvText(_ rows: [[String]]) throws -> String {
        do {
            let writer = try CSVWriter(stream: .toMemory())
            // Whether to quote is decided here, on Unicode scalars: CSV.swift's own test uses
            // String.contains, which compares whole characters and so misses a comma or line feed
            // that a combining mark follows ("\n\u{301}" is one character), leaving it unquoted.
            for row in rows { try writer.write(row: row, quotedAtIndex: { mustQuote(row[$0]) }) }
            writer.stream.close()
            guard let data = writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
                throw CSVError.cannotWriteStream
            }
            // CSVWriter puts each line break before the next row; the last row's is added here.
            return String(decoding: data, as: UTF8.self) + (rows.isEmpty ? "" : "\n")
        } catch {
            throw CurateError("cannot write CSV: \(error)")
        }
    }

    /// RFC 4180 quotes fields holding a comma, a double quote, CR or LF.
    static func mustQuote(_ field: String) -> Bool {
        field.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
    }

    public static func csv(_ rows: [FaceExportRow], extraFirstColumn: (name: String, value: (FaceExportRow) -> String)? = nil) throws -> String {
        let scored = Set(rows.flatMap { $0.score?.probs.keys.map { $0 } ?? [] }).sorted()
        let header = (extraFirstColumn.map { [$0.name] } ?? []) + csvHeader(scoredLabels: scored)
        return try csvText([header] + rows.map { r in (extraFirstColumn.map { [$0.value(r)] } ?? []) + csvFields(r, scoredLabels: scored) })
    }

    public static func jsonl(_ rows: [FaceExportRow]) throws -> String { try JSONLines.encode(rows) }

    /// `export --level image --format csv`: one row per stored image; its URLs and labels are
    /// joined with spaces (URLs cannot contain one; labels are pipeline names).
    public static func imageCSV(_ rows: [ImageExportRow]) throws -> String {
        let header = ["sha256", "path", "format", "width", "height", "orientation", "bytes", "urls", "labels",
                      "phash", "dhash", "cluster", "canonical"]
        let lines = rows.map { r -> [String] in
            let orientation = r.orientation.map(String.init) ?? "", cluster = r.cluster.map(String.init) ?? ""
            return [r.sha256, r.path, r.format.rawValue, String(r.width), String(r.height), orientation, String(r.bytes),
                    r.urls.joined(separator: " "), r.labels.joined(separator: " "), r.phash ?? "", r.dhash ?? "",
                    cluster, r.canonical ? "1" : "0"]
        }
        return try csvText([header] + lines)
    }
}
