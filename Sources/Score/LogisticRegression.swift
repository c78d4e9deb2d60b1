import Foundation

/// Multinomial logistic regression with L2, fitted by full-batch Nesterov gradient descent.
/// Minimises Σ cross-entropy + (l2/2)·‖W‖² (scikit-learn's objective with C = 1/l2; the bias
/// is not penalised). Features are standardised with the training mean and deviation.
/// Deterministic: no sampling, fixed iteration count.
public struct LogisticRegression: Codable, Sendable, Equatable {
    public var mean: [Double]
    public var scale: [Double]
    /// [classes][features]
    public var weights: [[Double]]
    public var bias: [Double]

    public static func fit(_ x: [[Float]], _ y: [Int], classes k: Int, l2: Double, iterations: Int = 600) -> LogisticRegression {
        let n = x.count, d = x.first?.count ?? 0
        var mean = [Double](repeating: 0, count: d), scale = [Double](repeating: 1, count: d)
        for row in x { for j in 0..<d { mean[j] += Double(row[j]) } }
        for j in 0..<d { mean[j] /= Double(max(n, 1)) }
        var varsum = [Double](repeating: 0, count: d)
        for row in x { for j in 0..<d { let v = Double(row[j]) - mean[j]; varsum[j] += v * v } }
        for j in 0..<d { let s = (varsum[j] / Double(max(n, 1))).squareRoot(); scale[j] = s > 1e-8 ? s : 1 }
        let z = x.map { row in (0..<d).map { (Double(row[$0]) - mean[$0]) / scale[$0] } }

        // Step 1/L with L bounding the Hessian of the mean loss: ½·λmax(ZᵀZ/n) ≤ ½·(d + 1) for
        // standardised columns (plus the bias column), plus the penalty's l2/n.
        let lipschitz = 0.5 * Double(d + 1) + l2 / Double(max(n, 1))
        let step = 1 / lipschitz
        var w = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: k)  // last column: bias
        var prev = w, look = w
        for t in 1...max(iterations, 1) {
            var grad = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: k)
            for i in 0..<n {
                let p = softmax(look, z[i])
                for c in 0..<k {
                    let g = p[c] - (y[i] == c ? 1 : 0)
                    for j in 0..<d { grad[c][j] += g * z[i][j] }
                    grad[c][d] += g
                }
            }
            for c in 0..<k { for j in 0...d {
                grad[c][j] = grad[c][j] / Double(n) + (j < d ? l2 / Double(n) * look[c][j] : 0)
            } }
            let next = (0..<k).map { c in (0...d).map { j in look[c][j] - step * grad[c][j] } }
            let momentum = Double(t - 1) / Double(t + 2)
            look = (0..<k).map { c in (0...d).map { j in next[c][j] + momentum * (next[c][j] - prev[c][j]) } }
            prev = next
            w = next
        }
        return LogisticRegression(mean: mean, scale: scale, weights: w.map { Array($0[0..<d]) }, bias: w.map { $0[d] })
    }

    static func softmax(_ w: [[Double]], _ z: [Double]) -> [Double] {
        let d = z.count
        var logits = w.map { row in (0..<d).reduce(row[d]) { $0 + row[$1] * z[$1] } }
        let m = logits.max() ?? 0
        var s = 0.0
        for c in logits.indices { logits[c] = exp(logits[c] - m); s += logits[c] }
        return logits.map { $0 / s }
    }

    public func predict(_ x: [Float]) -> [Float] {
        let z = x.indices.map { (Double(x[$0]) - mean[$0]) / scale[$0] }
        return Self.softmax(zip(weights, bias).map { $0 + [$1] }, z).map(Float.init)
    }
}
