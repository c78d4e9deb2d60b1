import Testing
@testable import Score

struct SmallMLPTests {
    /// XOR-like quadrants: no linear head separates them, one hidden layer does.
    private func quadrants(seed: UInt64) -> (x: [[Float]], y: [Int]) {
        var rng = SplitMix(seed: seed)
        func uniform() -> Float { Float(rng.next() % 1_000_000) / 1_000_000 * 2 - 1 }
        var x: [[Float]] = [], y: [Int] = []
        for _ in 0..<400 {
            let a = uniform(), b = uniform()
            x.append([a, b]); y.append((a > 0) == (b > 0) ? 0 : 1)
        }
        return (x, y)
    }

    private func accuracy(_ predict: ([Float]) -> [Float], _ x: [[Float]], _ y: [Int]) -> Double {
        Double(zip(x, y).count { xi, yi in let p = predict(xi); return p.indices.max { p[$0] < p[$1] } == yi }) / Double(y.count)
    }

    @Test func learnsWhatNoLinearHeadCan() {
        let (x, y) = quadrants(seed: 1)
        let mlp = SmallMLP.fit(x, y, classes: 2, hidden: 16, l2: 0.1, steps: 1500)
        let linear = LogisticRegression.fit(x, y, classes: 2, l2: 0.1)
        let (tx, ty) = quadrants(seed: 2)
        #expect(accuracy(mlp.predict, tx, ty) > 0.9)
        #expect(accuracy(linear.predict, tx, ty) < 0.7)
    }

    @Test func sameDataSameSeedSameModel() {
        let (x, y) = quadrants(seed: 3)
        let a = SmallMLP.fit(x, y, classes: 2, hidden: 8, l2: 1, steps: 50, seed: 5)
        #expect(a == SmallMLP.fit(x, y, classes: 2, hidden: 8, l2: 1, steps: 50, seed: 5))
        #expect(a != SmallMLP.fit(x, y, classes: 2, hidden: 8, l2: 1, steps: 50, seed: 6))
        let p = a.predict(x[0])
        #expect(abs(p.reduce(0, +) - 1) < 1e-5)
    }
}
