import CurateCore
import Export
import Foundation
import Imaging
import Split
import Testing
import TestSupport

struct ImageFolderExportTests {
    /// Every file under `dir` (relative path -> bytes).
    static func snapshot(_ dir: URL) -> [String: Data] {
        var files: [String: Data] = [:]
        for case let rel as String in FileManager.default.enumerator(atPath: dir.path)! {
            let url = dir.appendingPathComponent(rel)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue {
                files[rel] = FileManager.default.contents(atPath: url.path)
            }
        }
        return files
    }

    /// A distinct small PNG for every face, where the catalog says its crop is.
    static func writeCrops(_ c: RandomCatalog) throws {
        for r in try c.catalog.faceExportRows() {
            let v = UInt8(truncatingIfNeeded: r.faceID)
            let png = try ImageEncoder.png(PixelImage(width: 4, height: 4, channels: 3, pixels: Array(repeating: v, count: 48)))
            try FileManager.default.createDirectory(at: c.dir.appendingPathComponent("faces"), withIntermediateDirectories: true)
            try Data(png).write(to: c.dir.appendingPathComponent(r.crop))
        }
    }

    static func checkTree(_ out: URL, _ c: RandomCatalog, splits: [SplitName]) throws {
        let fm = FileManager.default
        let rows = try c.catalog.faceExportRows()
        let included = rows.filter { $0.split != nil }
        var expected: [String: Data] = [:]
        for r in included {
            expected["\(r.split!.rawValue)/\(r.label!)/\(r.faceID).png"] = fm.contents(atPath: c.dir.appendingPathComponent(r.crop).path)
        }
        var files = snapshot(out)
        let removedManifest = files.removeValue(forKey: "manifest.csv")
        let manifest = try #require(removedManifest)
        #expect(files.removeValue(forKey: ".curate-export") != nil)
        let removedLabels = files.removeValue(forKey: "labels.json")
        let labelsJSON = try #require(removedLabels)
        var metadata: [SplitName: Data] = [:]
        for s in splits { metadata[s] = files.removeValue(forKey: "\(s.rawValue)/metadata.jsonl") }
        #expect(files == expected)
        let lines = String(decoding: manifest, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == included.count + 1)
        #expect(Set(lines.dropFirst().map { String($0.split(separator: ",")[0]) }) == Set(expected.keys))
        // Every split has every class folder (empty ones too), so ImageFolder's indices agree.
        let classes = RandomCatalog.labels.sorted()
        #expect(Set(try fm.contentsOfDirectory(atPath: out.path).filter { !$0.contains(".") }) == Set(splits.map(\.rawValue)))
        for split in splits {
            let entries = try fm.contentsOfDirectory(atPath: out.appendingPathComponent(split.rawValue).path)
            #expect(Set(entries) == Set(classes + ["metadata.jsonl"]), "\(split): \(entries)")
        }
        let decoded = try JSONSerialization.jsonObject(with: labelsJSON) as? [String: Any]
        #expect(decoded?["classes"] as? [String] == classes)
        #expect(decoded?["class_to_idx"] as? [String: Int] == Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) }))
        // metadata.jsonl: one line per file of its split, file_name relative to the split folder.
        for split in splits {
            let text = String(decoding: try #require(metadata[split]), as: UTF8.self)
            let objects = try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            let inSplit = included.filter { $0.split == split }
            #expect(objects.count == inSplit.count)
            for o in objects {
                let name = try #require(o["file_name"] as? String)
                #expect(expected["\(split.rawValue)/\(name)"] != nil, "\(split)/\(name)")
                #expect(name.hasPrefix("\(o["label"] as? String ?? "?")/"))
                #expect(Set(o.keys).isSuperset(of: ["face_id", "group", "url", "image_sha256", "box", "landmarks", "reviewed"]))
            }
        }
    }

    static func write(_ exporter: ImageFolderExport, _ c: RandomCatalog, to out: URL, splits: [SplitName] = [.train, .val, .test],
                      force: Bool = false) throws -> ImageFolderExport.Summary {
        try exporter.write(c.catalog.faceExportRows(), to: out, labels: RandomCatalog.labels, splits: splits, force: force)
    }

    @Test func writesOneTreePerSplitAndTwiceGivesIdenticalBytes() throws {
        var c = try RandomCatalog(seed: 11)
        defer { c.remove() }
        try c.add(80)
        let stage = SplitStage(catalog: c.catalog, labels: SplitStageTests.labels)
        _ = try stage.run(SplitSettings(ratio: try SplitRatio("70/15/15"), seed: 0))
        try Self.writeCrops(c)
        let out = c.dir.appendingPathComponent("export")
        let exporter = ImageFolderExport(workspace: Workspace(c.dir))
        let first = try Self.write(exporter, c, to: out)
        try Self.checkTree(out, c, splits: [.train, .val, .test])
        let bytes = Self.snapshot(out)
        let second = try Self.write(exporter, c, to: out)
        #expect(Self.snapshot(out) == bytes)
        #expect(second.written == 0 && second.unchanged == first.files)

        // New photos and a reshuffle: the export follows, stale files and emptied folders go.
        try c.add(40)
        try Self.writeCrops(c)
        _ = try stage.run(SplitSettings(ratio: try SplitRatio("80/20"), seed: 3), reshuffle: true)
        let third = try Self.write(exporter, c, to: out, splits: [.train, .test])
        #expect(third.removed > 0)
        try Self.checkTree(out, c, splits: [.train, .test])
    }

    @Test func refusesANonEmptyFolderThatIsNoExportUnlessForced() throws {
        var c = try RandomCatalog(seed: 12)
        defer { c.remove() }
        try c.add(10)
        _ = try SplitStage(catalog: c.catalog, labels: SplitStageTests.labels).run(SplitSettings())
        try Self.writeCrops(c)
        let out = c.dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: out.appendingPathComponent("notes.txt"))
        let exporter = ImageFolderExport(workspace: Workspace(c.dir))
        #expect(throws: CurateError.self) { try Self.write(exporter, c, to: out) }
        #expect(Self.snapshot(out).keys.sorted() == ["notes.txt"])
        _ = try Self.write(exporter, c, to: out, force: true)
        #expect(Self.snapshot(out)["notes.txt"] == Data("keep me".utf8))
    }

    @Test func csvQuotesFieldsAndHasOneRowPerFace() throws {
        #expect(try FaceTable.csvText([["a", "b,c", "say \"hi\"", "x\ny"]]) == "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\n")
        var c = try RandomCatalog(seed: 13)
        defer { c.remove() }
        try c.add(20)
        let rows = try c.catalog.faceExportRows()
        let lines = try FaceTable.csv(rows).split(separator: "\n")
        #expect(lines.count == rows.count + 1)
        #expect(lines[0].split(separator: ",").count == FaceTable.csvHeader().count)
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == FaceTable.csvHeader().count })
    }
}
