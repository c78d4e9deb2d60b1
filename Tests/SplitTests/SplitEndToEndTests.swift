import CurateCore
import Foundation
import Testing
import TestSupport

/// fetch -> dedup -> faces -> split -> export with the `curate` binary on the 550 shared
/// photos, then the export read back by a Python ImageFolder stand-in with PIL.
@Suite(.enabled(if: EndToEnd.ready, Comment(rawValue: EndToEnd.why)))
struct SplitEndToEndTests {
    @Test func sharedPhotosBecomeAnImageFolderTreeMatchingItsManifest() throws {
        let tmp = try makeTempDir("e2e-split")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let ws = tmp.appendingPathComponent("ws").path
        let list = tmp.appendingPathComponent("photos.tsv")
        let rows = try datasetRows()
        try rows.map { "\($0.label)\t\(datasetDir.appendingPathComponent($0.path).absoluteString)" }
            .joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let common = ["--workspace", ws, "--pipeline", repoRoot.appendingPathComponent("Pipelines/emotions.yml").path]
        func curate(_ args: String...) throws -> String {
            let r = try runCurate(args + common)
            #expect(r.status == 0, "curate \(args.joined(separator: " ")): \(r.err)")
            return r.out
        }
        _ = try curate("fetch", list.path)
        _ = try curate("dedup")
        _ = try curate("faces", "--models", repoRoot.appendingPathComponent("Data/models").path)
        let table = try curate("split", "--ratio", "70/15/15", "--seed", "1")
        #expect(table.contains("train") && table.contains("val") && table.contains("test"))
        let out = tmp.appendingPathComponent("export")
        _ = try curate("export", "--format", "imagefolder", "--out", out.path)

        let status = try JSONSerialization.jsonObject(with: Data(try curate("status", "--json").utf8)) as! [String: Any]
        let splits = try #require(status["splits"] as? [String: [String: Int]])
        #expect(Set(splits.keys) == ["train", "val", "test"])
        let placed = splits.values.flatMap(\.values).reduce(0, +)
        #expect(placed > 450, "most of the 550 photos have one usable face")

        // Every face once, groups whole, per label close to 70/15/15.
        let faces = try curate("export", "--format", "jsonl").split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        var groupSplits: [String: Set<String>] = [:]
        for f in faces { if let s = f["split"] as? String { groupSplits[f["group"] as! String, default: []].insert(s) } }
        #expect(groupSplits.values.allSatisfy { $0.count == 1 })
        for (label, _) in splits["train"]! {
            let total = splits.values.reduce(0) { $0 + ($1[label] ?? 0) }
            for (name, share) in [("train", 0.7), ("val", 0.15), ("test", 0.15)] {
                #expect(abs(Double(splits[name]![label] ?? 0) - share * Double(total)) <= 3, "\(label)/\(name)")
            }
        }

        // The ImageFolder reader finds exactly the manifest, every crop 160x160.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: EndToEnd.python!)
        check.arguments = [URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("imagefolder_check.py").path, out.path]
        let pipe = Pipe()
        check.standardOutput = pipe
        try check.run()
        let report = pipe.fileHandleForReading.readDataToEndOfFile()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "\(String(decoding: report, as: UTF8.self))")
        let summary = try JSONSerialization.jsonObject(with: report) as! [String: Any]
        #expect(summary["samples"] as? Int == placed)
        #expect((summary["splits"] as? [String: [String: Int]]) == splits)

        // Hugging Face datasets reads the same tree as train/validation/test, the provenance as columns.
        let hf = try runProgram(URL(fileURLWithPath: EndToEnd.python!),
                                [URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("hf_imagefolder_check.py").path,
                                 out.path])
        #expect(hf.status == 0, "\(hf.err.suffix(2000))")
        let loaded = try JSONSerialization.jsonObject(with: Data(hf.out.utf8)) as? [String: Any]
        let hfSplits = loaded?["splits"] as? [String: [String: Any]] ?? [:]
        #expect(Set(hfSplits.keys) == ["train", "validation", "test"])
        for (name, hfName) in [("train", "train"), ("val", "validation"), ("test", "test")] {
            #expect(hfSplits[hfName]?["rows"] as? Int == splits[name]!.values.reduce(0, +), "\(hfName)")
            #expect((hfSplits[hfName]?["sizes"] as? [[Int]]) == [[160, 160]])
            let ids = faces.filter { $0["split"] as? String == name }.compactMap { $0["face_id"] as? Int }.sorted()
            #expect(hfSplits[hfName]?["face_ids"] as? [Int] == ids, "\(hfName)")
        }
        let columns = Set(loaded?["columns"] as? [String] ?? [])
        #expect(columns.isSuperset(of: ["image", "label", "face_id", "group", "url", "image_sha256", "box", "landmarks", "reviewed"]))

        // WebDataset shards, read by the webdataset package: every placed face once, .cls as labels.json says.
        let shards = tmp.appendingPathComponent("wds")
        _ = try curate("export", "--format", "webdataset", "--out", shards.path, "--shard-size", "100")
        let wds = try runProgram(URL(fileURLWithPath: EndToEnd.python!),
                                 [URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("webdataset_check.py").path,
                                  shards.path])
        #expect(wds.status == 0, "\(wds.err.suffix(2000))")
        let read = try JSONSerialization.jsonObject(with: Data(wds.out.utf8)) as? [String: [String: Any]] ?? [:]
        for name in ["train", "val", "test"] {
            let ids = faces.filter { $0["split"] as? String == name }.compactMap { $0["face_id"] as? Int }.sorted()
            #expect(read[name]?["face_ids"] as? [Int] == ids, "\(name)")
            #expect(read[name]?["mismatched"] as? Int == 0 && (read[name]?["sizes"] as? [[Int]]) == [[160, 160]])
            #expect(read[name]?["shards"] as? Int == (ids.count + 99) / 100)
        }
        let shardBytes = ImageFolderExportTests.snapshot(shards)
        _ = try curate("export", "--format", "webdataset", "--out", shards.path, "--shard-size", "100")
        #expect(ImageFolderExportTests.snapshot(shards) == shardBytes, "shards are deterministic")

        // The dataset card says what is in the export and what made it.
        let card = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(card.hasPrefix("# emotions: \(placed) faces in 3 splits"))
        for (label, _) in splits["train"]! {
            let row = "| \(label) | \(splits["train"]![label] ?? 0) | \(splits["val"]![label] ?? 0) | \(splits["test"]![label] ?? 0) |"
            #expect(card.contains(row), "\(row) in the card")
        }
        #expect(card.contains("## Consent") && card.contains("```yaml\n# The seed's card"))

        // Exporting again changes no byte.
        let before = ImageFolderExportTests.snapshot(out)
        _ = try curate("export", "--format", "imagefolder", "--out", out.path)
        #expect(ImageFolderExportTests.snapshot(out) == before)
    }
}

enum EndToEnd {
    static let models = repoRoot.appendingPathComponent("Data/models/MANIFEST.sha256")
    static let python = testPython
    static var ready: Bool { hasDataset && FileManager.default.fileExists(atPath: models.path) && python != nil }
    static var why: String {
        !hasDataset ? missingDataset
            : !FileManager.default.fileExists(atPath: models.path) ? "skipped: Data/models is absent (scripts/models.sh)"
            : "skipped: no Python with Pillow (scripts/test-venv.sh makes Data/cache/venv-test)"
    }
}
