import CurateCore
import Foundation

/// Chooses the input recipe (and the head's L2) by grouped cross-validation on the labelled
/// faces, and estimates what the choice is worth with nested cross-validation: for each outer
/// fold the choice is made again on the other folds alone (their own inner folds), then scored
/// on the held-out fold. No face's label ever takes part in choosing what scores it.
public enum RecipeSelection {
    /// One candidate's outputs for every face, in the same face order.
    public struct Outputs: Sendable {
        public var recipe: InputRecipe
        /// The default model's probabilities over the pipeline's labels (renormalised).
        public var defaultProbs: [[Float]]
        /// What the trained head reads (features and the model's own probabilities).
        public var features: [[Float]]
        public init(recipe: InputRecipe, defaultProbs: [[Float]], features: [[Float]]) {
            self.recipe = recipe; self.defaultProbs = defaultProbs; self.features = features
        }
    }

    public struct Row: Codable, Sendable, Equatable {
        public var recipe: String
        /// Default model against the given labels (nothing fitted).
        public var defaultAccuracy: Double
        /// The trained head's out-of-fold accuracy against the given labels.
        public var trainedAccuracy: Double
        /// What is maximised: the mean of the two (one recipe serves both scorers).
        public var criterion: Double
    }

    public struct Report: Codable, Sendable, Equatable {
        public var faces: Int
        public var folds: Int
        public var rows: [Row]
        public var best: String
        public var bestIndex: Int
        /// Out-of-fold accuracy of the best recipe's head at each candidate L2.
        public var l2: [Double: Double]
        public var bestL2: Double
        /// Nested cross-validation: the whole choice made without the fold it is scored on.
        public var nestedDefaultAccuracy: Double
        public var nestedTrainedAccuracy: Double
        /// The recipe each outer fold chose.
        public var chosenPerFold: [String]
    }

    public static let l2Candidates: [Double] = [100, 300, 1000, 3000]

    /// `y`: each face's given label index; `folds`: grouped folds over the same faces.
    public static func run(_ candidates: [Outputs], y: [Int], classes: Int, folds: GroupedFolds, l2: Double,
                           l2Candidates: [Double] = l2Candidates) -> Report {
        precondition(!candidates.isEmpty)
        let all = Array(y.indices)
        // Everything the outer loop needs per candidate is computed once, in parallel.
        struct Measured { var all: Double; var defaultAll: Double; var trainedAll: Double; var inner: [Double] }
        let measured = parallelMap(candidates) { c -> Measured in
            let d = accuracy(c.defaultProbs, y, all)
            let t = accuracy(oof(c.features, y, classes, folds, among: all, l2: l2), y, all)
            let inner = (0..<folds.count).map { f -> Double in
                let outside = all.filter { folds.fold[$0] != f }
                let innerOOF = oof(c.features, y, classes, folds, among: outside, l2: l2)
                return (accuracy(c.defaultProbs, y, outside) + accuracy(innerOOF, y, outside)) / 2
            }
            return Measured(all: (d + t) / 2, defaultAll: d, trainedAll: t, inner: inner)
        }
        func argmax(_ v: [Double]) -> Int { v.indices.max { (v[$0], -$0) < (v[$1], -$1) }! }
        let best = argmax(measured.map(\.all))
        let l2Acc = parallelMap(l2Candidates) { lambda in
            accuracy(oof(candidates[best].features, y, classes, folds, among: all, l2: lambda), y, all)
        }
        let bestL2 = l2Candidates[argmax(l2Acc)]

        // Nested: fold f chooses a recipe and an L2 from the other folds, then is scored.
        var chosen: [String] = []
        var defaultRight = 0, trainedRight = 0
        for f in 0..<folds.count {
            let (outside, inside) = folds.indices(f)
            let pick = argmax(measured.map { $0.inner[f] })
            chosen.append(candidates[pick].recipe.description)
            let c = candidates[pick]
            let lambdas = l2Candidates.map { lambda in accuracy(oof(c.features, y, classes, folds, among: outside, l2: lambda), y, outside) }
            let lambda = l2Candidates[argmax(lambdas)]
            let head = LogisticRegression.fit(outside.map { c.features[$0] }, outside.map { y[$0] }, classes: classes, l2: lambda)
            for i in inside {
                if argmax(c.defaultProbs[i].map(Double.init)) == y[i] { defaultRight += 1 }
                if argmax(head.predict(c.features[i]).map(Double.init)) == y[i] { trainedRight += 1 }
            }
        }
        let rows = zip(candidates, measured).map { c, m in
            Row(recipe: c.recipe.description, defaultAccuracy: m.defaultAll, trainedAccuracy: m.trainedAll, criterion: m.all)
        }
        return Report(faces: y.count, folds: folds.count, rows: rows, best: candidates[best].recipe.description, bestIndex: best,
                      l2: Dictionary(uniqueKeysWithValues: zip(l2Candidates, l2Acc)), bestL2: bestL2,
                      nestedDefaultAccuracy: Double(defaultRight) / Double(max(1, y.count)),
                      nestedTrainedAccuracy: Double(trainedRight) / Double(max(1, y.count)), chosenPerFold: chosen)
    }

