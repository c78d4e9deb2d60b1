import CurateCore
import Foundation

/// `--store URL` (or `$CURATE_STORE`): where the blobs go.
///   (none)                                   the workspace folder
///   file:///shared/mount                     a folder, typically one every machine mounts
///   s3://bucket/prefix?endpoint=http://h:p   an S3 bucket (path-style requests to `endpoint`;
///                                            `region=` defaults to us-east-1), signed with the
///                                            credentials in $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY
public enum BlobStoreLocation: Sendable, Equatable {
    case workspace
    case directory(URL)
    case s3(S3Location)

    public static func parse(_ text: String) throws -> BlobStoreLocation {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
            throw CurateError("--store: '\(text)' is not a URL (file:///path or s3://bucket/prefix?endpoint=http://host:port)")
        }
        switch scheme {
        case "file":
            guard (url.host ?? "").isEmpty || url.host == "localhost", url.path.hasPrefix("/") else {
                throw CurateError("--store: a file URL names an absolute path on this machine (file:///shared/mount), not '\(text)'")
            }
            return .directory(URL(fileURLWithPath: url.path))
        case "s3":
            guard let bucket = url.host, !bucket.isEmpty else { throw CurateError("--store: '\(text)' names no bucket (s3://bucket/prefix)") }
            let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
            let unknown = Set(query.keys).subtracting(["endpoint", "region"])
            guard unknown.isEmpty else { throw CurateError("--store: unknown parameter(s) \(unknown.sorted().joined(separator: ", ")) in '\(text)' (endpoint, region)") }
            guard let endpoint = query["endpoint"], let e = URLComponents(string: endpoint),
                  ["http", "https"].contains(e.scheme?.lowercased() ?? ""), e.host != nil else {
                throw CurateError("--store: '\(text)' needs ?endpoint=http://host:port (the S3 server's address)")
            }
            let prefix = url.path.split(separator: "/").joined(separator: "/")
            return .s3(S3Location(endpoint: endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint, bucket: bucket,
                                  prefix: prefix, region: query["region"].flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"))
        default:
            throw CurateError("--store: unsupported scheme '\(scheme)' (file:// or s3://)")
        }
    }

    /// `--store` when given, else `$CURATE_STORE`, else the workspace.
    public static func resolve(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BlobStoreLocation {
        guard let text = option ?? environment["CURATE_STORE"], !text.isEmpty else { return .workspace }
        return try parse(text)
    }

    /// The store itself; S3 reads its credentials from `environment`.
    public func open(workspace: Workspace, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any BlobStore {
        switch self {
        case .workspace: return DirectoryBlobStore(root: workspace.root)
        case .directory(let dir):
            // A shared folder gets the workspace's cleanup: this host's dead processes' partial
            // files go (a worker killed mid-write leaves one), other hosts' are left alone.
            try Workspace(dir).prepareForWriting()
            return DirectoryBlobStore(root: dir)
        case .s3(let location):
            guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
                  let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
                throw CurateError("--store \(location): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the S3 credentials)")
            }
            return S3BlobStore(location, credentials: S3Credentials(accessKey: key, secretKey: secret))
        }
    }
}

public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public var endpoint: String
    public var bucket: String
    /// Key prefix inside the bucket, without slashes at its ends ("" for none).
    public var prefix: String
    public var region: String

    public init(endpoint: String, bucket: String, prefix: String = "", region: String = "us-east-1") {
        self.endpoint = endpoint; self.bucket = bucket; self.prefix = prefix; self.region = region
    }

    public var description: String { "s3://\(bucket)/\(prefix) at \(endpoint)" }

    /// The path-style URL of `key` (each segment percent-encoded as SigV4 expects).
    func url(_ key: String) -> String {
        let full = (prefix.isEmpty ? [] : [prefix]) + [key]
        let path = full.joined(separator: "/").split(separator: "/").map {
            $0.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? String($0)
        }
        return ([endpoint, bucket] + path).joined(separator: "/")
    }

    /// RFC 3986 unreserved characters: all SigV4 leaves unencoded in a path segment.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

public struct S3Credentials: Sendable {
    public var accessKey: String
    public var secretKey: String
    public init(accessKey: String, secretKey: String) { self.accessKey = accessKey; self.secretKey = secretKey }
}
