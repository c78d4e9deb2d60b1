import Foundation

/// How often curate may start a request to one site: a token bucket per registrable domain
/// (`fetch.per_host_rate` requests a second, up to `fetch.per_host_burst` at once), and a pause
/// of the whole site when it answers 429 or 503, so one rate-limited URL does not leave the rest
/// of that site's queue hammering it. Pure state over a clock the caller passes, so it is tested
/// without a server.
struct HostPacing {
    let rate: Double
    let burst: Double
    private var tokens: [String: Double] = [:]
    private var refilled: [String: Double] = [:]
    private var pausedUntil: [String: Double] = [:]
    /// Requests started and pauses, per site: the fetch summary's per-host lines.
    private(set) var stats: [String: HostStats] = [:]

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// The site a URL counts against: its registrable domain, approximately (the last two
    /// labels, three under a two-letter country code's `co.`/`com.`/`ac.`… second level); IP
    /// addresses and single-label names stand for themselves. No public-suffix list ships with
    /// curate, so a few suffixes (github.io and the like) group more widely than a browser would.
    static func site(_ url: String) -> String {
        guard let c = URLComponents(string: url), let host = c.host?.lowercased(), !host.isEmpty else { return "" }
        let labels = host.split(separator: ".")
        if labels.count <= 2 || labels.allSatisfy({ $0.allSatisfy(\.isNumber) }) || host.contains(":") { return host }
        let secondLevel: Set<Substring> = ["co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go"]
        let n = labels.last!.count == 2 && secondLevel.contains(labels[labels.count - 2]) ? 3 : 2
        return labels.suffix(n).joined(separator: ".")
    }

    /// Whether a request to `site` may start now (a paused site may not; without a rate, any other may).
    mutating func mayStart(_ site: String, now: Double) -> Bool {
        if let until = pausedUntil[site], now < until { return false }
        guard rate > 0 else { return true }
        refill(site, now)
        return tokens[site, default: burst] >= 1
    }

    mutating func started(_ site: String, now: Double) {
        stats[site, default: HostStats()].requests += 1
        guard rate > 0 else { return }
        refill(site, now)
        tokens[site, default: burst] -= 1
    }

    /// The site asked curate to slow down: nothing new starts there before `until`.
    mutating func pause(_ site: String, until: Double) {
        if until > pausedUntil[site, default: 0] {
            pausedUntil[site] = until
            stats[site, default: HostStats()].pauses += 1
        }
    }

    /// When the earliest waiting site may start again (for the engine's sleep), if any waits.
    func nextReady(_ sites: [String], now: Double) -> Double? {
        sites.compactMap { site -> Double? in
            var t = now
            if let until = pausedUntil[site], until > now { t = until }
            if rate > 0, let have = tokens[site], let at = refilled[site] {
                let current = min(burst, have + (t - at) * rate)
                if current < 1 { t += (1 - current) / rate }
            }
            return t > now ? t : nil
        }.min()
    }

    private mutating func refill(_ site: String, _ now: Double) {
        if let at = refilled[site], let have = tokens[site] {
            tokens[site] = min(burst, have + max(0, now - at) * rate)
        }
        refilled[site] = now
    }
}

/// Per-site counts in the fetch summary.
public struct HostStats: Sendable, Equatable {
    public var requests = 0
    /// Times the site answered 429 or 503 and was paused as a whole.
    public var pauses = 0
}
