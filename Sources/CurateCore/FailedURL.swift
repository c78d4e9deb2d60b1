import Foundation

/// One failed URL as `status --failures` prints it.
public struct FailedURL: Sendable, Encodable {
    public var url: String
    public var reason: String
    public var detail: String?
    public var attempts: Int
    public var httpStatus: Int?
    public var labels: [String]

    enum CodingKeys: String, CodingKey { case url, reason, detail, attempts, httpStatus = "http_status", labels }

    public init(_ p: URLProvenance) {
        url = p.url; reason = p.error?.rawValue ?? "unknown"; detail = p.errorDetail; attempts = p.attempts; httpStatus = p.httpStatus
        labels = Array(Set(p.labels.map(\.label))).sorted()
    }

    public static func table(_ rows: [FailedURL]) -> String {
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
