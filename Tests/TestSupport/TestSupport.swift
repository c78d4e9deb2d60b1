import Foundation

// Helpers every test target shares: paths of the repository and of ../shared, temp dirs,
// the loopback fault server, and the built `curate` binary.

/// The repository root, found from this file's path.
public let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `../shared` beside the repository: test data that is never copied into it.
public let sharedDir = repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
public let datasetDir = sharedDir.appendingPathComponent("datasets/facial-expressions-3class")
public let hasDataset = FileManager.default.fileExists(atPath: datasetDir.appendingPathComponent("labels.csv").path)
public let missingDataset = "skipped: ../shared/datasets/facial-expressions-3class is absent"

/// A fresh temporary directory, removed by the caller.
public func makeTempDir(_ tag: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curate-\(tag)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// scripts/fault_server.py on a free loopback port, for as long as the value lives.
public final class FaultServer {
    let process = Process()
    public let port: Int
    public var base: String { "http://127.0.0.1:\(port)" }

    public init(root: URL, delay: Double = 0) throws {
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repoRoot.appendingPathComponent("scripts/fault_server.py").path,
                             "--root", root.path, "--delay", String(delay)]
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw NSError(domain: "FaultServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "server exited"]) }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let p = Int(text.dropFirst(5)) else {
            throw NSError(domain: "FaultServer", code: 2, userInfo: [NSLocalizedDescriptionKey: "unexpected: \(text)"])
        }
        port = p
    }

    deinit {
        // SIGKILL: a child spawned from a test thread may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// labels.csv of the shared dataset: (relative path, label, sha256).
public func datasetRows() throws -> [(path: String, label: String, sha256: String)] {
    let text = try String(contentsOf: datasetDir.appendingPathComponent("labels.csv"), encoding: .utf8)
    var rows: [(String, String, String)] = []
    let lines = text.split(whereSeparator: \.isNewline)
    let header = lines[0].split(separator: ",").map(String.init)
    let (pi, li, si) = (header.firstIndex(of: "path")!, header.firstIndex(of: "label")!, header.firstIndex(of: "sha256")!)
    for l in lines.dropFirst() {
        let f = l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        rows.append((f[pi], f[li], f[si]))
    }
    return rows
}

/// One line of `curate export --format jsonl`, keyed by content (image sha256, face index, box,
/// label, split, crop key, probabilities to 4 places): equal for the same dataset however made.
public func faceExportKey(_ f: [String: Any]) -> String {
    let probs = (f["probs"] as? [String: Double] ?? [:]).sorted { $0.key < $1.key }
        .map { "\($0.key)=\(String(format: "%.4f", $0.value))" }.joined(separator: ",")
    return ["\(f["image_sha256"]!)", "\(f["index"]!)", "\(f["box"]!)", "\(f["label"] ?? "")", "\(f["split"] ?? "")",
            "\(f["crop"]!)", probs].joined(separator: " ")
}

/// The built `curate` executable, next to the test bundle.
public func curateBinary() throws -> URL {
    var dir = Bundle.main.bundleURL
    for _ in 0..<3 {
        let candidate = dir.appendingPathComponent("curate")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let fromArgs = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("curate")
    if FileManager.default.isExecutableFile(atPath: fromArgs.path) { return fromArgs }
    throw NSError(domain: "curate", code: 1, userInfo: [NSLocalizedDescriptionKey: "curate binary not found near \(Bundle.main.bundleURL.path)"])
}

/// The `curate` binary running with `args`, its output discarded.
public func startCurate(_ args: [String]) throws -> Process {
    let p = Process()
    p.executableURL = try curateBinary()
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    return p
}

/// Runs `curate` with `args` to the end: exit status, standard output and standard error.
@discardableResult
public func runCurate(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
    try runProgram(try curateBinary(), args)
}

/// Runs a program to the end: exit status, standard output and standard error.
@discardableResult
public func runProgram(_ executable: URL, _ args: [String], in directory: URL? = nil,
                       environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
    // Files rather than pipes: a chatty run can never block on a full pipe.
    let dir = try makeTempDir("run")
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let p = Process()
    p.executableURL = executable
    p.arguments = args
    if let directory { p.currentDirectoryURL = directory }
    if let environment { p.environment = environment }
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    p.standardError = try FileHandle(forWritingTo: errURL)
    try p.run()
    p.waitUntilExit()
    return (p.terminationStatus, try String(contentsOf: outURL, encoding: .utf8), try String(contentsOf: errURL, encoding: .utf8))
}

/// The test venv's Python (scripts/test-venv.sh: Pillow, Selenium), or $CURATE_TEST_PYTHON.
public let testPython: String? = {
    let candidates: [String?] = [ProcessInfo.processInfo.environment["CURATE_TEST_PYTHON"],
                                 repoRoot.appendingPathComponent("Data/cache/venv-test/bin/python").path]
    return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// The Data/models manifest scripts/models.sh writes once the weights are converted.
public let hasModels = FileManager.default.fileExists(atPath: repoRoot.appendingPathComponent("Data/models/MANIFEST.sha256").path)

/// SplitMix64: a small deterministic generator, so random test inputs are reproducible.
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64
    public init(_ seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
