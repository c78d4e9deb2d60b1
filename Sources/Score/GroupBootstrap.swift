import Foundation

/// Confidence intervals for classification scores by resampling whole groups (people, clusters)
/// with replacement: faces of one person are not independent, so resampling faces would give
/// intervals too narrow. Percentile intervals, deterministic for a seed.
public struct GroupBootstrap: Sendable {
    public var resamples = 1000
    public var level = 0.95
    public var seed: UInt64 = 0

    public init(resamples: Int = 1000, level: Double = 0.95, seed: UInt64 = 0) {
        self.resamples = resamples; self.level = level; self.seed = seed
    }

    /// Interval of `statistic` over resamples; `statistic` gets item indices (with repeats).
    public func interval(groups: [String], _ statistic: ([Int]) -> Double?) -> ClosedRange<Double>? {
        var members: [String: [Int]] = [:]
        for (i, g) in groups.enumerated() { members[g, default: []].append(i) }
        let keys = members.keys.sorted()
        guard !keys.isEmpty else { return nil }
        var rng = SplitMix(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var idx: [Int] = []
            for _ in keys.indices { idx += members[keys[Int(rng.next() % UInt64(keys.count))]]! }
            if let v = statistic(idx), v.isFinite { values.append(v) }
        }
        guard !values.isEmpty else { return nil }
        values.sort()
        let lo = values[Int((Double(values.count - 1) * (1 - level) / 2).rounded())]
        let hi = values[Int((Double(values.count - 1) * (1 + level) / 2).rounded())]
        return lo...hi
    }
}

/// SplitMix64: small, fast, and the same on every platform.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
