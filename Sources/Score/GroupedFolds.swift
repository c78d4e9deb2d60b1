import CurateCore
import Split

/// Cross-validation folds made of whole split groups (a person, a near-duplicate cluster), so
/// no face is ever scored by a model that saw its group: the same faces under another crop, or
/// the same person, would otherwise leak their label into their own score. Groups are placed
/// by the split's own stratified rule with equal shares, so every fold has every label.
public struct GroupedFolds: Sendable, Equatable {
    /// The fold of each item, 0..<count.
    public let fold: [Int]
    public let count: Int

    /// `groups[i]` and `labels[i]` are item i's group key and label.
    public init(groups: [String], labels: [String], folds: Int, seed: UInt64) {
        var byGroup: [String: [String: Int]] = [:]
        for (g, l) in zip(groups, labels) { byGroup[g, default: [:]][l, default: 0] += 1 }
        let k = max(1, min(folds, byGroup.count))
        let splitter = StratifiedSplitter(shares: Array(repeating: 1 / Double(k), count: k), seed: seed)
        let placed = splitter.place(byGroup.map { SplitGroup(key: $0.key, labels: $0.value) }.sorted { $0.key < $1.key }, existing: [])
        fold = groups.map { placed[$0]! }
        count = k
    }

    /// Items outside fold f (to fit on) and inside it (to score).
    public func indices(_ f: Int) -> (train: [Int], test: [Int]) {
        (fold.indices.filter { fold[$0] != f }, fold.indices.filter { fold[$0] == f })
    }

    /// Out-of-fold predictions: `fit` on the other folds, `predict` the fold's items.
    public func outOfFold<Model>(_ fit: ([Int]) -> Model, _ predict: (Model, Int) -> [Float]) -> [[Float]] {
        var out = [[Float]](repeating: [], count: fold.count)
        for f in 0..<count {
            let (train, test) = indices(f)
            let model = fit(train)
            for i in test { out[i] = predict(model, i) }
        }
        return out
    }
}
