import Crypto
import Foundation

/// Where blobs (photos, face crops) live, by content-addressed key (`images/ab/<sha256>.jpg`,
/// `faces/…`): the workspace folder, a folder every machine mounts, or an S3 bucket. A key names
/// its content, so writing a key that exists is a no-op, and two machines writing the same key
/// at once both succeed with the same bytes.
public protocol BlobStore: Sendable {
    /// Stores `bytes` under `key` unless the key is there already. Returns when the blob is
    /// durable in the store (a row naming it may commit after this).
    @discardableResult
    func put(_ key: String, _ bytes: [UInt8]) throws -> PutOutcome
    func get(_ key: String) throws -> [UInt8]
    func exists(_ key: String) throws -> Bool
    /// What `curate status` and error messages call the store.
    var description: String { get }
}

public enum PutOutcome: Sendable, Equatable {
    case stored
    /// The key was there already (same name, same bytes): nothing written.
    case alreadyPresent
}

/// Blobs as files under a folder: the workspace itself (the default) or a shared mount.
/// Written to a temp file named by host and process, then renamed, so a killed writer never
/// leaves a partial file under a final name, and cleanup on one machine never touches another's.
public struct DirectoryBlobStore: BlobStore {
    public let root: Workspace
    public init(root: URL) { self.root = Workspace(root) }

    public var description: String { root.root.path }

    public func put(_ key: String, _ bytes: [UInt8]) throws -> PutOutcome {
        try BlobKey.check(key)
        if try exists(key) { return .alreadyPresent }
        try FileManager.default.createDirectory(at: root.tmpDir, withIntermediateDirectories: true)
        try root.writeAtomically(bytes, to: key)
        return .stored
    }

    public func get(_ key: String) throws -> [UInt8] {
        try BlobKey.check(key)
        return try root.readFile(key)
    }

    public func exists(_ key: String) throws -> Bool {
        try BlobKey.check(key)
        return FileManager.default.fileExists(atPath: root.url(relative: key).path)
    }
}

/// Keys are relative paths of plain segments: no way out of the store's root or prefix.
public enum BlobKey {
    public static func check(_ key: String) throws {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !key.hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw CurateError("not a blob key: '\(key)' (a relative path such as images/ab/<sha256>.jpg)")
        }
    }
}

/// The content hash blobs are named by (lower-case hex SHA-256).
public enum ContentHash {
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in SHA256.hash(data: bytes) {
            out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
