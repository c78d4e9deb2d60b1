import CurateCore
import Foundation

/// Faces as one CSV or JSON Lines table: provenance, box, landmarks, label, split and group.
public enum FaceTable {
    static let landmarkNames = ["left_eye", "right_eye", "nose", "mouth_left", "mouth_right"]

    public static let csvHeader: [String] = ["face_id", "split", "group", "label", "image_sha256", "url",
        "x1", "y1", "x2", "y2"] + landmarkNames.flatMap { ["\($0)_x", "\($0)_y"] }
        + ["prob", "crop", "method", "cluster", "excluded"]

    public static func csvFields(_ r: FaceExportRow) -> [String] {
        var f = [String(r.faceID), r.split ?? "", r.group ?? "", r.label ?? "", r.imageSHA256, r.url ?? ""]
        f += r.box.map { "\($0)" }
        f += r.landmarks.flatMap { $0.map { "\($0)" } }
        f += ["\(r.prob)", r.crop, r.method, r.cluster.map(String.init) ?? "", r.excluded ?? ""]
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
        var out = csvLine((extraFirstColumn.map { [$0.name] } ?? []) + csvHeader)
        for r in rows { out += csvLine((extraFirstColumn.map { [$0.value(r)] } ?? []) + csvFields(r)) }
        return out
    }

    public static func jsonl(_ rows: [FaceExportRow]) throws -> String { try JSONLines.encode(rows) }
}
