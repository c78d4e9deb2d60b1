import CurateCore
import Foundation
import Testing
import TestSupport

/// fetch -> faces -> split -> score -> train -> score --model trained with the `curate` binary
/// on every third shared photo (184).
@Suite(.enabled(if: hasDataset && EmotionGolden.available, "skipped: ../shared dataset or Data/models (scripts/models.sh) is absent"))
struct ScoreEndToEndTests {
    @Test func facesAreScoredRankedTrainedOnAndExported() throws {
        let tmp = try makeTempDir("e2e-score")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let list = tmp.appendingPathComponent("photos.tsv")
        // Every third photo of the shared set: all three labels.
        let rows = try datasetRows().enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        try rows.map { "\($0.label)\t\(datasetDir.appendingPathComponent($0.path).absoluteString)" }
            .joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let common = ["--workspace", tmp.appendingPathComponent("ws").path,
                      "--pipeline", repoRoot.appendingPathComponent("Pipelines/emotions.yml").path]
        let models = ["--models", repoRoot.appendingPathComponent("Data/models").path]
        func curate(_ args: [String]) throws -> String {
            let r = try runCurate(args + common)
            #expect(r.status == 0, "curate \(args.joined(separator: " ")): \(r.err)")
            return r.out
        }
        _ = try curate(["fetch", list.path])
        _ = try curate(["faces"] + models)
        _ = try curate(["split"])
        let first = try curate(["score"] + models)
        #expect(first.contains("classified") && !first.contains("classified 0 new"))
        // A rerun runs the network on nothing.
        #expect(try curate(["score"] + models).contains("classified 0 new faces"))

        let status = try JSONSerialization.jsonObject(with: Data(try curate(["status", "--json"]).utf8)) as! [String: Any]
        let placed = (status["splits"] as! [String: [String: Int]]).values.flatMap(\.values).reduce(0, +)
        #expect(status["scored"] as? Int == placed)
        let flagged = try #require(status["flagged"] as? Int)
        #expect(flagged > 0 && flagged < placed / 2)

        let top = try JSONSerialization.jsonObject(with: Data(try curate(["score", "--top", "5", "--json"] + models).utf8)) as! [[String: Any]]
        #expect(top.count == 5)
        #expect(top.allSatisfy { ($0["flagged"] as? Bool) == true && $0["predicted"] as? String != $0["label"] as? String })
        let confidences = top.map { $0["self_confidence"] as! Double }
        #expect(confidences == confidences.sorted())

        let exported = try curate(["export", "--format", "jsonl"]).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let scored = exported.filter { !($0["probs"] is NSNull) }
        #expect(scored.count == placed)
        for f in scored {
            let probs = f["probs"] as! [String: Double]
            #expect(Set(probs.keys) == ["angry", "happy", "sad"] && abs(probs.values.reduce(0, +) - 1) < 1e-4)
            #expect(f["predicted"] as? String == probs.max { $0.value < $1.value }!.key)
        }
        // The default model agrees with most crowd labels on aligned crops.
        let agree = scored.count { $0["predicted"] as? String == $0["label"] as? String }
        #expect(Double(agree) / Double(scored.count) > 0.7)

        let report = try curate(["train", "--folds", "3"] + models)
        #expect(report.contains("out-of-fold") && report.contains("val:") && report.contains("test:"))
        let trained = try curate(["score", "--model", "trained"] + models)
        #expect(trained.contains("ranked \(placed) labelled faces with the trained model"))
    }
}
