import CurateCore
import Foundation
import Imaging
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A scored workspace built once with the `curate` binary (fetch, dedup, faces, split, score on
/// every tenth shared photo); each test works on its own copy.
enum ReviewWorkspace {
    static var ready: Bool { hasDataset && hasModels }
    static let why = !hasDataset ? missingDataset : "skipped: Data/models is absent (scripts/models.sh)"
    static var browserReady: Bool { ready && testPython != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") }
    static let browserWhy = !ready ? why
        : "skipped: needs Data/cache/venv-test (scripts/test-venv.sh) and /usr/bin/chromedriver (scripts/setup.sh chromium chromium-driver)"
    static let pipeline = repoRoot.appendingPathComponent("Pipelines/emotions.yml").path
    static let models = repoRoot.appendingPathComponent("Data/models").path

    private static let built: Result<URL, Error> = Result {
        let dir = try makeTempDir("review-base")
        let list = dir.appendingPathComponent("photos.tsv")
        let rows = try datasetRows().enumerated().filter { $0.offset % 10 == 0 }.map(\.element)
        // A half-size copy of the first photo under another label: a near-duplicate cluster
        // with a label conflict, for the report.
        let copy = dir.appendingPathComponent("copy.jpg")
        let original = try ImageDecoder.decode([UInt8](Data(contentsOf: datasetDir.appendingPathComponent(rows[0].path))))
        try Data(ImageEncoder.jpeg(original.resized(width: original.width / 2, height: original.height / 2), quality: 90)).write(to: copy)
        let other = ["angry", "happy", "sad"].first { $0 != rows[0].label }!
        let lines = rows.map { "\($0.label)\t\(datasetDir.appendingPathComponent($0.path).absoluteString)" } + ["\(other)\t\(copy.absoluteString)"]
        try lines.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let ws = dir.appendingPathComponent("ws")
        for args in [["fetch", list.path], ["dedup"], ["faces", "--models", models], ["split"], ["score", "--models", models]] {
            let r = try runCurate(args + ["--workspace", ws.path, "--pipeline", pipeline])
            guard r.status == 0 else { throw CurateError("curate \(args[0]) failed: \(r.err)") }
        }
        return ws
    }

    /// A fresh copy of the scored workspace.
    static func copy(_ tag: String) throws -> URL {
        let base = try built.get()
        let dir = try makeTempDir(tag).appendingPathComponent("ws")
        try FileManager.default.copyItem(at: base, to: dir)
        return dir
    }

    static func curate(_ ws: URL, _ args: String...) throws -> String {
        let r = try runCurate(args + ["--workspace", ws.path, "--pipeline", pipeline])
        guard r.status == 0 else { throw CurateError("curate \(args.joined(separator: " ")) exited \(r.status): \(r.err)") }
        return r.out
    }
}

/// A running `curate review`, stopped with SIGINT.
final class ReviewProcess {
    let process = Process()
    let url: URL
    var base: String { "http://127.0.0.1:\(url.port!)" }
    var token: String { URLComponents(url: url, resolvingAgainstBaseURL: false)!.queryItems!.first { $0.name == "token" }!.value! }

    init(workspace: URL, _ extra: [String] = []) throws {
        process.executableURL = try curateBinary()
        process.arguments = ["review", "--workspace", workspace.path, "--pipeline", ReviewWorkspace.pipeline,
                             "--reviewer", "tester"] + extra
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        // The first line names the URL; EOF before it means the server did not start.
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw CurateError("curate review exited before printing its URL: \(text)") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: #"http://127\.0\.0\.1:\d+/\?token=[0-9a-f]+"#, options: .regularExpression),
              let url = URL(string: String(text[range])) else { throw CurateError("no URL in: \(text)") }
        self.url = url
    }

    /// Ctrl-C; returns the exit status.
    func stop() -> Int32 {
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }

    func request(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: String) {
        var r = URLRequest(url: URL(string: base + path)!)
        r.httpMethod = method
        if let body { r.httpBody = Data(body.utf8); r.setValue("application/json", forHTTPHeaderField: "content-type") }
        let (data, response) = try await URLSession.shared.data(for: r)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }
}

/// Runs a script of this folder with the test venv's Python; returns its JSON output.
func runBrowserScript(_ name: String, _ args: [String]) throws -> [String: Any] {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(name)
    let r = try runProgram(URL(fileURLWithPath: testPython!), [script.path] + args)
    guard r.status == 0, let json = try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else {
        throw CurateError("\(name) exited \(r.status)\n\(r.out)\n\(r.err)")
    }
    return json
}