    /// Out-of-fold probabilities for the faces `among`, from heads fitted on the other folds'
    /// faces among them (a fold with none of them is skipped). Entries outside `among` stay empty.
    static func oof(_ x: [[Float]], _ y: [Int], _ classes: Int, _ folds: GroupedFolds, among: [Int], l2: Double) -> [[Float]] {
        var out = [[Float]](repeating: [], count: y.count)
        for f in 0..<folds.count {
            let test = among.filter { folds.fold[$0] == f }
            guard !test.isEmpty else { continue }
            let train = among.filter { folds.fold[$0] != f }
            let head = LogisticRegression.fit(train.map { x[$0] }, train.map { y[$0] }, classes: classes, l2: l2)
            for i in test { out[i] = head.predict(x[i]) }
        }
        return out
    }

    public static func text(_ r: Report, l2Setting: Double) -> String {
        var lines = ["input recipes by grouped \(r.folds)-fold cross-validation over \(r.faces) labelled faces",
                     "(accuracy against the given labels; default: the model alone; trained: out-of-fold head, l2 \(fmt(l2Setting, 0))):"]
        let w = max(28, r.rows.map(\.recipe.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        lines.append("  " + pad("recipe", w) + "  default  trained  mean")
        let order = r.rows.indices.sorted { (r.rows[$0].criterion, -$0) > (r.rows[$1].criterion, -$1) }
        for i in order {
            let row = r.rows[i]
            lines.append("  " + pad(row.recipe, w) + "  " + fmt(row.defaultAccuracy) + "    " + fmt(row.trainedAccuracy) + "    "
                         + fmt(row.criterion) + (i == r.bestIndex ? "  <- best" : ""))
        }
        lines.append("head L2 on the best recipe (out-of-fold accuracy): "
                     + r.l2.keys.sorted().map { "\(fmt($0, 0)) \(fmt(r.l2[$0]!))" }.joined(separator: ", ") + "; best \(fmt(r.bestL2, 0))")
        lines.append("nested cross-validation (the choice remade without each scored fold): default \(fmt(r.nestedDefaultAccuracy)), "
                     + "trained \(fmt(r.nestedTrainedAccuracy)); folds chose: " + r.chosenPerFold.joined(separator: " | "))
        return lines.joined(separator: "\n")
    }

    static func fmt(_ v: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", v) }

    static func accuracy(_ probs: [[Float]], _ y: [Int], _ idx: [Int]) -> Double {
        guard !idx.isEmpty else { return 0 }
        let right = idx.count { i in probs[i].indices.max { probs[i][$0] < probs[i][$1] } == y[i] }
        return Double(right) / Double(idx.count)
    }
}
