import CurateCore

/// One URL's body through the same libcurl engine, limits and retries as `curate fetch`,
/// without storing anything (`curate predict URL`).
public enum Download {
    public static func bytes(_ url: String, settings: FetchSettings) throws -> [UInt8] {
        var out: TerminalTransfer?
        CurlMultiEngine(settings: settings).run([PendingURL(id: 0, url: url)]) { out = $0 }
        guard let t = out else { throw CurateError("\(url): no transfer ran") }
        if let reason = t.reason {
            throw CurateError("cannot download \(url): \(reason)\(t.detail.map { " (\($0))" } ?? "")")
        }
        return t.result.body
    }
}
