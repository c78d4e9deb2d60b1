import Foundation
import Testing
import TestSupport

/// curate copied alone into an empty directory, run there with no repository around it: the
/// pipeline comes from the binary (then the workspace's copy), the weights from the user cache.
@Suite(.enabled(if: hasDataset && hasModels, "skipped: needs ../shared's dataset and Data/models (scripts/models.sh)"))
struct RunFromAnywhereTests {
    @Test func theBinaryAloneRunsThePipelineFromAnEmptyDirectory() throws {
        let dir = try makeTempDir("anywhere")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = dir.appendingPathComponent("bin/curate")
        try FileManager.default.createDirectory(at: bin.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: try curateBinary(), to: bin)
        // The per-user cache, as scripts/models.sh fills it.
        let cache = dir.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: cache.appendingPathComponent("curate"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("Data/models"),
                                        to: cache.appendingPathComponent("curate/models"))
        let rows = try datasetRows().prefix(12)
        try rows.map { "\($0.label)\tfile://\(datasetDir.appendingPathComponent($0.path).path)" }.joined(separator: "\n")
            .write(to: dir.appendingPathComponent("urls.tsv"), atomically: true, encoding: .utf8)
        let env = ["HOME": dir.path, "XDG_CACHE_HOME": cache.path, "PATH": "/usr/bin:/bin"]
        func run(_ args: String...) throws -> String {
            let r = try runProgram(bin, args, in: dir, environment: env)
            #expect(r.status == 0, "curate \(args.joined(separator: " ")): \(r.err)")
            return r.out
        }
        _ = try run("--workspace", "ws", "fetch", "urls.tsv")
        // The first command recorded the (built-in) pipeline in the workspace.
        let copy = try String(contentsOf: dir.appendingPathComponent("ws/pipeline.yml"), encoding: .utf8)
        #expect(copy == (try String(contentsOf: repoRoot.appendingPathComponent("Pipelines/emotions.yml"), encoding: .utf8)))
        for stage in ["dedup", "faces", "split", "score"] { _ = try run("--workspace", "ws", stage) }
        let export = try run("--workspace", "ws", "export", "--format", "jsonl")
        #expect(export.split(separator: "\n").count >= 10, "\(export.prefix(300))")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("Data").path), "nothing lands outside the workspace")
    }

    @Test func missingWeightsNameEveryPlaceLookedIn() throws {
        let dir = try makeTempDir("noweights")
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["HOME": dir.path, "XDG_CACHE_HOME": dir.appendingPathComponent("cache").path,
                   "CURATE_MODELS": dir.appendingPathComponent("m").path, "PATH": "/usr/bin:/bin"]
        let photo = datasetDir.appendingPathComponent(try datasetRows()[0].path).path
        let r = try runProgram(try curateBinary(), ["--workspace", "ws", "predict", photo], in: dir, environment: env)
        #expect(r.status != 0)
        for place in ["$CURATE_MODELS", "the workspace's models/", "the per-user cache", "cache/curate/models", "scripts/models.sh"] {
            #expect(r.err.contains(place), "\(place) in: \(r.err)")
        }
    }
}
