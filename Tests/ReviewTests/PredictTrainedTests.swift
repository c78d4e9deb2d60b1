import CurateCore
import Foundation
import Testing
import TestSupport

/// `curate predict --model trained` reads the head `curate train` saved in the workspace.
@Suite(.enabled(if: ReviewWorkspace.ready, Comment(rawValue: ReviewWorkspace.why)))
struct PredictTrainedTests {
    @Test func trainedHeadPredictsOverThePipelineLabels() throws {
        let ws = try ReviewWorkspace.copy("predict-trained")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        let photo = sharedDir.appendingPathComponent("fixtures/images/astronaut.png").path
        let models = ["--models", ReviewWorkspace.models]
        // Before training: a clear error, not a default-model answer.
        let untrained = try runCurate(["predict", photo, "--model", "trained", "--workspace", ws.path,
                                       "--pipeline", ReviewWorkspace.pipeline] + models)
        #expect(untrained.status != 0 && untrained.err.contains("curate train"))

        _ = try ReviewWorkspace.curate(ws, "train", "--folds", "3", "--models", ReviewWorkspace.models)
        func probs(_ model: String) throws -> [String: Double] {
            let out = try ReviewWorkspace.curate(ws, "predict", photo, "--json", "--model", model, "--models", ReviewWorkspace.models)
            let results = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [[String: Any]]
            let faces = results[0]["faces"] as! [[String: Any]]
            #expect(faces.count == 1)
            return faces[0]["probs"] as! [String: Double]
        }
        let trained = try probs("trained"), plain = try probs("default")
        #expect(Set(trained.keys) == ["angry", "happy", "sad"] && abs(trained.values.reduce(0, +) - 1) < 1e-4)
        #expect(trained != plain)
        #expect(trained.max { $0.value < $1.value }?.key == "happy")
    }

    @Test func reviewRefusesUnknownFiltersBeforeServing() throws {
        let ws = try ReviewWorkspace.copy("review-args")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        for (args, message) in [(["--label", "bored"], "--label"), (["--split", "holdout"], "--split"),
                                (["--rank-by", "loss"], "--rank-by"), (["--port", "70000"], "--port")] {
            let r = try runCurate(["review", "--workspace", ws.path, "--pipeline", ReviewWorkspace.pipeline] + args)
            #expect(r.status != 0 && r.err.contains(message), "\(args): \(r.err)")
        }
        let empty = try makeTempDir("review-empty")
        defer { try? FileManager.default.removeItem(at: empty) }
        let none = try runCurate(["review", "--workspace", empty.path, "--pipeline", ReviewWorkspace.pipeline])
        #expect(none.status != 0 && none.err.contains("no catalog"))
    }
}
