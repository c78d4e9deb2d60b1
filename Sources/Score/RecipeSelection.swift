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
        /// Out-of-fold accuracy of the best recipe's head for each head choice.
        public var heads: [HeadRow]
        public var bestHead: HeadChoice
        /// Out-of-fold accuracy of the mean of the default model's and the best head's
        /// probabilities: reported so its worth is seen; `score --model trained` uses the head alone.
        public var ensembleAccuracy: Double
        /// Nested cross-validation: the whole choice made without the fold it is scored on.
        public var nestedDefaultAccuracy: Double
        public var nestedTrainedAccuracy: Double
        /// The recipe each outer fold chose.
        public var chosenPerFold: [String]
    }

    /// What the head reads beyond the recipe's outputs, its L2, and its kind: logistic
    /// regression (`hidden` 0) or a small MLP with that many hidden units.
    public struct HeadChoice: Codable, Sendable, Equatable, Hashable {
        public var faceResNet: Bool
        public var l2: Double
        public var hidden = 0

        var description: String {
            (hidden > 0 ? "MLP (\(hidden) hidden)" : "logistic") + (faceResNet ? ", + face ResNet features" : ", recipe's features only")
                + ", l2 \(Int(l2))"
        }
    }

    /// Probabilities of the faces `test` from a head of kind `h` fitted on the faces `train`.
    static func fitPredict(_ x: [[Float]], _ y: [Int], _ classes: Int, _ h: HeadChoice, train: [Int], test: [Int]) -> [[Float]] {
        let tx = train.map { x[$0] }, ty = train.map { y[$0] }
        if h.hidden > 0 {
            let head = SmallMLP.fit(tx, ty, classes: classes, hidden: h.hidden, l2: h.l2)
            return test.map { head.predict(x[$0]) }
        }
        let head = LogisticRegression.fit(tx, ty, classes: classes, l2: h.l2)
        return test.map { head.predict(x[$0]) }
    }

    public struct HeadRow: Codable, Sendable, Equatable {
        public var head: HeadChoice
        public var trainedAccuracy: Double
    }

    public static let l2Candidates: [Double] = [100, 300, 1000, 3000]
    /// The small MLP's width and the L2 values tried with it (an MLP fit costs far more than a logistic one).
    public static let mlpHidden = 32
    public static let mlpL2Candidates: [Double] = [30, 300]

    /// `y`: each face's given label index; `folds`: grouped folds over the same faces;
    /// `resnet`: the face ResNet's features of the same faces, tried as extra head inputs.
    public static func run(_ candidates: [Outputs], y: [Int], classes: Int, folds: GroupedFolds, l2: Double,
                           l2Candidates: [Double] = l2Candidates, mlpL2Candidates: [Double] = mlpL2Candidates,
                           resnet: [[Float]]? = nil) -> Report {
        precondition(!candidates.isEmpty)
        let all = Array(y.indices)
        // Everything the outer loop needs per candidate is computed once, in parallel.
        struct Measured { var all: Double; var defaultAll: Double; var trainedAll: Double; var inner: [Double] }
        let measured = parallelMap(candidates) { c -> Measured in
            let d = accuracy(c.defaultProbs, y, all)
            let t = accuracy(oof(c.features, y, classes, folds, among: all, head: HeadChoice(faceResNet: false, l2: l2)), y, all)
            let inner = (0..<folds.count).map { f -> Double in
                let outside = all.filter { folds.fold[$0] != f }
                let innerOOF = oof(c.features, y, classes, folds, among: outside, head: HeadChoice(faceResNet: false, l2: l2))
                return (accuracy(c.defaultProbs, y, outside) + accuracy(innerOOF, y, outside)) / 2
            }
            return Measured(all: (d + t) / 2, defaultAll: d, trainedAll: t, inner: inner)
        }
        func argmax(_ v: [Double]) -> Int { v.indices.max { (v[$0], -$0) < (v[$1], -$1) }! }
        let best = argmax(measured.map(\.all))
        let choices = (resnet == nil ? [false] : [false, true]).flatMap { r in
            l2Candidates.map { HeadChoice(faceResNet: r, l2: $0) } + mlpL2Candidates.map { HeadChoice(faceResNet: r, l2: $0, hidden: mlpHidden) }
        }
        @Sendable func inputs(_ c: Outputs, _ h: HeadChoice) -> [[Float]] {
            h.faceResNet ? zip(c.features, resnet!).map { $0 + $1 } : c.features
        }
        let headAcc = parallelMap(choices) { h in
            accuracy(oof(inputs(candidates[best], h), y, classes, folds, among: all, head: h), y, all)
        }
        let bestHead = choices[argmax(headAcc)]
        let bestOOF = oof(inputs(candidates[best], bestHead), y, classes, folds, among: all, head: bestHead)
        let ensemble = zip(bestOOF, candidates[best].defaultProbs).map { h, d in zip(h, d).map { ($0 + $1) / 2 } }

        // Nested: fold f chooses a recipe and a head from the other folds, then is scored.
        var chosen: [String] = []
        var defaultRight = 0, trainedRight = 0
        for f in 0..<folds.count {
            let (outside, inside) = folds.indices(f)
            let pick = argmax(measured.map { $0.inner[f] })
            let c = candidates[pick]
            let scores = parallelMap(choices) { h in accuracy(oof(inputs(c, h), y, classes, folds, among: outside, head: h), y, outside) }
            let h = choices[argmax(scores)]
            chosen.append(c.recipe.description + (h.faceResNet ? " +resnet" : "") + (h.hidden > 0 ? " mlp" : "") + " l2 \(Int(h.l2))")
            let predicted = fitPredict(inputs(c, h), y, classes, h, train: outside, test: inside)
            for (i, p) in zip(inside, predicted) {
                if argmax(c.defaultProbs[i].map(Double.init)) == y[i] { defaultRight += 1 }
                if argmax(p.map(Double.init)) == y[i] { trainedRight += 1 }
            }
        }
        let rows = zip(candidates, measured).map { c, m in
            Row(recipe: c.recipe.description, defaultAccuracy: m.defaultAll, trainedAccuracy: m.trainedAll, criterion: m.all)
        }
        return Report(faces: y.count, folds: folds.count, rows: rows, best: candidates[best].recipe.description, bestIndex: best,
                      heads: zip(choices, headAcc).map { HeadRow(head: $0, trainedAccuracy: $1) }, bestHead: bestHead,
                      ensembleAccuracy: accuracy(ensemble, y, all),
                      nestedDefaultAccuracy: Double(defaultRight) / Double(max(1, y.count)),
                      nestedTrainedAccuracy: Double(trainedRight) / Double(max(1, y.count)), chosenPerFold: chosen)
    }

    /// Out-of-fold probabilities for the faces `among`, from heads fitted on the other folds'
    /// faces among them (a fold with none of them is skipped). Entries outside `among` stay empty.
    static func oof(_ x: [[Float]], _ y: [Int], _ classes: Int, _ folds: GroupedFolds, among: [Int], head: HeadChoice) -> [[Float]] {
        var out = [[Float]](repeating: [], count: y.count)
        for f in 0..<folds.count {
            let test = among.filter { folds.fold[$0] == f }
            guard !test.isEmpty else { continue }
            let train = among.filter { folds.fold[$0] != f }
            for (i, p) in zip(test, fitPredict(x, y, classes, head, train: train, test: test)) { out[i] = p }
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
        lines.append("heads on the best recipe (out-of-fold accuracy):")
        for row in r.heads {
            lines.append("  " + row.head.description + ": " + fmt(row.trainedAccuracy) + (row.head == r.bestHead ? "  <- best" : ""))
        }
        lines.append("ensemble, the mean of the default model's and that head's probabilities: \(fmt(r.ensembleAccuracy))")
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
