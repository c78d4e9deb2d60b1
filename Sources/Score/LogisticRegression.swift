import COpenBLAS
import Foundation

/// Multinomial logistic regression with L2, fitted by full-batch Nesterov gradient descent.
/// Minimises Σ cross-entropy + (l2/2)·‖W‖² (scikit-learn's objective with C = 1/l2; the bias
/// is not penalised). Features are standardised with the training mean and deviation.
/// Deterministic: no sampling, fixed iteration count, serial BLAS.
public struct LogisticRegression: Codable, Sendable, Equatable {
    public var mean: [Double]
    public var scale: [Double]
    /// [classes][features]
    public var weights: [[Double]]
    public var bias: [Double]

    public static func fit(_ x: [[Float]], _ y: [Int], classes k: Int, l2: Double, iterations: Int = 600) -> LogisticRegression {
        let n = x.count, d = x.first?.count ?? 0, d1 = d + 1
        let (mean, scale) = Standardiser.fit(x)
        // Z: n × (d+1), standardised, with a column of ones for the bias.
        var z = [Double](repeating: 1, count: n * d1)
        for i in 0..<n { for j in 0..<d { z[i * d1 + j] = (Double(x[i][j]) - mean[j]) / scale[j] } }
        var onehot = [Double](repeating: 0, count: n * k)
        for i in 0..<n { onehot[i * k + y[i]] = 1 }

        // Step 1/L with L bounding the Hessian of the mean loss: ½·λmax(ZᵀZ/n) ≤ ½·(d + 1) for
        // standardised columns (plus the bias column), plus the penalty's l2/n.
        let lipschitz = 0.5 * Double(d1) + l2 / Double(max(n, 1))
        let step = 1 / lipschitz
        // W: k × (d+1), last column the bias.
        var w = [Double](repeating: 0, count: k * d1)
        var prev = w, look = w
        var logits = [Double](repeating: 0, count: n * k), grad = [Double](repeating: 0, count: k * d1)
        let penalty = l2 / Double(max(n, 1))
        for t in 1...max(iterations, 1) {
            // logits = Z · lookᵀ; P = softmax rows; G = (P − Y)ᵀ · Z / n
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(k), Int32(d1), 1, z, Int32(d1), look, Int32(d1),
                        0, &logits, Int32(k))
            for i in 0..<n {
                var m = -Double.infinity
                for c in 0..<k { m = max(m, logits[i * k + c]) }
                var s = 0.0
                for c in 0..<k { let e = exp(logits[i * k + c] - m); logits[i * k + c] = e; s += e }
                for c in 0..<k { logits[i * k + c] = logits[i * k + c] / s - onehot[i * k + c] }
            }
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(k), Int32(d1), Int32(n), 1 / Double(max(n, 1)), logits, Int32(k),
                        z, Int32(d1), 0, &grad, Int32(d1))
            let momentum = Double(t - 1) / Double(t + 2)
            for c in 0..<k {
                for j in 0..<d1 {
                    let idx = c * d1 + j
                    let g = grad[idx] + (j < d ? penalty * look[idx] : 0)
                    let next = look[idx] - step * g
                    look[idx] = next + momentum * (next - prev[idx])
                    prev[idx] = next
                    w[idx] = next
                }
            }
        }
        return LogisticRegression(mean: mean, scale: scale, weights: (0..<k).map { Array(w[($0 * d1)..<($0 * d1 + d)]) },
                                  bias: (0..<k).map { w[$0 * d1 + d] })
    }

    /// Class scores before the softmax.
    public func logits(_ x: [Float]) -> [Double] {
        let z = x.indices.map { (Double(x[$0]) - mean[$0]) / scale[$0] }
        return zip(weights, bias).map { row, b in zip(row, z).reduce(b) { $0 + $1.0 * $1.1 } }
    }

    public func predict(_ x: [Float]) -> [Float] { Softmax.probabilities(logits(x)).map(Float.init) }
}

/// Column mean and deviation (population), a deviation of 0 counting as 1.
enum Standardiser {
    static func fit(_ x: [[Float]]) -> (mean: [Double], scale: [Double]) {
        let n = x.count, d = x.first?.count ?? 0
        var mean = [Double](repeating: 0, count: d), scale = [Double](repeating: 1, count: d)
        for row in x { for j in 0..<d { mean[j] += Double(row[j]) } }
        for j in 0..<d { mean[j] /= Double(max(n, 1)) }
        var varsum = [Double](repeating: 0, count: d)
        for row in x { for j in 0..<d { let v = Double(row[j]) - mean[j]; varsum[j] += v * v } }
        for j in 0..<d { let s = (varsum[j] / Double(max(n, 1))).squareRoot(); scale[j] = s > 1e-8 ? s : 1 }
        return (mean, scale)
    }
}

public enum Softmax {
    /// exp(l − max) normalised, optionally at a temperature.
    public static func probabilities(_ logits: [Double], temperature: Double = 1) -> [Double] {
        let m = logits.max() ?? 0
        let e = logits.map { exp(($0 - m) / temperature) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}
