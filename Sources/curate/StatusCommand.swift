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
