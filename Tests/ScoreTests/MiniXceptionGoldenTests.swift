import Foundation
import Imaging
import Inference
import Testing
import TestSupport
@testable import Score

/// fer's mini-Xception in Swift against Keras's outputs on 22 shared 64×64 faces.
@Suite(.enabled(if: EmotionGolden.available, "skipped: ../shared/fixtures/emotion-golden or Data/models (scripts/models.sh) is absent"))
struct MiniXceptionGoldenTests {
    @Test func everyProbabilityIsWithin1e4OfKeras() throws {
        let model = try MiniXception(contentsOf: EmotionGolden.model)
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: EmotionGolden.dir.appendingPathComponent("expected.json"))) as! [String: Any]
        #expect(model.classes == expected["classes"] as! [String])
        let cases = expected["cases"] as! [[String: Any]]
        #expect(cases.count == 22)
        // One batch, as the stage runs it.
        var input: [Float] = []
        for c in cases {
            let img = try ImageDecoder.decode([UInt8](Data(contentsOf: EmotionGolden.dir.appendingPathComponent(c["input"] as! String)))).luma()
            #expect(img.width == 64 && img.height == 64)
            input += MiniXception.scaled(img.pixels)
        }
        let (probs, features) = model.forward(Tensor(shape: [cases.count, 1, 64, 64], data: input))
        #expect(features.shape == [cases.count, 128])
        var worst: Float = 0
        for (i, c) in cases.enumerated() {
            let want = (c["probs"] as! [Double]).map(Float.init)
            for k in 0..<7 {
                let d = abs(probs.data[i * 7 + k] - want[k])
                worst = max(worst, d)
                #expect(d <= 1e-4, "\(c["input"]!) class \(model.classes[k]): \(probs.data[i * 7 + k]) vs \(want[k])")
            }
        }
        print("mini-Xception vs Keras: worst probability difference \(worst) over \(cases.count) faces")
    }

    @Test func aBatchGivesWhatEachFaceGivesAlone() throws {
        let model = try MiniXception(contentsOf: EmotionGolden.model)
        var rng = SystemRandomNumberGenerator()
        let input = (0..<(3 * 64 * 64)).map { _ in Float.random(in: -1...1, using: &rng) }
        let batch = model.forward(Tensor(shape: [3, 1, 64, 64], data: input)).probs
        for i in 0..<3 {
            let one = model.forward(Tensor(shape: [1, 1, 64, 64], data: Array(input[(i * 4096)..<((i + 1) * 4096)]))).probs
            for k in 0..<7 { #expect(abs(one.data[k] - batch.data[i * 7 + k]) < 1e-6) }
        }
    }
}

enum EmotionGolden {
    static let dir = sharedDir.appendingPathComponent("fixtures/emotion-golden")
    static let model = repoRoot.appendingPathComponent("Data/models/emotion-mini-xception.safetensors")
    static var available: Bool {
        FileManager.default.fileExists(atPath: dir.appendingPathComponent("expected.json").path)
            && FileManager.default.fileExists(atPath: model.path)
    }
}
