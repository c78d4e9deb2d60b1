import CurateCore

/// cleanlab's label-quality scores over probabilities renormalised to the pipeline's labels.
public enum MislabelScores {
    /// `probs[i]` are face i's probabilities over `labels` (summing to 1); `given[i]` its label's index.
    /// Per-class thresholds are the mean P(class) over the faces labelled with that class
    /// (cleanlab's confident-learning thresholds); a face is flagged when, among the classes
    /// whose probability clears their threshold, the likeliest is not its given label.
    public static func compute(probs: [[Float]], given: [Int], classCount k: Int) -> [(selfConfidence: Float, margin: Float, flagged: Bool, predicted: Int)] {
        var sum = [Double](repeating: 0, count: k), count = [Int](repeating: 0, count: k)
        for (p, y) in zip(probs, given) { sum[y] += Double(p[y]); count[y] += 1 }
        // A class nobody carries has no threshold: it can never be "confidently" another face's label.
        let threshold = (0..<k).map { count[$0] > 0 ? Float(sum[$0] / Double(count[$0])) : .infinity }
        return zip(probs, given).map { p, y in
            let other = (0..<k).filter { $0 != y }.map { p[$0] }.max() ?? 0
            var confident: Int?
            for j in 0..<k where p[j] >= threshold[j] { if confident == nil || p[j] > p[confident!] { confident = j } }
            let predicted = p.indices.max { p[$0] < p[$1] }!
            return (p[y], (p[y] - other + 1) / 2, confident.map { $0 != y } ?? false, predicted)
        }
    }

    /// Model classes -> pipeline labels: the index of the model class behind each label that the
    /// model can score (from `score.classes`, else a class of the same name).
    public static func classMap(labels: [String], modelClasses: [String], configured: [String: String]) throws -> [(label: String, index: Int)] {
        var out: [(String, Int)] = []
        for l in labels {
            let cls = configured[l] ?? l
            if let i = modelClasses.firstIndex(of: cls) { out.append((l, i)) }
            else if configured[l] != nil {
                throw CurateError("score.classes maps '\(l)' to '\(cls)', which the model does not have (it has \(modelClasses.joined(separator: ", ")))")
            }
        }
        return out
    }
}
