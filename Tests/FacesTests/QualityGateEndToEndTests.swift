import CurateCore
import Foundation
import Testing
import TestSupport

/// The gate through the `curate` binary, on hand-made cases Pillow makes at test time from one
/// sharp fixture portrait (`make_gate_cases.py`): each case degrades one thing far past its
/// default threshold, and the untouched photo passes.
@Suite(.serialized, .enabled(if: GateCases.available, "skipped: needs ../shared fixtures, Data/models and the test venv"))
struct QualityGateEndToEndTests {
    @Test func eachCaseIsLeftOutWithItsReasonEverywhereAUserLooks() throws {
        let c = try GateCases.make()
        defer { try? FileManager.default.removeItem(at: c.dir) }
        #expect(try c.curate(["fetch", c.list.path]).status == 0)
        let faces = try c.curate(["faces", "--models", GateCases.models])
        #expect(faces.status == 0, "\(faces.err)")
        #expect(faces.out.contains("quality gate left out 5 faces"), "\(faces.out)")

        // The catalog keeps every face with its measurements; the reason is the case's name.
        let rows = try c.exportRows()
        #expect(rows.count == GateCases.cases.count, "\(rows.map { $0["url"] ?? "" })")
        for r in rows {
            let name = ((r["url"] as? String) ?? "").split(separator: "/").last.map { String($0.dropLast(4)) } ?? ""
            let expected: String? = name == "kept" ? nil : name
            #expect(r["rejected"] as? String == expected, "\(name): \(r["rejected"] ?? "nil"), quality \(r["quality"] ?? "nil")")
            #expect(r["quality"] is [String: Any], "\(name): no measurements")
        }

        // Status counts them by reason; the split leaves them out with it; score and review skip them.
        let status = try c.curate(["status", "--json"])
        let rejected = try #require((try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any])
            .flatMap { ($0["faces"] as? [String: Any])?["rejected"] as? [String: Int] })
        #expect(rejected == ["too_small": 1, "out_of_frame": 1, "too_dark": 1, "too_bright": 1, "blurry": 1])
        #expect(try c.curate(["status"]).out.contains("quality gate: 5 of 6 faces left out"))
        let split = try c.curate(["split"])
        #expect(split.status == 0, "\(split.err)")
        for r in try c.exportRows() {
            if let reason = r["rejected"] as? String {
                #expect(r["excluded"] as? String == reason && r["split"] is NSNull)
            } else {
                #expect(r["split"] is String, "the kept face is placed")
            }
        }
        let report = try c.curate(["report", "--out", c.dir.appendingPathComponent("report.html").path])
        #expect(report.status == 0, "\(report.err)")
        let html = try String(contentsOf: c.dir.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("Faces left out by the quality gate") && html.contains("too_bright · brightness"))
    }

    @Test func changedThresholdsApplyToStoredFacesWithoutARescan() throws {
        let c = try GateCases.make()
        defer { try? FileManager.default.removeItem(at: c.dir) }
        _ = try c.curate(["fetch", c.list.path])
        _ = try c.curate(["faces", "--models", GateCases.models])
        // The same pipeline with focus not checked: the blurry face comes back, nothing is rescanned.
        let loose = c.dir.appendingPathComponent("loose.yml")
        let text = try String(contentsOf: repoRoot.appendingPathComponent("Pipelines/emotions.yml"), encoding: .utf8)
            .replacingOccurrences(of: "min_sharpness: ", with: "min_sharpness: 0 #")
        try text.write(to: loose, atomically: true, encoding: .utf8)
        let again = try c.curate(["faces", "--models", GateCases.models], pipeline: loose.path)
        #expect(again.status == 0 && again.out.contains("scanned 0 images"), "\(again.out)")
        #expect(again.out.contains("1 earlier face changed outcome"), "\(again.out)")
        let blurry = try c.exportRows().first { ($0["url"] as? String)?.hasSuffix("/blurry.png") == true }
        #expect(blurry?["rejected"] is NSNull)
    }

    @Test func predictSaysWhichFacesTheGateWouldLeaveOut() throws {
        let c = try GateCases.make()
        defer { try? FileManager.default.removeItem(at: c.dir) }
        let r = try c.curate(["predict", "--json", "--models", GateCases.models,
                              c.dir.appendingPathComponent("img/blurry.png").path, c.dir.appendingPathComponent("img/kept.png").path])
        #expect(r.status == 0, "\(r.err)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]])
        let verdicts = results.map { (($0["faces"] as? [[String: Any]])?.first?["rejected"] as? String) ?? "kept" }
        #expect(verdicts == ["blurry", "kept"])
        let table = try c.curate(["predict", "--models", GateCases.models, c.dir.appendingPathComponent("img/blurry.png").path])
        #expect(table.out.contains("left out: blurry"), "\(table.out)")
    }
}

/// One workspace and the cases' URL list.
struct GateCases {
    static let cases = ["kept", "too_small", "out_of_frame", "too_dark", "too_bright", "blurry"]
    static let photo = sharedDir.appendingPathComponent("fixtures/images/kate_siegel.jpg")
    static let models = repoRoot.appendingPathComponent("Data/models").path
    static var available: Bool { testPython != nil && hasModels && FileManager.default.fileExists(atPath: photo.path) }

    let dir: URL
    var list: URL { dir.appendingPathComponent("list.tsv") }

    static func make() throws -> GateCases {
        let dir = try makeTempDir("gate")
        let script = repoRoot.appendingPathComponent("Tests/FacesTests/make_gate_cases.py")
        let r = try runProgram(URL(fileURLWithPath: testPython!), [script.path, photo.path, dir.appendingPathComponent("img").path])
        guard r.status == 0 else { throw CurateError("make_gate_cases.py: \(r.err)") }
        // One label per case, so none is a label conflict; no dedup, as the cases are near-duplicates.
        let lines = cases.map { "happy\t\(dir.appendingPathComponent("img/\($0).png").absoluteString)" }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("list.tsv"), atomically: true, encoding: .utf8)
        return GateCases(dir: dir)
    }

    func curate(_ args: [String], pipeline: String = repoRoot.appendingPathComponent("Pipelines/emotions.yml").path) throws
        -> (status: Int32, out: String, err: String) {
        try runCurate(args + ["--workspace", dir.appendingPathComponent("ws").path, "--pipeline", pipeline])
    }

    func exportRows() throws -> [[String: Any]] {
        try curate(["export", "--format", "jsonl"]).out.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
