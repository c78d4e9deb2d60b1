import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport
@testable import Fetch

/// The whole fetch stage against a real loopback server: the shared dataset plus
/// endpoints that fail the ways web servers do.
@Suite(.enabled(if: hasDataset, Comment(rawValue: missingDataset)))
struct FetchEndToEndTests {
    static let faults: [(path: String, reason: String?)] = [
        ("404", "http_404"),
        ("500", "http_500"),
        ("429", "http_429"),
        ("429-once/x", nil),
        ("503-once/x", nil),
        ("slow", "timeout"),
        ("cut-short", "truncated_body"),
        ("truncated.jpg", "truncated_image"),
        ("html-as-jpeg", "not_an_image"),
        ("oversized", "too_large"),
        ("oversized-chunked", "too_large"),
        ("loop", "too_many_redirects"),
        ("redirect", nil),
        ("bomb.png", "decompression_bomb"),
        ("anim.gif", nil),
        ("photo.heic", "unsupported_format"),
        ("negotiate", nil),
        ("empty", "empty_body"),
    ]

    static func settings() -> FetchSettings {
        var s = FetchSettings()
        s.timeout = 2
        s.retries = 1
        s.backoff = 0.05
        s.maxBackoff = 5
        return s
    }

    @Test func everyURLEndsInTheRightStateAndARerunFetchesNothing() throws {
        let server = try FaultServer(root: datasetDir)
        let dir = try makeTempDir("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = Workspace(dir)
        let catalog = try ws.openCatalog()
        let rows = try datasetRows()
        var entries = rows.enumerated().map { i, r in
            URLEntry(url: "\(server.base)/\(r.path)", label: r.label, listFile: "labels.csv", line: i + 2)
        }
        entries += Self.faults.enumerated().map { i, f in
            URLEntry(url: "\(server.base)/fault/\(f.path)", label: "sad", listFile: "faults.txt", line: i + 1)
        }
        // file:// URLs are fetched like any other; a missing file is a clean failure.
        let localFile = datasetDir.appendingPathComponent(rows[0].path)
        entries.append(URLEntry(url: localFile.absoluteString, label: "happy", listFile: "local.txt", line: 1))
        entries.append(URLEntry(url: "file:///nonexistent/curate.jpg", label: "happy", listFile: "local.txt", line: 2))
        _ = try catalog.addURLs(entries)

        let summary = try FetchStage(workspace: ws, catalog: catalog, settings: Self.settings()).run(retryFailed: false)
        let expectedFailures = Self.faults.filter { $0.reason != nil }.count + 1
        #expect(summary.attempted == entries.count)
        #expect(summary.failed == expectedFailures)
        #expect(summary.fetched == entries.count - expectedFailures)
        // Four fault URLs (one only when its Accept header names WebP and AVIF) and the file URL
        // serve dataset images: same bytes, one image each.
        #expect(summary.duplicates == 5)
        let local = try #require(try catalog.provenance(url: localFile.absoluteString))
        #expect(local.state == .fetched && local.sha256 == rows[0].sha256 && local.httpStatus == nil)
        #expect(try catalog.provenance(url: "file:///nonexistent/curate.jpg")?.error == .fileNotFound)

        for f in Self.faults {
            let p = try #require(try catalog.provenance(url: "\(server.base)/fault/\(f.path)"))
            #expect(p.state == (f.reason == nil ? .fetched : .failed), "\(f.path)")
            #expect(p.error?.rawValue == f.reason, "\(f.path): \(p.errorDetail ?? "")")
        }
        let retried = try #require(try catalog.provenance(url: "\(server.base)/fault/429-once/x"))
        #expect(retried.attempts == 2)
        #expect((retried.elapsedSeconds ?? 0) >= 0.9, "Retry-After: 1 must be honoured")
        let redirected = try #require(try catalog.provenance(url: "\(server.base)/fault/redirect"))
        #expect(redirected.finalURL == "\(server.base)/fault/sample.jpg")
        let bomb = try #require(try catalog.provenance(url: "\(server.base)/fault/bomb.png"))
        #expect(bomb.width == 20000 && bomb.height == 20000 && bomb.format == .png)

        // Every dataset file is stored under its own sha256, byte for byte.
        for r in rows {
            let p = try #require(try catalog.provenance(url: "\(server.base)/\(r.path)"))
            #expect(p.state == .fetched)
            #expect(p.sha256 == r.sha256, "\(r.path)")
            #expect(p.labels == [URLLabel(label: r.label, listFile: "labels.csv")])
            let stored = ws.url(relative: Workspace.imageRelativePath(sha256: r.sha256, ext: "jpg"))
            let bytes = try [UInt8](Data(contentsOf: stored))
            #expect(ContentHash.sha256Hex(bytes) == r.sha256)
        }
        let status = try catalog.status()
        #expect(status.urls.pending == 0)
        // The dataset's photos and the fault server's one-pixel GIF.
        #expect(status.images.total == rows.count + 1)

        // A rerun has nothing to do; --retry-failed tries only the failures again.
        let again = try FetchStage(workspace: ws, catalog: catalog, settings: Self.settings()).run(retryFailed: false)
        #expect(again.attempted == 0)
        #expect(try catalog.status() == status)
        #expect(try catalog.urlsToFetch(retryFailed: true).count == expectedFailures)
        _ = server
    }
}
