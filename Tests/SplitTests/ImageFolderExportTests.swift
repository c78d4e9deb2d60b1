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

    static func checkTree(_ out: URL, _ c: RandomCatalog) throws {
        let rows = try c.catalog.faceExportRows()
        let included = rows.filter { $0.split != nil }
        var expected: [String: Data] = [:]
        for r in included {
            expected["\(r.split!)/\(r.label!)/\(r.faceID).png"] = FileManager.default.contents(atPath: c.dir.appendingPathComponent(r.crop).path)
        }
        var files = snapshot(out)
        let removed = files.removeValue(forKey: "manifest.csv")
        let manifest = try #require(removed)
        #expect(files.removeValue(forKey: ".curate-export") != nil)
        #expect(files == expected)
        let lines = String(decoding: manifest, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == included.count + 1)
        #expect(Set(lines.dropFirst().map { String($0.split(separator: ",")[0]) }) == Set(expected.keys))
        // No empty class folders: ImageFolder would list a class with no samples.
        for split in try FileManager.default.contentsOfDirectory(atPath: out.path) where !split.hasPrefix(".") && split != "manifest.csv" {
            for label in try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent(split).path) {
                #expect(!(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("\(split)/\(label)").path)).isEmpty)
            }
        }
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
        let first = try exporter.write(c.catalog.faceExportRows(), to: out)
        try Self.checkTree(out, c)
        let bytes = Self.snapshot(out)
        let second = try exporter.write(c.catalog.faceExportRows(), to: out)
        #expect(Self.snapshot(out) == bytes)
        #expect(second.written == 0 && second.unchanged == first.files)

        // New photos and a reshuffle: the export follows, stale files and emptied folders go.
        try c.add(40)
        try Self.writeCrops(c)
        _ = try stage.run(SplitSettings(ratio: try SplitRatio("80/20"), seed: 3), reshuffle: true)
        let third = try exporter.write(c.catalog.faceExportRows(), to: out)
        #expect(third.removed > 0)
        try Self.checkTree(out, c)
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
        #expect(throws: CurateError.self) { try exporter.write(c.catalog.faceExportRows(), to: out) }
        #expect(Self.snapshot(out).keys.sorted() == ["notes.txt"])
        _ = try exporter.write(c.catalog.faceExportRows(), to: out, force: true)
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
