import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport
@testable import Fetch

/// Site reservations seen in the response headers end the URL as `opt_out` before its body
/// (8 MiB here) is read; others and reservations for other crawlers do not.
@Suite(.enabled(if: hasDataset, Comment(rawValue: missingDataset)))
struct OptOutFetchTests {
    static let cases: [(header: String, optOut: Bool)] = [
        ("X-Robots-Tag: noai, noimageai", true),
        ("X-Robots-Tag: curate: noml", true),
        ("X-Robots-Tag: none", true),
        ("tdm-reservation: 1", true),
        ("X-Robots-Tag: googlebot: noindex", false),
        ("X-Robots-Tag: nofollow", false),
        ("tdm-reservation: 0", false),
    ]
    static let bodyBytes = 8 * 1024 * 1024

    func fetch(_ headers: [String], optOuts: Set<OptOutDirective> = Set(OptOutDirective.allCases))
        throws -> (server: FaultServer, provenance: [URLProvenance], failures: [String: Int]) {
        let server = try FaultServer(root: datasetDir)
        let dir = try makeTempDir("optout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = Workspace(dir)
        let catalog = try ws.openCatalog()
        _ = try catalog.addURLs(headers.enumerated().map { i, h in
            URLEntry(url: "\(server.base)/fault/headers?h=\(h.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                     label: "happy", listFile: "l", line: i + 1)
        })
        var settings = FetchSettings()
        settings.optOuts = optOuts
        _ = try FetchStage(workspace: ws, catalog: catalog, settings: settings).run(retryFailed: false)
        return (server, try catalog.allProvenance(), try catalog.status().failures)
    }

    @Test func reservationsEndAsOptOutBeforeTheBodyAndOthersAreFetched() throws {
        let (_, rows, failures) = try fetch(Self.cases.map(\.header))
        for (c, p) in zip(Self.cases, rows) {
            if c.optOut {
                #expect(p.state == .failed && p.error == .optOut, "\(c.header): \(p.state) \(p.error?.rawValue ?? "")")
                #expect((p.errorDetail ?? "").lowercased() == c.header.lowercased(), "the header is recorded")
                #expect((p.bytes ?? 0) < Self.bodyBytes / 8, "\(c.header): \(p.bytes ?? 0) body bytes read")
            } else {
                #expect(p.state == .fetched, "\(c.header): \(p.error?.rawValue ?? "")")
            }
        }
        #expect(failures == ["opt_out": Self.cases.filter(\.optOut).count])
    }

    @Test func anEmptyOptOutSettingHonoursNone() throws {
        let (_, rows, _) = try fetch(["X-Robots-Tag: noai"], optOuts: [])
        #expect(rows.first?.state == .fetched)
    }
}
