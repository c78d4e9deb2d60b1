import CurateCore
import Testing
@testable import Score

struct MislabelScoresTests {
    @Test func selfConfidenceMarginAndConfidentLearningFlagFollowCleanlab() {
        // Classes a, b. Thresholds: mean P(a) over faces labelled a = (0.9 + 0.7 + 0.2) / 3 = 0.6;
        // mean P(b) over faces labelled b = (0.8 + 0.6) / 2 = 0.7.
        let probs: [[Float]] = [[0.9, 0.1], [0.7, 0.3], [0.2, 0.8], [0.2, 0.8], [0.4, 0.6]]
        let given = [0, 0, 0, 1, 1]
        let s = MislabelScores.compute(probs: probs, given: given, classCount: 2)
        #expect(s.map(\.selfConfidence) == [0.9, 0.7, 0.2, 0.8, 0.6])
        // (P(given) - max other + 1) / 2
        let margins: [Float] = [0.9, 0.7, 0.2, 0.8, 0.6]
        for (m, want) in zip(s.map(\.margin), margins) { #expect(abs(m - want) < 1e-6) }
        // Face 2 (labelled a): b clears 0.7 and a does not -> flagged. Face 4 (labelled b, P(b) 0.6 < 0.7,
        // P(a) 0.4 < 0.6): no class is confident -> not flagged. The rest keep their label.
        #expect(s.map(\.flagged) == [false, false, true, false, false])
        #expect(s.map(\.predicted) == [0, 0, 1, 1, 1])
    }

    @Test func aClassNobodyCarriesNeverFlags() {
        let s = MislabelScores.compute(probs: [[0.1, 0.9], [0.8, 0.2]], given: [0, 0], classCount: 2)
        #expect(s.allSatisfy { !$0.flagged })
    }

    @Test func labelsMapToModelClassesByConfigurationOrName() throws {
        let classes = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
        let m = try MislabelScores.classMap(labels: ["angry", "joy", "calm"], modelClasses: classes, configured: ["joy": "happy"])
        #expect(m.map(\.label) == ["angry", "joy"] && m.map(\.index) == [0, 3])
        #expect(throws: CurateError.self) { try MislabelScores.classMap(labels: ["x"], modelClasses: classes, configured: ["x": "nope"]) }
    }
}

struct LogisticRegressionTests {
    @Test func separatesSeparableClassesAndReachesAStationaryPoint() {
        // Three clusters in 2-D.
        var x: [[Float]] = [], y: [Int] = []
        var rng = SystemRandomNumberGenerator()
        for c in 0..<3 {
            for _ in 0..<60 {
                let (cx, cy): (Float, Float) = [(0, 0), (4, 0), (0, 4)][c]
                x.append([cx + .random(in: -1...1, using: &rng), cy + .random(in: -1...1, using: &rng)]); y.append(c)
            }
        }
        let model = LogisticRegression.fit(x, y, classes: 3, l2: 1, iterations: 2000)
        let right = zip(x, y).count { xi, yi in let p = model.predict(xi); return p.indices.max { p[$0] < p[$1] } == yi }
        #expect(right >= 175)
        // Gradient of Σ CE + (l2/2)‖W‖² (in standardised coordinates) is ~0 at the optimum.
        let z = x.map { r in r.indices.map { (Double(r[$0]) - model.mean[$0]) / model.scale[$0] } }
        for c in 0..<3 {
            var g = [0.0, 0.0, 0.0]
            for ((xi, zi), yi) in zip(zip(x, z), y) {
                let p = Softmax.probabilities(model.logits(xi))[c] - (yi == c ? 1 : 0)
                g[0] += p * zi[0]; g[1] += p * zi[1]; g[2] += p
            }
            g[0] += model.weights[c][0]; g[1] += model.weights[c][1]
            #expect(g.allSatisfy { abs($0) < 0.05 }, "class \(c) gradient \(g)")
        }
    }

    @Test func sameDataSameModel() {
        let x: [[Float]] = (0..<40).map { [Float($0 % 7), Float($0 % 5)] }, y = (0..<40).map { $0 % 2 }
        #expect(LogisticRegression.fit(x, y, classes: 2, l2: 0.5) == LogisticRegression.fit(x, y, classes: 2, l2: 0.5))
    }
}
