import Foundation

/// Temperature scaling (Guo et al., 2017): one T > 0 dividing every face's log-probabilities,
/// chosen to minimise the negative log-likelihood of the given labels. It keeps each face's
/// likeliest class and makes confidences comparable: an over-confident head's 0.99s and 0.6s
/// are brought to what they are worth.
public enum Temperature {
    /// T minimising the mean NLL of `y` under softmax(log p / T), by golden-section search on
    /// log T in [1/20, 20].
    public static func fit(_ probs: [[Float]], _ y: [Int]) -> Double {
        guard !probs.isEmpty else { return 1 }
        let logs = probs.map { $0.map { log(Double(max($0, 1e-12))) } }
        func nll(_ logT: Double) -> Double {
            let t = exp(logT)
            var s = 0.0
            for (l, yi) in zip(logs, y) {
                let m = l.max()!
                let z = l.reduce(0) { $0 + exp(($1 - m) / t) }
                s -= (l[yi] - m) / t - log(z)
            }
            return s / Double(logs.count)
        }
        var (a, b) = (log(1.0 / 20), log(20.0))
        let g = (5.0.squareRoot() - 1) / 2
        var c = b - g * (b - a), d = a + g * (b - a)
        var fc = nll(c), fd = nll(d)
        for _ in 0..<60 {
            if fc < fd { b = d; d = c; fd = fc; c = b - g * (b - a); fc = nll(c) }
            else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = nll(d) }
        }
        return exp((a + b) / 2)
    }

    /// Probabilities at temperature `t`.
    public static func apply(_ p: [Float], _ t: Double) -> [Float] {
        Softmax.probabilities(p.map { log(Double(max($0, 1e-12))) }, temperature: t).map(Float.init)
    }

    /// Cross-fitted: each fold's probabilities rescaled by a T fitted on the other folds' faces,
    /// so no face's own label sets its calibration. Returns the rescaled probabilities and the
    /// T fitted on all faces (for faces scored later).
    public static func crossFitted(_ probs: [[Float]], _ y: [Int], folds: GroupedFolds) -> (probs: [[Float]], t: Double) {
        var out = probs
        for f in 0..<folds.count {
            let (train, test) = folds.indices(f)
            let t = fit(train.map { probs[$0] }, train.map { y[$0] })
            for i in test { out[i] = apply(probs[i], t) }
        }
        return (out, fit(probs, y))
    }
}
