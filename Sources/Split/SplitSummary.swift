import CurateCore
import Foundation

/// What `curate split` did, and how far each split is from its share.
public struct SplitSummary: Sendable, Equatable {
    public var ratio: SplitRatio
    public var seed: UInt64
    /// split -> label -> faces
    public var counts: [SplitName: [String: Int]] = [:]
    public var excluded: [String: Int] = [:]
    public var labels: [String] = []
    public var groups = 0
    public var newGroups = 0
    /// Faces that kept their earlier split, and faces moved because their group now spans splits.
    public var keptFaces = 0
    public var movedFaces = 0

    public func count(_ split: SplitName, _ label: String) -> Int { counts[split]?[label] ?? 0 }

    public func total(label: String) -> Int { ratio.names.reduce(0) { $0 + count($1, label) } }

    /// Faces above (+) or below (-) the exact share of the label's total.
    public func deviation(_ split: SplitName, _ label: String) -> Double {
        let s = ratio.names.firstIndex(of: split)!
        return Double(count(split, label)) - ratio.shares[s] * Double(total(label: label))
    }

    
    public var text: String {
        let faces = counts.values.reduce(0) { $0 + $1.values.reduce(0, +) }
        var lines = ["split \(ratio) (seed \(seed)): \(counted(faces, "face")) in \(counted(groups, "group")); "
            + "\(counted(newGroups, "group")) placed now, \(counted(keptFaces, "face")) kept their split"
            + (movedFaces > 0 ? ", \(movedFaces) moved to join their group" : "")]
        var shown = labels
        for l in counts.values.flatMap(\.keys).sorted() where !shown.contains(l) { shown.append(l) }
        let width = max(8, (shown.map(\.count).max() ?? 0) + 2)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        lines.append(pad("label", width) + ratio.names.map { pad($0.rawValue, 16) }.joined() + "total")
        for label in shown {
            let cells = ratio.names.map { split in
                pad("\(count(split, label)) (\(String(format: "%+.1f", deviation(split, label))))", 16)
            }
            lines.append(pad(label, width) + cells.joined() + "\(total(label: label))")
        }
        lines.append(pad("total", width) + ratio.names.map { split in
            pad("\(counts[split]?.values.reduce(0, +) ?? 0)", 16)
        }.joined() + "\(faces)")
        lines.append("(in brackets: faces above or below the exact share of the label)")
        if !excluded.isEmpty {
            lines.append("excluded: " + excluded.sorted { $0.key < $1.key }.map {
                "\($0.key) \($0.value) \(Exclusion(rawValue: $0.key)?.countsImages == true ? "images" : "faces")"
            }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
