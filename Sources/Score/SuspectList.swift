import CurateCore
import Foundation

/// `curate score --top N`: the most suspicious faces of a ranking, with the crop and the URL
/// a reviewer opens, as a table or as JSON.
public struct SuspectList: Sendable, Encodable {
    public struct Suspect: Sendable, Encodable {
        public var score: FaceScore
        public var crop: String
        public var url: String

        enum CodingKeys: String, CodingKey {
            case faceID = "face_id", crop, url, label, candidates, predicted, probs, selfConfidence = "self_confidence"
            case margin, flagged
        }

        // Written out so a face without a label (a conflict) or candidates says null, not nothing.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(score.faceID, forKey: .faceID)
            try c.encode(crop, forKey: .crop)
            try c.encode(url, forKey: .url)
            try c.encode(score.label, forKey: .label)
            try c.encode(score.candidates, forKey: .candidates)
            try c.encode(score.predicted, forKey: .predicted)
            try c.encode(score.probs, forKey: .probs)
            try c.encode(score.selfConfidence, forKey: .selfConfidence)
            try c.encode(score.margin, forKey: .margin)
            try c.encode(score.flagged, forKey: .flagged)
        }
    }

    public var suspects: [Suspect]
    public var rankBy: ScoreSettings.RankBy
    /// The pipeline's labels, in its order (columns of the table).
    public var labels: [String]

    /// The first `count` faces of `ranking`, joined with their crops and first URLs.
    public init(_ ranking: [FaceScore], count: Int, rankBy: ScoreSettings.RankBy, labels: [String],
                catalog: any ExportCatalog) throws {
        let rows = Dictionary(uniqueKeysWithValues: try catalog.faceExportRows().map { ($0.faceID, $0) })
        suspects = ranking.prefix(count).map { s in
            Suspect(score: s, crop: rows[s.faceID]?.crop ?? "", url: rows[s.faceID]?.url ?? "")
        }
        self.rankBy = rankBy
        self.labels = labels
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(suspects)
    }

    /// One line per face: flag, given label (or the conflict's candidates), prediction, probabilities, rank key, crop.
    public var text: String {
        let shown = labels.filter { l in suspects.first?.score.probs[l] != nil }
        var lines = [(["face", "flag", "given", "predicted"] + shown.map { "p_\($0)" } + [rankBy.rawValue, "crop"]).joined(separator: "\t")]
        for suspect in suspects {
            let s = suspect.score
            let key = rankBy == .margin ? s.margin : s.selfConfidence
            let given = s.label ?? "conflict:" + (s.candidates ?? []).joined(separator: "/")
            let cells = ["\(s.faceID)", s.flagged ? "*" : "", given, s.predicted] + shown.map { String(format: "%.3f", s.probs[$0] ?? 0) }
                + [String(format: "%.3f", key), suspect.crop]
            lines.append(cells.joined(separator: "\t"))
        }
        return lines.joined(separator: "\n")
    }
}
