import CurateCore
import Foundation

extension DedupSummary {
    public var text: String {
        var lines = [
            "clusters: \(clusters) (\(counted(imagesInClusters, "image")); threshold \(threshold) bits, "
                + "\(totalHashed) hashed images clustered in \(String(format: "%.2f", clusterSeconds)) s)",
            "label conflicts: \(conflicts)",
        ]
        for (reason, n) in hashFailures.sorted(by: { $0.key < $1.key }) { lines.append("could not hash: \(reason): \(n)") }
        lines.append("hashed \(counted(hashed, "image")) in \(String(format: "%.2f", hashSeconds)) s (\(String(format: "%.0f", hashRate)) images/s)")
        return lines.joined(separator: "\n")
    }
}

extension ClusterListing {
    /// `curate dedup --list`: one block per cluster, conflicts first.
    public var text: String {
        var lines = ["cluster \(id): \(counted(members.count, "image")), labels \(labels.joined(separator: "/"))\(conflict ? "  LABEL CONFLICT" : "")"]
        for m in members {
            lines.append("  \(m.canonical ? "*" : " ") \(m.sha256.prefix(12)) \(m.width)x\(m.height) phash \(hex16(m.phash))")
            for s in m.sources { lines.append("      \(s.labels.joined(separator: ",")): \(s.url)") }
        }
        return lines.joined(separator: "\n")
    }
}
