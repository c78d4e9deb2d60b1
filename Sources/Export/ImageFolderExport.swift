import CSV
import CurateCore
import Foundation

/// Writes included faces as `DIR/<split>/<label>/<face_id>.png`, the layout torchvision's
/// `ImageFolder` reads (one tree per split; every split has every label's folder, empty or not,
/// so class indices agree across splits), plus `DIR/labels.json` (that class order),
/// `DIR/<split>/metadata.jsonl` (Hugging Face imagefolder's metadata), `DIR/manifest.csv` (one
/// row per file, with its provenance) and a marker naming the folder a curate export.
///
/// Idempotent: crops are copied byte for byte and the manifest has no timestamps, so exporting
/// twice gives identical files; files a previous export wrote that are no longer included are
/// removed. A non-empty folder that is not a previous export is refused unless `force`.
public struct ImageFolderExport {
    public static let markerName = ".curate-export"
    public static let manifestName = "manifest.csv"
    static let markerText = "curate imagefolder export: files listed in manifest.csv are rewritten by every export\n"

    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    public struct Summary: Sendable, Equatable {
        public var written = 0, unchanged = 0, removed = 0
        public var files: Int { written + unchanged }
        public var text: String {
            "exported \(counted(files, "face")) (\(written) written, \(unchanged) unchanged, \(removed) stale removed)"
        }
    }

    public static func relativePath(_ r: FaceExportRow) -> String? {
        guard let split = r.split, let label = r.label else { return nil }
        return "\(split)/\(label)/\(r.faceID).png"
    }

    /// - Parameters:
    ///   - labels: the pipeline's labels (every one gets a class folder in every split).
    ///   - splits: the splits the ratio makes.
    ///   - card: the dataset card, written as `DIR/README.md`.
    public func write(_ rows: [FaceExportRow], to dir: URL, labels: [String], splits: [SplitName],
                      card: DatasetCard? = nil, force: Bool = false) throws -> Summary {
        let fm = FileManager.default
        let marker = dir.appendingPathComponent(Self.markerName)
        let manifest = dir.appendingPathComponent(Self.manifestName)
        var previous: Set<String> = []
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: dir.path, isDirectory: &isDir), !isDir.boolValue {
            throw CurateError("\(dir.path) is a file; an imagefolder export is a folder: pass --out with a new or empty folder")
        }
        if fm.fileExists(atPath: marker.path) {
            previous = Self.manifestPaths(manifest)
        } else if let entries = try? fm.contentsOfDirectory(atPath: dir.path), !entries.isEmpty, !force {
            throw CurateError("\(dir.path) is not empty and is not a curate export; choose an empty or new folder, or pass --force to write into it")
        }
        do { try fm.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw CurateError("cannot create \(dir.path): \(error.localizedDescription)")
        }

        let included = rows.filter { Self.relativePath($0) != nil }.sorted { $0.faceID < $1.faceID }
        var summary = Summary()
        var current: Set<String> = []
        for r in included {
            let rel = Self.relativePath(r)!
            current.insert(rel)
            let bytes = try workspace.readBlob(r.crop)
            let dest = dir.appendingPathComponent(rel)
            if let old = fm.contents(atPath: dest.path), old.elementsEqual(bytes) { summary.unchanged += 1; continue }
            try Self.writeAtomically(Data(bytes), to: dest)
            summary.written += 1
        }
        // A split the ratio no longer makes loses its metadata, then its emptied folders.
        for gone in SplitName.allCases where !splits.contains(gone) {
            let folder = dir.appendingPathComponent(gone.rawValue)
            try? fm.removeItem(at: folder.appendingPathComponent("metadata.jsonl"))
            for label in labels where (try? fm.contentsOfDirectory(atPath: folder.appendingPathComponent(label).path))?.isEmpty == true {
                try? fm.removeItem(at: folder.appendingPathComponent(label))
            }
        }
        for rel in previous.subtracting(current) {
            let url = dir.appendingPathComponent(rel)
            if fm.fileExists(atPath: url.path) { try fm.removeItem(at: url); summary.removed += 1 }
            // Folders emptied by the removal go too, except the class folders every split keeps.
            var parent = url.deletingLastPathComponent()
            let kept = Set(splits.flatMap { s in labels.map { dir.appendingPathComponent("\(s.rawValue)/\($0)").path } })
            while parent.path.count > dir.path.count, !kept.contains(parent.path),
                  (try? fm.contentsOfDirectory(atPath: parent.path))?.isEmpty == true {
                try fm.removeItem(at: parent)
                parent = parent.deletingLastPathComponent()
            }
        }
        for split in splits {
            for label in labels {
                let folder = dir.appendingPathComponent("\(split.rawValue)/\(label)")
                do { try fm.createDirectory(at: folder, withIntermediateDirectories: true) }
                catch { throw CurateError("cannot create \(folder.path): \(error.localizedDescription)") }
            }
        }
        try Self.writeAtomically(try ImageFolderMetadata.labelsJSON(labels), to: dir.appendingPathComponent("labels.json"))
        if let card { try Self.writeAtomically(Data(card.markdown(included).utf8), to: dir.appendingPathComponent("README.md")) }
        let metadata = try ImageFolderMetadata.lines(included)
        for split in splits {
            try Self.writeAtomically(Data((metadata[split] ?? "").utf8),
                                     to: dir.appendingPathComponent("\(split.rawValue)/metadata.jsonl"))
        }
        let table = try FaceTable.csv(included, extraFirstColumn: ("path", { Self.relativePath($0)! }))
        try Self.writeAtomically(Data(table.utf8), to: manifest)
        try Self.writeAtomically(Data(Self.markerText.utf8), to: marker)
        return summary
    }

    /// The `path` column of an earlier manifest.
    static func manifestPaths(_ url: URL) -> Set<String> {
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let reader = try? CSVReader(string: text, hasHeaderRow: true) else { return [] }
        var paths = Set<String>()
        while reader.next() != nil {
            guard let path = reader["path"] else { break }
            // Only files this exporter could have written: <split>/<label>/<id>.png, nothing outside.
            let parts = path.split(separator: "/")
            if parts.count == 3, !parts.contains(".."), path.hasSuffix(".png") { paths.insert(path) }
        }
        return paths
    }

    static func writeAtomically(_ data: Data, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw CurateError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
