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

/// `curate dedup --list --json`: clusters (with their members' sources) and label conflicts.
public struct DedupListing: Encodable {
    public var clusters: [ClusterListing]
    public var conflicts: [LabelConflict]
    public init(clusters: [ClusterListing], conflicts: [LabelConflict]) { self.clusters = clusters; self.conflicts = conflicts }

    enum CodingKeys: String, CodingKey { case clusters, conflicts }
    struct Cluster: Encodable {
        struct Member: Encodable { var sha256, path: String; var canonical: Bool; var width, height: Int; var phash: String; var sources: [Source] }
        struct Source: Encodable { var url: String; var labels: [String] }
        var id: Int64; var labels: [String]; var conflict: Bool; var members: [Member]
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clusters.map { l in
            Cluster(id: l.id, labels: l.labels, conflict: l.conflict, members: l.members.map { m in
                Cluster.Member(sha256: m.sha256, path: m.path, canonical: m.canonical, width: m.width, height: m.height,
                               phash: hex16(m.phash), sources: m.sources.map { Cluster.Source(url: $0.url, labels: $0.labels) })
            })
        }, forKey: .clusters)
        try c.encode(conflicts, forKey: .conflicts)
    }

    public func json() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(self), as: UTF8.self)
    }
}
