import BlobStore
import Foundation

/// A real S3 server for one test: SeaweedFS (`weed server -s3`, from scripts/seaweedfs.sh) on
/// loopback ports of its own, in a temp folder, with one identity allowed to sign requests.
/// Stopped (SIGKILL) and its folder removed when the value goes.
public final class SeaweedS3 {
    public static let binary = repoRoot.appendingPathComponent("Data/cache/bin/weed")
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: binary.path) }
    public static let skipReason = "skipped: SeaweedFS is absent (scripts/seaweedfs.sh installs it; make test runs it)"

    public let accessKey = "curate-test"
    public let secretKey = "curate-test-secret"
    public let port: Int
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    let process = Process()
    let dir: URL

    public init() throws {
        dir = try makeTempDir("s3")
        let config = dir.appendingPathComponent("s3.json")
        let identity: [String: Any] = ["identities": [["name": "curate", "credentials": [["accessKey": accessKey, "secretKey": secretKey]],
                                                       "actions": ["Admin", "Read", "Write", "List", "Tagging"]]]]
        try JSONSerialization.data(withJSONObject: identity).write(to: config)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        // weed also listens on each port + 10000 (gRPC): pick ports whose pair is free too.
        let ports = try freePortPairs(4)
        port = ports[3]
        process.executableURL = Self.binary
        process.arguments = ["server", "-dir=\(dir.appendingPathComponent("data").path)", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                             "-master.port=\(ports[0])", "-volume.port=\(ports[1])", "-filer.port=\(ports[2])",
                             "-s3", "-s3.port=\(ports[3])", "-s3.config=\(config.path)", "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false",
                             "-volume.max=0", "-master.volumeSizeLimitMB=64"]
        let log = dir.appendingPathComponent("weed.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Ready when the S3 port accepts connections (the caller's first request may still wait
        // for the filer: it retries bucket creation).
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if process.isRunning == false { break }
            if canConnect(port) { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw NSError(domain: "SeaweedS3", code: 1, userInfo: [NSLocalizedDescriptionKey: "weed did not start: \(text.suffix(2000))"])
    }

    /// A new bucket on this server, signed with the test identity; retried while the filer
    /// (which comes up a moment after the S3 port opens) is not ready yet.
    public func bucket(_ name: String, prefix: String = "") throws -> S3BlobStore {
        let store = S3BlobStore(S3Location(endpoint: endpoint, bucket: name, prefix: prefix),
                                credentials: S3Credentials(accessKey: accessKey, secretKey: secretKey))
        var last: Error?
        for _ in 0..<100 {
            do { try store.createBucket(); return store } catch { last = error; Thread.sleep(forTimeInterval: 0.2) }
        }
        throw last!
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: dir)
    }
}

/// Whether something listens on the loopback port.
func canConnect(_ port: Int) -> Bool {
    withLoopback(port) { fd, addr, len in connect(fd, addr, len) == 0 }
}

/// `count` loopback ports p, each with p + 10000 also free at the moment of asking.
public func freePortPairs(_ count: Int) throws -> [Int] {
    var out: [Int] = []
    var tries = 0
    while out.count < count {
        tries += 1
        guard tries < 1000 else { throw NSError(domain: "ports", code: 1, userInfo: [NSLocalizedDescriptionKey: "no free port pairs"]) }
        let p = Int.random(in: 20000..<30000)
        if !out.contains(p), portIsFree(p), portIsFree(p + 10000) { out.append(p) }
    }
    return out
}

func portIsFree(_ port: Int) -> Bool {
    withLoopback(port) { fd, addr, len in bind(fd, addr, len) == 0 }
}

/// `body` with a fresh TCP socket and 127.0.0.1:port; the socket is closed after.
func withLoopback(_ port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}
