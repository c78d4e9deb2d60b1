import ArgumentParser
import Catalogs
import CurateCore
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Summarise the workspace's catalog.",
        discussion: "Reads only: a workspace that does not exist is an error, never created.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON instead of text (with --failures: an array, one object per URL).")
    var json = false

    @Flag(help: "List every failed URL with its reason, HTTP status, attempts and detail.")
    var failures = false

    @Option(help: ArgumentHelp("With --failures: only URLs that failed for this reason (as `status` lists them, e.g. http_404).",
                               valueName: "reason"))
    var reason: FetchFailure?

    func validate() throws {
        if reason != nil && !failures { throw ValidationError("--reason filters --failures; pass both") }
    }

    func run() throws {
        let catalog = try global.openExistingCatalog()
        guard failures else {
            let status = try catalog.status()
            print(json ? try status.json() : status.text)
            return
        }
        let failed = try catalog.failedURLs(reason: reason)
        if json {
            print(String(decoding: try JSONEncoder.sorted.encode(failed.map(FailedURL.init)), as: UTF8.self))
        } else if failed.isEmpty {
            let reasons = try catalog.status().failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print(reason.map { "no URL failed with reason '\($0)'" + (reasons.isEmpty ? "" : " (reasons here: \(reasons.joined(separator: ", ")))") }
                  ?? "no failed URLs")
        } else {
            print(FailedURL.table(failed.map(FailedURL.init)))
        }
    }
}

/// One failed URL as `status --failures` prints it.
struct FailedURL: Encodable {
    var url: String
    var reason: String
    var detail: String?
    var attempts: Int
    var httpStatus: Int?
    var labels: [String]

    enum CodingKeys: String, CodingKey { case url, reason, detail, attempts, httpStatus = "http_status", labels }

    init(_ p: URLProvenance) {
        url = p.url; reason = p.error?.rawValue ?? "unknown"; detail = p.errorDetail; attempts = p.attempts; httpStatus = p.httpStatus
        labels = Array(Set(p.labels.map(\.label))).sorted()
    }

    static func table(_ rows: [FailedURL]) -> String {
        let width = max(6, rows.map(\.reason.count).max() ?? 0)
        var lines = ["reason".padding(toLength: width, withPad: " ", startingAt: 0) + "  http  tries  url"]
        for r in rows {
            lines.append(r.reason.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + (r.httpStatus.map(String.init) ?? "-").padding(toLength: 4, withPad: " ", startingAt: 0) + "  "
                + String(r.attempts).padding(toLength: 5, withPad: " ", startingAt: 0) + "  " + r.url
                + (r.detail.map { "  (\($0))" } ?? ""))
        }
        lines.append("\(rows.count) failed URL\(rows.count == 1 ? "" : "s")")
        return lines.joined(separator: "\n")
    }
}
