import CurateCore

/// A unit of assignment: faces that must share a split, counted by label.
public struct SplitGroup: Sendable, Equatable {
    public var key: String
    public var labels: [String: Int]
    public var size: Int { labels.values.reduce(0, +) }
    public init(key: String, labels: [String: Int]) { self.key = key; self.labels = labels }
}

/// Places groups into splits so every label's split counts approach the ratio.
///
/// Groups are taken in a seeded pseudo-random order; each goes to the split with the largest
/// deficit (target share of the label's final total, minus what the split already holds),
/// summed over the group's faces. Because a group only ever goes where the deficit is largest,
/// no split ends more than one group above its target, and none more than (k-1)/k of a group
/// below it: every split is within the label's largest group of its exact share. The order is
/// random rather than largest-first so big groups (multi-face photos, duplicate clusters) are
/// spread like the rest instead of all landing in train.
public struct StratifiedSplitter: Sendable {
    public let shares: [Double]
    public let seed: UInt64

    public init(ratio: SplitRatio, seed: UInt64) {
        self.init(shares: ratio.shares, seed: seed)
    }

    /// Any number of parts (e.g. equal cross-validation folds); shares sum to 1.
    public init(shares: [Double], seed: UInt64) {
        self.shares = shares
        self.seed = seed
    }

    /// Returns each new group's split index. `existing[s][label]` counts faces already in split
    /// `s` that stay there; they count toward the targets but never move.
    public func place(_ groups: [SplitGroup], existing: [[String: Int]]) -> [String: Int] {
        var counts = existing.count == shares.count ? existing : Array(repeating: [:], count: shares.count)
        var totals: [String: Int] = [:]
        for split in counts { for (l, n) in split { totals[l, default: 0] += n } }
        for g in groups { for (l, n) in g.labels { totals[l, default: 0] += n } }

        let order = groups.map { ($0, StableHash.of($0.key, seed: seed)) }
            .sorted { ($0.1, $0.0.key) < ($1.1, $1.0.key) }
        var placed: [String: Int] = [:]
        for (group, keyHash) in order {
            var best = 0, bestScore = -Double.infinity, bestTie = UInt64.max
            for s in shares.indices {
                var score = 0.0
                for (l, n) in group.labels {
                    score += Double(n) * (shares[s] * Double(totals[l]!) - Double(counts[s][l] ?? 0))
                }
                // Equal deficits (e.g. val and test at 15/15) are broken by the seed, not by position.
                let tie = StableHash.mix(keyHash &+ UInt64(s))
                if score > bestScore + 1e-9 || (abs(score - bestScore) <= 1e-9 && tie < bestTie) {
                    best = s; bestScore = score; bestTie = tie
                }
            }
            placed[group.key] = best
            for (l, n) in group.labels { counts[best][l, default: 0] += n }
        }
        return placed
    }
}

/// A hash that is the same in every process and on every machine (Swift's `Hasher` is
/// seeded per process), so a split is reproducible from its seed.
enum StableHash {
    static func of(_ key: String, seed: UInt64) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ mix(seed)  // FNV-1a over the key's UTF-8
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return mix(h)
    }

    /// SplitMix64's finaliser: spreads every input bit over the output.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
