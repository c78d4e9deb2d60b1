import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport
@testable import Fetch

/// `kill -9` in the middle of a fetch, then a rerun: nothing lost, duplicated or half-written.
@Suite(.enabled(if: hasDataset, Comment(rawValue: missingDataset)))
struct KillResumeTests {
    @Test func aKilledRunResumesWithoutLossOrDuplicates() throws {
        // A per-request delay keeps the run long enough (about 7 s) to be killed mid-way even
        // on a busy machine.
        let server = try FaultServer(root: datasetDir, delay: 0.05)
        let dir = try makeTempDir("kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = try datasetRows()
        let list = dir.appendingPathComponent("urls.tsv")
        try rows.map { "\($0.label)\t\(server.base)/\($0.path)" }.joined(separator: "\n")
            .write(to: list, atomically: true, encoding: .utf8)
        let ws = dir.appendingPathComponent("ws")
        let args = ["fetch", "--workspace", ws.path,
                    "--pipeline", repoRoot.appendingPathComponent("Pipelines/emotions.yml").path,
                    "--jobs", "4", list.path]

        let first = try startCurate(args)
        // Kill once some, but not all, URLs have been committed.
        let catalogPath = ws.appendingPathComponent("catalog.sqlite").path
        var fetchedAtKill = 0
        for _ in 0..<300 {
            Thread.sleep(forTimeInterval: 0.05)
            if FileManager.default.fileExists(atPath: catalogPath),
               let n = try? CatalogFactory.open(.sqlite(path: catalogPath), .existing).status().urls.fetched, n >= 50 {
                fetchedAtKill = n
                break
            }
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)
        #expect(fetchedAtKill > 0 && fetchedAtKill < rows.count, "the kill must land mid-run")

        let second = try startCurate(args)
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)

        let catalog = try CatalogFactory.open(.sqlite(path: catalogPath), .existing)
        let status = try catalog.status()
        #expect(status.urls.total == rows.count)
        #expect(status.urls.fetched == rows.count)
        #expect(status.images.total == rows.count)
        let all = try catalog.allProvenance()
        #expect(all.allSatisfy { $0.labels.count == 1 })
        let expected = Dictionary(uniqueKeysWithValues: rows.map { ("\(server.base)/\($0.path)", $0.sha256) })
        for p in all {
            #expect(p.sha256 == expected[p.url])
            let file = Workspace(ws).url(relative: Workspace.imageRelativePath(sha256: p.sha256 ?? "", ext: "jpg"))
            #expect(ContentHash.sha256Hex(try [UInt8](Data(contentsOf: file))) == p.sha256)
        }
        // No half-written files survive the rerun, and no stray files sit in the store.
        let tmp = try FileManager.default.contentsOfDirectory(atPath: ws.appendingPathComponent("tmp").path)
        #expect(tmp.isEmpty)
        let stored = FileManager.default.enumerator(atPath: ws.appendingPathComponent("images").path)!
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".jpg") }
        #expect(stored.count == rows.count)
        _ = server
    }
}
