import Foundation

/// Images whose sources disagree on the label: one image reached under two labels, or a
/// near-duplicate cluster whose members carry different ones. Its faces are left out of the
/// split as `label_conflict` until a reviewer gives them a label (`curate review` shows the
/// conflicts first); `curate split` then places them.
public struct LabelConflict: Sendable, Equatable, Encodable {
    /// One URL that reached a member, with the label and list line that gave it.
    public struct Source: Sendable, Equatable, Encodable {
        public var url: String
        public var label: String
        public var listFile: String
        public var line: Int?
        enum CodingKeys: String, CodingKey { case url, label, listFile = "list_file", line }
        public init(url: String, label: String, listFile: String, line: Int?) {
            self.url = url; self.label = label; self.listFile = listFile; self.line = line
        }
    }
    public struct Member: Sendable, Equatable, Encodable {
        public var sha256: String
        public var path: String
        public var canonical: Bool
        public var sources: [Source]
        public init(sha256: String, path: String, canonical: Bool, sources: [Source]) {
            self.sha256 = sha256; self.path = path; self.canonical = canonical; self.sources = sources
        }
    }
    /// The near-duplicate cluster, or nil when one image's own URLs disagree.
    public var cluster: Int64?
    /// The distinct labels given, sorted.
    public var labels: [String]
    public var members: [Member]
    /// Faces of the canonical member (the ones a split would place).
    public var faces: [Int64]
    /// Of those, the faces a reviewer has labelled (relabel or accept) or rejected.
    public var settled: Int

    enum CodingKeys: String, CodingKey { case cluster, labels, members, faces, settled }

    public init(cluster: Int64?, labels: [String], members: [Member], faces: [Int64], settled: Int) {
        self.cluster = cluster; self.labels = labels; self.members = members; self.faces = faces; self.settled = settled
    }

    /// `curate dedup --list`: the conflict, each source on its own line.
    public var text: String {
        var lines = [(cluster.map { "cluster \($0)" } ?? "image \(members[0].sha256.prefix(12))")
            + ": LABEL CONFLICT \(labels.joined(separator: "/")); "
            + (faces.isEmpty ? "no face found" : "\(settled) of \(counted(faces.count, "face")) settled by review")]
        for m in members {
            for s in m.sources {
                lines.append("  \(s.label.padding(toLength: 8, withPad: " ", startingAt: 0)) \(s.url)  (\(s.listFile)\(s.line.map { ":\($0)" } ?? ""))"
                    + (members.count > 1 ? (m.canonical ? "  [kept]" : "  [copy]") : ""))
            }
        }
        return lines.joined(separator: "\n")
    }
}
