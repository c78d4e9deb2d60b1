import CurateCore
import Foundation

/// What training code reads beside the ImageFolder tree: `labels.json` (the class order every
/// split shares) and, per split, Hugging Face's `metadata.jsonl` (`load_dataset("imagefolder")`
/// reads it, never manifest.csv), one line per image with its provenance.
enum ImageFolderMetadata {
    /// torchvision's ImageFolder numbers classes by their sorted folder names, per split; with
    /// every class folder present in every split, that order is this one everywhere.
    static func classes(_ labels: [String]) -> [String] { labels.sorted() }

    struct Labels: Encodable {
        var classes: [String]
        var classToIdx: [String: Int]
        enum CodingKeys: String, CodingKey { case classes, classToIdx = "class_to_idx" }
    }

    static func labelsJSON(_ labels: [String]) throws -> Data {
        let c = classes(labels)
        let enc = JSONEncoder.printed
        enc.outputFormatting.insert(.prettyPrinted)
        return try enc.encode(Labels(classes: c, classToIdx: Dictionary(uniqueKeysWithValues: c.enumerated().map { ($1, $0) }))) + Data("\n".utf8)
    }

    /// One image of a split as `metadata.jsonl` lists it: `file_name` relative to the split
    /// folder (Hugging Face's rule), then the face's provenance and scores.
    struct Line: Encodable {
        var fileName: String
        var faceID: Int64
        var label: String
        var group: String?
        var url: String?
        var imageSHA256: String
        var box: [Float]
        var landmarks: [[Float]]
        var detectionProb: Float
        var probs: [String: Float]?
        var predicted: String?
        var flagged: Bool?
        /// The live review decision (`relabel`, `accept`, `reject`), empty when none.
        var reviewed: String

        enum CodingKeys: String, CodingKey {
            case fileName = "file_name", faceID = "face_id", label, group, url, imageSHA256 = "image_sha256", box, landmarks
            case detectionProb = "detection_prob", probs, predicted, flagged, reviewed
        }

        // datasets infers each split's schema from its lines and refuses splits whose schemas
        // differ, and a column that is null throughout a split infers as type null. So every
        // value is typed: the scores are on every line of every split or on none, and no
        // review is "".
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(fileName, forKey: .fileName); try c.encode(faceID, forKey: .faceID); try c.encode(label, forKey: .label)
            try c.encode(group, forKey: .group); try c.encode(url, forKey: .url); try c.encode(imageSHA256, forKey: .imageSHA256)
            try c.encode(box, forKey: .box); try c.encode(landmarks, forKey: .landmarks); try c.encode(detectionProb, forKey: .detectionProb)
            try c.encodeIfPresent(probs, forKey: .probs); try c.encodeIfPresent(predicted, forKey: .predicted)
            try c.encodeIfPresent(flagged, forKey: .flagged)
            try c.encode(reviewed, forKey: .reviewed)
        }
    }

    /// `metadata.jsonl` text per split, rows in face-id order.
    static func lines(_ included: [FaceExportRow]) throws -> [SplitName: String] {
        let records = try records(included)
        var bySplit: [SplitName: [Line]] = [:]
        for r in included { if let split = r.split, let line = records[r.faceID] { bySplit[split, default: []].append(line) } }
        return try bySplit.mapValues { try JSONLines.encode($0) }
    }

    /// Each placed face's line by face id; scores only when every face has them.
    static func records(_ included: [FaceExportRow]) throws -> [Int64: Line] {
        let scored = included.allSatisfy { $0.score != nil }
        var out: [Int64: Line] = [:]
        for r in included {
            guard r.split != nil, let label = r.label else { continue }
            out[r.faceID] = (Line(
                fileName: "\(label)/\(r.faceID).png", faceID: r.faceID, label: label, group: r.group, url: r.url,
                imageSHA256: r.imageSHA256, box: r.box, landmarks: r.landmarks, detectionProb: r.prob,
                probs: scored ? r.score?.probs : nil, predicted: scored ? r.score?.predicted : nil,
                flagged: scored ? r.score?.flagged : nil, reviewed: r.reviewed ?? ""))
        }
        return out
    }
}
