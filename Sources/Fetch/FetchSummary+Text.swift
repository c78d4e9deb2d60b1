import CurateCore
extension FetchSummary {
    /// The end-of-run report printed by `curate fetch`.
    public var text: String {
        if attempted == 0 { return "nothing to fetch: every listed URL is already finished (--retry-failed retries failures)" }
        var lines = [
            "fetched \(fetched) of \(counted(attempted, "URL")) in \(String(format: "%.1f", seconds)) s "
                + "(\(String(format: "%.0f", imagesPerSecond)) images/s, \(Self.bytes(bytes)))",
            "duplicates (same bytes as a stored image): \(duplicates)",
            "failed: \(failed)",
        ]
        for (reason, n) in failures.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            lines.append("  \(reason): \(n)")
        }
        let sites = hosts.filter { !$0.key.isEmpty }
        if !sites.isEmpty {
            let busiest = sites.sorted { ($0.value.requests, $1.key) > ($1.value.requests, $0.key) }.prefix(5)
            lines.append("requests by site (\(counted(sites.count, "site"))): " + busiest.map { site, s in
                "\(site) \(s.requests)" + (s.pauses > 0 ? " (paused \(s.pauses)× on 429/503)" : "")
            }.joined(separator: ", ") + (sites.count > 5 ? ", …" : ""))
        }
        return lines.joined(separator: "\n")
    }

    static func bytes(_ n: Int) -> String {
        let mib = Double(n) / 1_048_576
        return mib >= 1 ? String(format: "%.1f MiB", mib) : String(format: "%.1f KiB", Double(n) / 1024)
    }
}

import Foundation
