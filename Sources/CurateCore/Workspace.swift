import Foundation

/// A workspace directory: the catalog plus content-addressed image files.
///
///     catalog.sqlite           the catalog (WAL)
///     images/ab/<sha256>.jpg   every distinct image body, named by its hash
///     tmp/<host>.<pid>.<n>.part  partial files; this host's dead processes' are removed on the next run
public struct Workspace: Sendable {
    public let root: URL

    private let rootPath: String
    /// Where photos and face crops live when not in this folder (`--store`): a shared folder or
    /// an S3 bucket. The catalog, temp files and exports stay here.
    public private(set) var blobStore: (any BlobStore)?

    public init(_ root: URL, blobStore: (any BlobStore)? = nil) {
        self.root = root.standardizedFileURL
        self.rootPath = self.root.path
        self.blobStore = blobStore
    }

    /// A photo's or crop's bytes, from the store (`images/ab/<sha256>.jpg`, `faces/…`).
    public func readBlob(_ key: String) throws -> [UInt8] {
        guard let blobStore else { return try readFile(key) }
        return try blobStore.get(key)
    }

    /// Stores a content-addressed blob; a key already there is left as it is (same name, same
    /// bytes). Returns once the blob is durable, so the row naming it may commit.
    public func writeBlob(_ bytes: [UInt8], to key: String) throws {
        guard let blobStore else { return try writeAtomically(bytes, to: key, skipExisting: true) }
        try blobStore.put(key, bytes)
    }

    public var catalogURL: URL { root.appendingPathComponent("catalog.sqlite") }
    public var imagesDir: URL { root.appendingPathComponent("images") }
    public var tmpDir: URL { root.appendingPathComponent("tmp") }

    /// Path of an image relative to the workspace root, as the catalog stores it.
    public static func imageRelativePath(sha256: String, ext: String) -> String {
        "images/\(sha256.prefix(2))/\(sha256).\(ext)"
    }

    public func url(relative path: String) -> URL { root.appendingPathComponent(path) }

    /// The bytes of a workspace file, read with plain POSIX calls: stages read thousands of
    /// small images, and Foundation's URL and Data layers cost as much as decoding them.
    public func readFile(_ path: String) throws -> [UInt8] {
        let full = rootPath + "/" + path
        let fd = open(full, O_RDONLY)
        guard fd >= 0 else { throw CurateError("cannot open \(full): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CurateError("cannot stat \(full)") }
        let size = Int(st.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            guard n > 0 else { throw CurateError("cannot read \(full)") }
            done += n
        }
        return bytes
    }

    /// Creates the layout if needed and removes partial files of this host's processes that no
    /// longer run (a run killed mid-write leaves them). A live process's are kept, and so are
    /// other hosts': on a shared mount their pids mean nothing here.
    public func prepareForWriting() throws {
        let fm = FileManager.default
        do {
            // With a blob store the photos live there; the folder keeps the catalog and temp files.
            if blobStore == nil { try fm.createDirectory(at: imagesDir, withIntermediateDirectories: true) }
            try fm.createDirectory(at: tmpDir, withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: tmpDir.path) {
                guard let owner = TempName.owner(name), owner.host == TempName.host else { continue }
                if owner.pid == getpid() || kill(owner.pid, 0) == 0 || errno == EPERM { continue }
                try? fm.removeItem(at: tmpDir.appendingPathComponent(name))
            }
        } catch {
            throw CurateError("cannot prepare workspace \(root.path): \(error.localizedDescription)")
        }
    }

    /// A temp file name unique to this host and process, for write-then-rename.
    public func temporaryFile(_ n: Int) -> URL {
        tmpDir.appendingPathComponent(TempName.make(n))
    }

    /// Writes `bytes` to a temp file and renames it to `relative`, so a killed run never
    /// leaves a partial file under a final name. An existing file is left alone when
    /// `skipExisting` (content-addressed paths: same name, same bytes).
    public func writeAtomically(_ bytes: [UInt8], to relative: String, skipExisting: Bool = false) throws {
        let fm = FileManager.default
        let dest = url(relative: relative)
        if skipExisting && fm.fileExists(atPath: dest.path) { return }
        try fm.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
        let tmp = temporaryFile(Self.tempCounter.next())
        do {
            try Data(bytes).write(to: tmp)
            guard rename(tmp.path, dest.path) == 0 else {
                throw CurateError("cannot move \(tmp.path) to \(dest.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? fm.removeItem(at: tmp)
            throw error
        }
    }

    private static let tempCounter = Counter()
}

/// A thread-safe counter for unique temp names.
final class Counter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func next() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
}

/// Temp names carry the host and the pid, so cleanup can tell its own dead processes' files
/// from a live process's on another machine sharing the folder.
enum TempName {
    static let host: String = {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "localhost" }
        // Dots stay (names are parsed from the right); a slash could not be in a file name.
        let name = String(cString: buf).replacingOccurrences(of: "/", with: "_")
        return name.isEmpty ? "localhost" : name
    }()

    static func make(_ n: Int) -> String { "\(host).\(getpid()).\(n).part" }

    /// The host and pid a temp name was made by; names from before hosts were recorded
    /// (`<pid>.<n>.part`) count as this host's.
    static func owner(_ name: String) -> (host: String, pid: Int32)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.last == "part", Int(parts[parts.count - 2]) != nil else { return nil }
        if parts.count == 3 { return Int32(parts[0]).map { (host, $0) } }
        guard let pid = Int32(parts[parts.count - 3]) else { return nil }
        return (parts[..<(parts.count - 3)].joined(separator: "."), pid)
    }
}
