import CurateCore
import Foundation

/// Where a catalog lives, as `--catalog URL` or `$CURATE_CATALOG` names it. Without either, the
/// catalog is SQLite inside the workspace (zero set-up); blobs stay in the workspace either way.
///
///     sqlite:///abs/path/catalog.sqlite   sqlite:relative/path.sqlite   /a/plain/path.sqlite
///     postgres://user[:password]@host[:port]/db   (shared by many machines; made by `curate init`)
public enum CatalogLocation: Equatable, Sendable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(URL)

    /// `text` from `--catalog` or the environment; a relative path is taken from `base`.
    public init(parsing text: String, relativeTo base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // A relative path is taken from the folder itself, whether or not it exists yet.
        let base = URL(fileURLWithPath: base.path, isDirectory: true)
        guard !trimmed.isEmpty else { throw CurateError("--catalog is empty: give sqlite:PATH or a postgres:// URL") }
        if let colon = trimmed.firstIndex(of: ":"), trimmed[..<colon].allSatisfy({ $0.isLetter || $0 == "+" }),
           trimmed[..<colon].count > 1 {
            let scheme = trimmed[..<colon].lowercased()
            var rest = String(trimmed[trimmed.index(after: colon)...])
            switch scheme {
            case "sqlite", "file":
                // sqlite:///abs, sqlite://localhost/abs and sqlite:rel all name a file.
                if rest.hasPrefix("//") {
                    rest.removeFirst(2)
                    guard let slash = rest.firstIndex(of: "/") else { throw CurateError("--catalog \(text): no path after the host") }
                    let host = rest[..<slash]
                    guard host.isEmpty || host == "localhost" else {
                        throw CurateError("--catalog \(text): an SQLite catalog is a local file (no host)")
                    }
                    rest = String(rest[slash...])
                }
                guard !rest.isEmpty else { throw CurateError("--catalog \(text): no file path") }
                let path = rest.removingPercentEncoding ?? rest
                self = .sqlite(path: URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path)
            case "postgres", "postgresql":
                guard let url = URL(string: trimmed), url.host != nil else {
                    throw CurateError("--catalog \(text): not a valid postgres://user@host:port/db URL")
                }
                self = .postgres(url)
            default:
                throw CurateError("--catalog \(text): unknown scheme '\(scheme)' (use sqlite:PATH or postgres://…)")
            }
        } else {
            self = .sqlite(path: URL(fileURLWithPath: trimmed, relativeTo: base).standardizedFileURL.path)
        }
    }

    /// `--catalog` when given, else `$CURATE_CATALOG`, else the workspace's own SQLite file.
    public static func resolve(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                               workspace: Workspace) throws -> CatalogLocation {
        if let text = option ?? environment["CURATE_CATALOG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try CatalogLocation(parsing: text)
        }
        return .sqlite(path: workspace.catalogURL.path)
    }

    /// For messages, without a password a URL may carry.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url):
            guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "postgres://…" }
            if parts.password != nil { parts.password = "***" }
            return parts.string ?? "postgres://…"
        }
    }
}
