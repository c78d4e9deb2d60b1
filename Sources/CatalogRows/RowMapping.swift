import CurateCore
import Foundation

// What both backends do with rows once fetched: the same Swift, whatever SQL fetched them.

/// Float arrays as little-endian float32 blobs: compact, and exact (both backends store these bytes).
public func floatBlob(_ v: [Float]) -> Data {
    var d = Data(capacity: v.count * 4)
    for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
    return d
}

public func floats(_ d: Data) -> [Float] {
    stride(from: 0, to: d.count - d.count % 4, by: 4).map { i in
        Float(bitPattern: UInt32(d[d.startIndex + i]) | UInt32(d[d.startIndex + i + 1]) << 8
              | UInt32(d[d.startIndex + i + 2]) << 16 | UInt32(d[d.startIndex + i + 3]) << 24)
    }
}

extension ReviewItem {
    /// A queue card from one row decoded three ways (its score, its card columns, its placement).
    public init(score: FaceScoreRow, card: ReviewCardRow, columns: PlacementColumns) {
        let placed = columns.placement(sources: score.label.map { [$0] } ?? score.candidates ?? [])
        let review = columns.review
        self.init(
            faceID: score.faceID, imageSHA256: card.imageSHA256, crop: card.cropPath, imagePath: card.path,
            imageWidth: card.width, imageHeight: card.height, box: [card.x1, card.y1, card.x2, card.y2].map { Float($0) },
            url: card.url,
            // An unsettled conflict has no current label: its sources' are the candidates.
            label: score.candidates != nil && review == nil ? nil : placed.label, scoredLabel: score.label,
            candidates: score.candidates, predicted: score.predicted, probs: score.probs,
            selfConfidence: Float(score.selfConfidence), margin: Float(score.margin),
            flagged: score.flagged, split: placed.split, review: review)
    }
}

extension CatalogStatus {
    /// The stored split read through the placement rule, so review decisions and the quality gate
    /// count at once (a relabel moves a face's label, a reject takes it out). `storedExcluded`:
    /// the split's own exclusion counts (JSON), nil when no split is stored.
    public mutating func countSplits(storedExcluded: String?, placements: [PlacementColumns]) throws {
        if let storedExcluded { excluded = try JSONDecoder().decode([String: Int].self, from: Data(storedExcluded.utf8)) }
        var rejected = 0, waiting = 0
        for columns in placements {
            let p = columns.placement(sources: [])
            if let split = p.split { splits[split.rawValue, default: [:]][p.label ?? "", default: 0] += 1 }
            if p.excluded == .rejected { rejected += 1 }
            if p.excluded == .awaitingSplit { waiting += 1 }
        }
        if storedExcluded != nil {
            excluded[Exclusion.rejected.rawValue] = rejected > 0 ? rejected : nil
            excluded[Exclusion.awaitingSplit.rawValue] = waiting > 0 ? waiting : nil
        }
    }
}
