/// Machine-readable reservations a site sends with an image that curate honours: the
/// `X-Robots-Tag` directives against AI/ML use and indexing, and TDMRep's `tdm-reservation: 1`
/// (text-and-data-mining rights reserved, W3C TDMRep).
public enum OptOutDirective: String, Sendable, Hashable, Codable, CaseIterable {
    case noai, noimageai, noml, noindex, noimageindex
    case tdmReservation = "tdm_reservation"
}

/// How a response header is read for a reservation. Pure, so it is tested without a server.
public enum OptOut {
    /// `X-Robots-Tag` directives whose own value follows a colon: a `name:` prefix that is one of
    /// these is a directive, any other is the user-agent the rest is scoped to.
    static let valuedDirectives: Set<String> = ["unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"]

    /// The first honoured directive that `name: value` carries for the crawler `agent`
    /// (curate's user-agent token), or nil.
    ///
    /// - `X-Robots-Tag: noai, noimageai` applies to every crawler; `X-Robots-Tag: curate: noml`
    ///   only to curate, `X-Robots-Tag: googlebot: noindex` not to it. `none` means `noindex`
    ///   (and `nofollow`), so it counts when `noindex` is honoured.
    /// - `tdm-reservation: 1` reserves the rights; `0` does not.
    public static func directive(header name: String, value: String, agent: String,
                                 honoured: Set<OptOutDirective>) -> OptOutDirective? {
        switch name.lowercased() {
        case "x-robots-tag":
            var rest = Substring(value)
            if let colon = rest.firstIndex(of: ":") {
                let prefix = rest[..<colon].trimmingSpaces().lowercased()
                if !prefix.isEmpty, !prefix.contains(","), !valuedDirectives.contains(prefix) {
                    guard prefix == agent.lowercased() else { return nil }   // scoped to another crawler
                    rest = rest[rest.index(after: colon)...]
                }
            }
            for raw in rest.split(separator: ",") {
                let d = raw.trimmingSpaces().lowercased()
                if d == "none", honoured.contains(.noindex) { return .noindex }
                if let directive = OptOutDirective(rawValue: d), directive != .tdmReservation, honoured.contains(directive) {
                    return directive
                }
            }
            return nil
        case "tdm-reservation":
            return value.trimmingSpaces() == "1" && honoured.contains(.tdmReservation) ? .tdmReservation : nil
        default:
            return nil
        }
    }

    /// curate's token in a User-Agent string: its first product name (`curate` in `curate/0.1 (…)`).
    public static func agentToken(_ userAgent: String) -> String {
        String(userAgent.prefix { $0 != "/" && $0 != " " }).lowercased()
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        // isWhitespace, not a list: a header line ends in "\r\n", which Swift reads as one Character.
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
