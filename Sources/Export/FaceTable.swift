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
        f += ["\(r.prob)", r.crop, r.method, r.cluster.map(String.init) ?? "", r.excluded?.rawValue ?? "", r.reviewed ?? ""]
        let measured: [Double?] = [r.quality?.size, r.quality?.inside, r.quality?.sharpness, r.quality?.brightness]
        f += [r.rejected?.rawValue ?? ""] + measured.map { $0.map { "\($0)" } ?? "" }
        if !scoredLabels.isEmpty {
            f += scoredLabels.map { l in r.score?.probs[l].map { "\($0)" } ?? "" }
            f += [r.score?.predicted ?? "", r.score.map { "\($0.selfConfidence)" } ?? "",
                  r.score.map { "\($0.margin)" } ?? "", r.score.map { $0.flagged ? "1" : "0" } ?? ""]
        }
        return f
    }

    /// RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled.
    public static func csvLine(_ fields: [String]) -> String {
        fields.map { f in
            f.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline })
                ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",") + "\n"
    }

    public static func csv(_ rows: [FaceExportRow], extraFirstColumn: (name: String, value: (FaceExportRow) -> String)? = nil) -> String {
        let scored = Set(rows.flatMap { $0.score?.probs.keys.map { $0 } ?? [] }).sorted()
        var out = csvLine((extraFirstColumn.map { [$0.name] } ?? []) + csvHeader(scoredLabels: scored))
        for r in rows { out += csvLine((extraFirstColumn.map { [$0.value(r)] } ?? []) + csvFields(r, scoredLabels: scored)) }
        return out
    }

    public static func jsonl(_ rows: [FaceExportRow]) throws -> String { try JSONLines.encode(rows) }

    /// `export --level image --format csv`: one row per stored image; its URLs and labels are
    /// joined with spaces (URLs cannot contain one; labels are pipeline names).
    public static func imageCSV(_ rows: [ImageExportRow]) -> String {
        var out = csvLine(["sha256", "path", "format", "width", "height", "orientation", "bytes", "urls", "labels",
                           "phash", "dhash", "cluster", "canonical"])
        for r in rows {
            out += csvLine([r.sha256, r.path, r.format, String(r.width), String(r.height), r.orientation.map(String.init) ?? "",
                            String(r.bytes), r.urls.joined(separator: " "), r.labels.joined(separator: " "), r.phash ?? "",
                            r.dhash ?? "", r.cluster.map(String.init) ?? "", r.canonical ? "1" : "0"])
        }
        return out
    }
}
