import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport
@testable import Fetch

/// The pacing rule without a server.
struct HostPacingTests {
    @Test func sitesAreRegistrableDomainsApproximately() {
        #expect(HostPacing.site("https://cdn.images.example.com/a.jpg") == "example.com")
        #expect(HostPacing.site("https://img.bbc.co.uk/a.jpg") == "bbc.co.uk")
        #expect(HostPacing.site("http://127.0.0.1:8080/a.jpg") == "127.0.0.1")
        #expect(HostPacing.site("http://localhost/a") == "localhost")
        #expect(HostPacing.site("file:///x/a.jpg") == "")
    }

    @Test func theBucketAllowsABurstThenTheRate() {
        var p = HostPacing(rate: 2, burst: 2)
        for _ in 0..<2 {
            let ok = p.mayStart("a", now: 0)
            #expect(ok)
            p.started("a", now: 0)
        }
        let third = p.mayStart("a", now: 0.1), other = p.mayStart("b", now: 0.1)
        #expect(!third)
        #expect(other, "sites are paced apart")
        let ready = p.nextReady(["a"], now: 0.1)
        #expect(ready.map { abs($0 - 0.5) < 1e-9 } == true, "\(String(describing: ready))")
        let later = p.mayStart("a", now: 0.5)
        #expect(later)
    }

    @Test func aPauseHoldsTheWholeSiteUntilItEnds() {
        var p = HostPacing(rate: 0, burst: 1)
        p.pause("a", until: 5)
        let during = p.mayStart("a", now: 4.9), after = p.mayStart("a", now: 5)
        #expect(!during && after)
        #expect(p.nextReady(["a"], now: 1) == 5)
        #expect(p.stats["a"]?.pauses == 1)
    }
}

/// Against the fault server, which logs when each request arrives.
@Suite(.serialized, .enabled(if: hasDataset, Comment(rawValue: missingDataset)))
struct PolitenessTests {
    func arrivals(_ server: FaultServer) throws -> [(t: Double, path: String)] {
        let r = try runProgram(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "\(server.base)/__log"])
        let log = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [[Any]]
        return log.map { ($0[0] as! Double, $0[1] as! String) }
    }

    func fetch(_ paths: [String], _ server: FaultServer, _ tune: (inout FetchSettings) -> Void) throws -> FetchSummary {
        let dir = try makeTempDir("polite")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = Workspace(dir)
        let catalog = try ws.openCatalog()
        _ = try catalog.addURLs(paths.enumerated().map { URLEntry(url: "\(server.base)\($1)", label: "happy", listFile: "l", line: $0 + 1) })
        var s = FetchSettings()
        s.backoff = 0.05
        tune(&s)
        return try FetchStage(workspace: ws, catalog: catalog, settings: s).run(retryFailed: false)
    }

    @Test func requestsPerSecondToASiteStayWithinTheRateAndOneBurst() throws {
        let server = try FaultServer(root: datasetDir)
        let summary = try fetch((0..<12).map { "/fault/sample.jpg?n=\($0)" }, server) { $0.perHostRate = 4; $0.perHostBurst = 2 }
        #expect(summary.fetched == 12)
        #expect(summary.hosts["127.0.0.1"]?.requests == 12)
        let t = try arrivals(server).map(\.t).sorted()
        #expect(t.count == 12)
        for i in t.indices { for j in t.indices where j > i {
            // j - i + 1 requests within t[j] - t[i] seconds: at most the rate's share plus one burst.
            #expect(Double(j - i + 1) <= 4 * (t[j] - t[i]) + 2 + 0.5, "requests \(i)…\(j) in \(t[j] - t[i]) s")
        } }
    }

    @Test func a429PausesTheWholeSiteUntilItsRetryAfter() throws {
        let server = try FaultServer(root: datasetDir)
        let paths = ["/fault/429-once/first"] + (0..<9).map { "/fault/sample.jpg?n=\($0)" }
        let summary = try fetch(paths, server) { $0.perHost = 1; $0.concurrency = 1 }
        #expect(summary.fetched == 10)
        #expect(summary.hosts["127.0.0.1"]?.pauses == 1)
        let log = try arrivals(server)
        let first = try #require(log.first { $0.path == "/fault/429-once/first" })
        let after = log.filter { $0.t > first.t }
        #expect(!after.isEmpty)
        // Retry-After: 1 — nothing reaches the site in the second after the 429.
        #expect(after.allSatisfy { $0.t >= first.t + 0.95 }, "\(after.map { $0.t - first.t })")
    }
}
