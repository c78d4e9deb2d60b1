import CurateCore
import Testing
import TestSupport
@testable import Split

/// The placement rule alone, on many random group sets.
struct StratifiedSplitterPropertyTests {
    static let ratios = ["70/15/15", "80/20", "60/20/20", "0.5/0.3/0.2", "90/5/5"]

    /// Random single-label groups: mostly single faces, some multi-face photos, a few big clusters.
    static func randomGroups(_ rng: inout SplitMix, count: Int, labels: [String], prefix: String = "g") -> [SplitGroup] {
        (0..<count).map { i in
            let r = rng.next() % 100
            let size = r < 75 ? 1 : r < 95 ? Int(2 + rng.next() % 3) : Int(5 + rng.next() % 12)
            return SplitGroup(key: "\(prefix)\(i)", labels: [labels[Int(rng.next() % UInt64(labels.count))]: size])
        }
    }

    static func counts(_ groups: [SplitGroup], _ placed: [String: Int], splits: Int) -> [[String: Int]] {
        var c = Array(repeating: [String: Int](), count: splits)
        for g in groups { for (l, n) in g.labels { c[placed[g.key]!][l, default: 0] += n } }
        return c
    }

    /// Every split of every label is within the label's largest group of its exact share.
    static func checkBound(_ groups: [SplitGroup], _ counts: [[String: Int]], _ ratio: SplitRatio, _ context: String) {
        for label in Set(groups.flatMap(\.labels.keys)) {
            let total = groups.reduce(0) { $0 + ($1.labels[label] ?? 0) }
            let largest = groups.map { $0.labels[label] ?? 0 }.max()!
            for s in ratio.shares.indices {
                let deviation = Double(counts[s][label] ?? 0) - ratio.shares[s] * Double(total)
                #expect(abs(deviation) <= Double(largest) + 1e-9,
                        "\(context) label \(label) split \(s): \(counts[s][label] ?? 0) of \(total), largest group \(largest)")
            }
        }
    }

    @Test func everySplitIsWithinTheLargestGroupOfItsShare() throws {
        var rng = SplitMix(1)
        for trial in 0..<300 {
            let ratio = try SplitRatio(Self.ratios[trial % Self.ratios.count])
            let groups = Self.randomGroups(&rng, count: Int(1 + rng.next() % 400), labels: ["angry", "happy", "sad"])
            let placed = StratifiedSplitter(ratio: ratio, seed: rng.next()).place(groups, existing: [])
            #expect(placed.count == groups.count)
            Self.checkBound(groups, Self.counts(groups, placed, splits: ratio.shares.count), ratio, "trial \(trial)")
        }
    }

    @Test func singleFaceGroupsLandWithinOneFaceOfTheirShare() throws {
        var rng = SplitMix(2)
        for trial in 0..<50 {
            let ratio = try SplitRatio("70/15/15")
            let groups = (0..<Int(10 + rng.next() % 500)).map { SplitGroup(key: "f\($0)", labels: ["l\($0 % 3)": 1]) }
            let c = Self.counts(groups, StratifiedSplitter(ratio: ratio, seed: UInt64(trial)).place(groups, existing: []), splits: 3)
            for l in ["l0", "l1", "l2"] {
                let total = c.reduce(0) { $0 + ($1[l] ?? 0) }
                for s in 0..<3 { #expect(abs(Double(c[s][l] ?? 0) - ratio.shares[s] * Double(total)) < 1) }
            }
        }
    }

    @Test func sameSeedSameSplitWhateverTheInputOrder() throws {
        var rng = SplitMix(3)
        let ratio = try SplitRatio("70/15/15")
        let groups = Self.randomGroups(&rng, count: 300, labels: ["a", "b"])
        let a = StratifiedSplitter(ratio: ratio, seed: 42).place(groups, existing: [])
        let b = StratifiedSplitter(ratio: ratio, seed: 42).place(groups.reversed(), existing: [])
        let c = StratifiedSplitter(ratio: ratio, seed: 43).place(groups, existing: [])
        #expect(a == b)
        #expect(a != c, "another seed should place some group elsewhere")
    }

    @Test func placingNewGroupsOnTopOfKeptOnesStaysWithinTheBound() throws {
        var rng = SplitMix(4)
        for trial in 0..<200 {
            let ratio = try SplitRatio(Self.ratios[trial % Self.ratios.count])
            let labels = ["angry", "happy", "sad"]
            let old = Self.randomGroups(&rng, count: Int(1 + rng.next() % 300), labels: labels, prefix: "old")
            let splitter = StratifiedSplitter(ratio: ratio, seed: UInt64(trial))
            let oldPlaced = splitter.place(old, existing: [])
            // New data arrives; at least as much as before, so targets can be reached.
            let new = Self.randomGroups(&rng, count: old.count + Int(rng.next() % 300), labels: labels, prefix: "new")
            let existing = Self.counts(old, oldPlaced, splits: ratio.shares.count)
            let newPlaced = splitter.place(new, existing: existing)
            #expect(Set(newPlaced.keys) == Set(new.map(\.key)))
            let all = old + new
            Self.checkBound(all, Self.counts(all, oldPlaced.merging(newPlaced) { a, _ in a }, splits: ratio.shares.count),
                            ratio, "trial \(trial)")
        }
    }
}
