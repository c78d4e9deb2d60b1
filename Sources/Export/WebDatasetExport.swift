import CurateCore
import Foundation

/// `--format webdataset`: per split, tar shards of `shard_size` faces
/// (`DIR/<split>-000000.tar`, …), each face three members sharing its key: `<key>.png` (the
/// crop), `<key>.json` (its metadata.jsonl line: provenance, box, landmarks, scores) and
/// `<key>.cls` (its class index in `labels.json`'s order). Faces go in face-id order and the
/// tars are deterministic, so exporting twice gives identical shards; shards of an earlier
/// export beyond the new count are removed.
public struct WebDatasetExport {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    public struct Summary: Sendable, Equatable {
        public var faces = 0
        public var shards: [String: Int] = [:]
        public var text: String {
            "exported \(counted(faces, "face")) in " + shards.sorted { $0.key < $1.key }.map { "\($0.key) \(counted($0.value, "shard"))" }
                .joined(separator: ", ")
        }
    }

    /// The key of a face: its id, zero-padded so keys sort as numbers (webdataset groups members by key).
    static func key(_ faceID: Int64) -> String { String(format: "face%09lld", faceID) }

    public func write(_ rows: [FaceExportRow], to dir: URL, labels: [String], splits: [SplitName], shardSize: Int,
                      card: DatasetCard? = nil) throws -> Summary {
        precondition(shardSize > 0)
        let fm = FileManager.default
        do { try fm.createDirectory(at: dir, withIntermediateDirectories: true) }
        catch { throw CurateError("cannot create \(dir.path): \(error.localizedDescription)") }
        let classes = ImageFolderMetadata.classes(labels)
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let included = rows.filter { $0.split != nil && $0.label != nil && index[$0.label!] != nil }.sorted { $0.faceID < $1.faceID }
        let lines = try ImageFolderMetadata.records(included)
        var summary = Summary(faces: included.count)
        let enc = JSONEncoder.printed
        for split in splits {
            let faces = included.filter { $0.split == split }
            let shards = stride(from: 0, to: faces.count, by: shardSize).map { Array(faces[$0..<min(faces.count, $0 + shardSize)]) }
            for (n, shard) in shards.enumerated() {
                var tar = TarWriter()
                for r in shard {
                    let k = Self.key(r.faceID)
                    try tar.add("\(k).png", try workspace.readBlob(r.crop))
                    try tar.add("\(k).json", Array(try enc.encode(lines[r.faceID]!)))
                    try tar.add("\(k).cls", Array("\(index[r.label!]!)".utf8))
                }
                try ImageFolderExport.writeAtomically(Data(tar.archive), to: dir.appendingPathComponent(Self.shardName(split, n)))
            }
            summary.shards[split.rawValue] = shards.count
            // Shards an earlier, larger export left behind.
            var n = shards.count
            while fm.fileExists(atPath: dir.appendingPathComponent(Self.shardName(split, n)).path) {
                try fm.removeItem(at: dir.appendingPathComponent(Self.shardName(split, n)))
                n += 1
            }
        }
        try ImageFolderExport.writeAtomically(try ImageFolderMetadata.labelsJSON(labels), to: dir.appendingPathComponent("labels.json"))
        if let card {
            try ImageFolderExport.writeAtomically(Data(card.markdown(included).utf8), to: dir.appendingPathComponent("README.md"))
        }
        return summary
    }

    static func shardName(_ split: SplitName, _ n: Int) -> String { String(format: "\(split.rawValue)-%06d.tar", n) }
}
