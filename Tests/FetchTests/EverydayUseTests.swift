import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport
import Export

/// What a first run trips over: Ctrl-C, empty workspaces, a mistyped --workspace, failures.
@Suite(.serialized, .enabled(if: hasDataset, Comment(rawValue: missingDataset)))
struct EverydayUseTests {
    let pipeline = ["--pipeline", repoRoot.appendingPathComponent("Pipelines/emotions.yml").path]

    @Test func ctrlCDuringFetchKeepsEveryFinishedDownloadAndExits130() throws {
        let server = try FaultServer(root: datasetDir, delay: 0.05)
        let dir = try makeTempDir("sigint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = try datasetRows()
        let list = dir.appendingPathComponent("urls.tsv")
        try rows.map { "\($0.label)\t\(server.base)/\($0.path)" }.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let ws = dir.appendingPathComponent("ws")
        let args = ["fetch", "--workspace", ws.path, "--jobs", "4", list.path] + pipeline
        let errURL = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        p.executableURL = try curateBinary()
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        // Interrupt once some downloads are on disk (at ~80/s with 4 jobs, well before the end).
        let images = ws.appendingPathComponent("images")
        func onDisk() -> Int {
            (FileManager.default.enumerator(atPath: images.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".jpg") }.count) ?? 0
        }
        for _ in 0..<200 where onDisk() < 40 { Thread.sleep(forTimeInterval: 0.05) }
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let err = try String(contentsOf: errURL, encoding: .utf8)
        #expect(p.terminationReason == .exit && p.terminationStatus == 130, "\(p.terminationReason) \(p.terminationStatus): \(err)")
        #expect(err.contains("interrupted: kept"), "\(err)")
        let status = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing).status()
        // Every file on disk is named by a committed row: no finished download is thrown away.
        #expect(status.urls.fetched == onDisk() && status.urls.fetched >= 40, "fetched \(status.urls.fetched), on disk \(onDisk())")
        #expect(status.urls.fetched < rows.count, "the interrupt must land mid-run")
        #expect(status.urls.pending == rows.count - status.urls.fetched - status.urls.failed)
        // The same command finishes the job.
        let again = try runCurate(args)
        #expect(again.status == 0, "\(again.err)")
        #expect(try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing).status().urls.fetched == rows.count)
        _ = server
    }

    @Test func stagesOnAnEmptyWorkspaceSayWhatToRunFirstAndFail() throws {
        let dir = try makeTempDir("empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = ["--workspace", dir.appendingPathComponent("ws").path]
        let empty = dir.appendingPathComponent("happy.txt")
        try "# nothing yet\n".write(to: empty, atomically: true, encoding: .utf8)
        #expect(try runCurate(["fetch", empty.path] + ws + pipeline).status == 0)
        let models = ["--models", repoRoot.appendingPathComponent("Data/models").path]
        for (args, says) in [(["dedup"], "curate fetch LIST"), (["faces"] + models, "curate fetch LIST"), (["split"], "curate faces"),
                             (["score"] + models, "curate faces"), (["export"], "curate faces"),
                             (["export", "--level", "image"], "curate fetch LIST")] {
            let r = try runCurate(args + ws + pipeline)
            #expect(r.status == 1 && r.err.contains("run `\(says)"), "\(args): \(r.status) \(r.err)")
        }
    }

    @Test func aReadOnlyCommandOnAMistypedWorkspaceFailsAndCreatesNothing() throws {
        let dir = try makeTempDir("typo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let typo = dir.appendingPathComponent("wokspace")
        for cmd in [["status"], ["status", "--json"], ["export"], ["report", "--out", dir.appendingPathComponent("r.html").path]] {
            let r = try runCurate(cmd + ["--workspace", typo.path] + pipeline)
            #expect(r.status != 0 && r.err.contains("no catalog in workspace \(typo.path)"), "\(cmd): \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: typo.path))
    }

    @Test func statusFailuresListsEachFailedURLWithItsReason() throws {
        let server = try FaultServer(root: datasetDir)
        let dir = try makeTempDir("failures")
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("happy.txt")
        try ["/fault/sample.jpg", "/missing.jpg", "/fault/empty", "/fault/photo.heic"].map { server.base + $0 }
            .joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let ws = ["--workspace", dir.appendingPathComponent("ws").path]
        _ = try runCurate(["fetch", list.path] + ws + pipeline)
        let text = try runCurate(["status", "--failures"] + ws + pipeline)
        #expect(text.status == 0 && text.out.contains("http_404") && text.out.contains("\(server.base)/missing.jpg")
                && text.out.contains("3 failed URLs"), "\(text.out)")
        let json = try runCurate(["status", "--failures", "--json", "--reason", "http_404"] + ws + pipeline)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows[0]["url"] as? String == "\(server.base)/missing.jpg" && rows[0]["http_status"] as? Int == 404
                && rows[0]["attempts"] as? Int == 1 && rows[0]["labels"] as? [String] == ["happy"], "\(rows)")
        let none = try runCurate(["status", "--failures", "--reason", "timeout"] + ws + pipeline)
        #expect(none.status == 0 && none.out.contains("no URL failed with reason 'timeout'") && none.out.contains("http_404 1"))
        #expect(try runCurate(["status", "--reason", "x"] + ws + pipeline).status != 0, "--reason needs --failures")
        _ = server
    }

    @Test func roughEdgesGetClearErrorsAndWork() throws {
        let server = try FaultServer(root: datasetDir)
        let dir = try makeTempDir("rough")
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("happy.txt")
        try "\(server.base)/fault/sample.jpg\n".write(to: list, atomically: true, encoding: .utf8)
        let ws = ["--workspace", dir.appendingPathComponent("ws").path]
        let jobs = try runCurate(["fetch", "--jobs", "0", list.path] + ws + pipeline)
        #expect(jobs.status != 0 && jobs.err.contains("--jobs must be at least 1"), "\(jobs.err)")
        #expect(try runCurate(["fetch", list.path] + ws + pipeline).status == 0)

        let file = dir.appendingPathComponent("a-file")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        let onFile = try runCurate(["export", "--level", "image", "--format", "jsonl", "--out", dir.appendingPathComponent("a/b/images.jsonl").path] + ws + pipeline)
        #expect(onFile.status == 0 && FileManager.default.fileExists(atPath: dir.appendingPathComponent("a/b/images.jsonl").path),
                "--out creates missing parent folders: \(onFile.err)")
        let csv = try runCurate(["export", "--level", "image", "--format", "csv"] + ws + pipeline)
        #expect(csv.status == 0 && csv.out.hasPrefix("sha256,path,format,width,height,orientation,bytes,urls,labels")
                && csv.out.contains("\(server.base)/fault/sample.jpg") && csv.out.split(separator: "\n").count == 2, "\(csv.out)")

        let typo = dir.appendingPathComponent("typo.yml")
        try "labels: [{name: happy}]\nfetch: {concurency: 2}\n".write(to: typo, atomically: true, encoding: .utf8)
        let bad = try runCurate(["fetch", list.path] + ws + ["--pipeline", typo.path])
        #expect(bad.status != 0 && bad.err.contains("unknown key 'fetch.concurency' (did you mean 'fetch.concurrency'?)"), "\(bad.err)")

        // Enumerated options list their values when one is wrong (argument-parser's own check).
        for (args, values) in [(["score", "--model", "bogus"], "'default' and 'trained'"),
                               (["score", "--rank-by", "worst"], "'self_confidence' and 'margin'"),
                               (["faces", "--crop", "square"], "'aligned' and 'margin'")] {
            let r = try runCurate(args + ws + pipeline)
            #expect(r.status != 0 && r.err.contains(values), "\(args): \(r.err)")
        }

        // Global options typed before the subcommand, as users type them.
        let before = try runCurate(["--workspace", dir.appendingPathComponent("ws").path] + pipeline + ["status"])
        #expect(before.status == 0 && before.out.contains("urls: 1 (fetched 1"), "\(before.err)")
        #expect(try runCurate(["--workspace=\(dir.appendingPathComponent("ws").path)", "status", "--json"] + pipeline).status == 0)

        let version = try runCurate(["--version"])
        #expect(version.status == 0 && version.out.hasPrefix("curate ") && version.out.contains("catalog schema v"))
        _ = server
    }

    @Test func aCSVListWithAMultiLineNoteIsFetchedAndAnUnclosedQuoteFailsTheRunNamingItsLine() throws {
        let dir = try makeTempDir("csvlist")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = try datasetRows()
        let urls = rows.prefix(2).map { URL(fileURLWithPath: datasetDir.appendingPathComponent($0.path).path).absoluteString }
        let list = dir.appendingPathComponent("list.csv")
        try """
            url,label,note
            \(urls[0]),\(rows[0].label),"first line
            second line, with ""quotes"" inside"
            \(urls[1]),\(rows[1].label),"never closed

            """.write(to: list, atomically: true, encoding: .utf8)
        let ws = ["--workspace", dir.appendingPathComponent("ws").path]
        let r = try runCurate(["fetch", list.path] + ws + pipeline)
        #expect(r.status == 3 && r.err.contains("list.csv:4: a quoted field opened on this line is never closed"), "\(r.status) \(r.err)")
        let status = try runCurate(ws + pipeline + ["status"])
        #expect(status.out.contains("urls: 1 (fetched 1"), "\(status.out)")
    }

    @Test func imagefolderOntoAFileIsAClearError() throws {
        let dir = try makeTempDir("onfile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("existing.txt")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        let r = try ImageFolderErrorProbe.export(to: file)
        #expect(r.contains("is a file; an imagefolder export is a folder"), "\(r)")
    }
}

/// The imagefolder writer on its own (no faces needed to hit the check).
enum ImageFolderErrorProbe {
    static func export(to url: URL) throws -> String {
        do { _ = try ImageFolderExport(workspace: Workspace(url.deletingLastPathComponent())).write([], to: url, labels: ["happy"], splits: [.train, .test]); return "no error" }
        catch { return "\(error)" }
    }
}
