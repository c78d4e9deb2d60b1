import COpenBLAS
import Foundation

/// A one-hidden-layer perceptron (ReLU) over standardised features, the "small MLP" head that
/// `curate train --select` measures against logistic regression. Minimises the mean
/// cross-entropy + (l2/2n)·(‖W1‖² + ‖W2‖²), the logistic head's penalty per face, by full-batch
/// Adam for a fixed number of steps from a seeded initialisation: deterministic.
public struct SmallMLP: Codable, Sendable, Equatable {
    public var mean: [Double]
    public var scale: [Double]
    /// [hidden][features] and [classes][hidden], row-major, with their biases.
    public var w1: [Double], b1: [Double]
    public var w2: [Double], b2: [Double]
    public var hidden: Int

    public static func fit(_ x: [[Float]], _ y: [Int], classes k: Int, hidden h: Int, l2: Double, steps: Int = 400,
                           seed: UInt64 = 0) -> SmallMLP {
        let n = x.count, d = x.first?.count ?? 0
        let (mean, scale) = Standardiser.fit(x)
        var z = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { z[i * d + j] = (Double(x[i][j]) - mean[j]) / scale[j] } }
        // He initialisation from a seeded generator (uniform with the same variance).
        var rng = SplitMix(seed: seed)
        func uniform(_ count: Int, fanIn: Int) -> [Double] {
            let a = (6 / Double(max(fanIn, 1))).squareRoot()
            return (0..<count).map { _ in (Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) * a }
        }
        var params = [uniform(h * d, fanIn: d), [Double](repeating: 0, count: h), uniform(k * h, fanIn: h), [Double](repeating: 0, count: k)]
        var m1 = params.map { [Double](repeating: 0, count: $0.count) }, m2 = m1
        let (beta1, beta2, rate, eps) = (0.9, 0.999, 0.003, 1e-8)
        let penalty = l2 / Double(max(n, 1))
        var a = [Double](repeating: 0, count: n * h), p = [Double](repeating: 0, count: n * k)
        var grads = params.map { [Double](repeating: 0, count: $0.count) }
        for t in 1...max(steps, 1) {
            forward(z, n: n, d: d, h: h, k: k, params, hiddenOut: &a, probs: &p)
            // dL/dlogits = (P − Y)/n
            for i in 0..<n { p[i * k + y[i]] -= 1 }
            let inv = 1 / Double(max(n, 1))
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(k), Int32(h), Int32(n), inv, p, Int32(k), a, Int32(h), 0, &grads[2], Int32(h))
            for c in 0..<k { grads[3][c] = (0..<n).reduce(0) { $0 + p[$1 * k + c] } * inv }
            // Back through W2 and the ReLU: dA = dlogits · W2, zero where the unit was off.
            var da = [Double](repeating: 0, count: n * h)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(h), Int32(k), 1, p, Int32(k), params[2], Int32(h), 0, &da, Int32(h))
            for i in 0..<(n * h) where a[i] <= 0 { da[i] = 0 }
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(h), Int32(d), Int32(n), inv, da, Int32(h), z, Int32(d), 0, &grads[0], Int32(d))
            for u in 0..<h { grads[1][u] = (0..<n).reduce(0) { $0 + da[$1 * h + u] } * inv }
            for (g, w) in [(0, 0), (2, 2)] { for i in grads[g].indices { grads[g][i] += penalty * params[w][i] } }
            let c1 = 1 - pow(beta1, Double(t)), c2 = 1 - pow(beta2, Double(t))
            for q in params.indices {
                for i in params[q].indices {
                    let g = grads[q][i]
                    m1[q][i] = beta1 * m1[q][i] + (1 - beta1) * g
                    m2[q][i] = beta2 * m2[q][i] + (1 - beta2) * g * g
                    params[q][i] -= rate * (m1[q][i] / c1) / ((m2[q][i] / c2).squareRoot() + eps)
                }
            }
        }
        return SmallMLP(mean: mean, scale: scale, w1: params[0], b1: params[1], w2: params[2], b2: params[3], hidden: h)
    }

    /// Hidden activations (ReLU) and class probabilities of standardised rows `z`.
    static func forward(_ z: [Double], n: Int, d: Int, h: Int, k: Int, _ params: [[Double]], hiddenOut a: inout [Double],
                        probs p: inout [Double]) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(h), Int32(d), 1, z, Int32(d), params[0], Int32(d), 0, &a, Int32(h))
        for i in 0..<n { for u in 0..<h { a[i * h + u] = max(0, a[i * h + u] + params[1][u]) } }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(k), Int32(h), 1, a, Int32(h), params[2], Int32(h), 0, &p, Int32(k))
        for i in 0..<n {
            let row = Softmax.probabilities((0..<k).map { p[i * k + $0] + params[3][$0] })
            for c in 0..<k { p[i * k + c] = row[c] }
        }
    }

    public func predict(_ x: [Float]) -> [Float] {
        let d = mean.count, k = b2.count
        let z = (0..<d).map { (Double(x[$0]) - mean[$0]) / scale[$0] }
        var a = [Double](repeating: 0, count: hidden), p = [Double](repeating: 0, count: k)
        Self.forward(z, n: 1, d: d, h: hidden, k: k, [w1, b1, w2, b2], hiddenOut: &a, probs: &p)
        return p.map(Float.init)
    }
}
