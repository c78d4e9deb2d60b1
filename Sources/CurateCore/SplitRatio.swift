import Foundation

/// Shares of the splits: two parts are train/test, three are train/val/test.
/// Written `70/15/15`, `80/20` or `0.7/0.15/0.15`; parts must be positive and add up to
/// 100 (percentages) or 1 (fractions).
public struct SplitRatio: Sendable, Equatable, CustomStringConvertible {
    public let names: [SplitName]
    /// Fractions, summing to 1.
    public let shares: [Double]

    public init(_ text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 || parts.count == 3 else {
            throw CurateError("ratio '\(text)': give 2 parts (train/test) or 3 (train/val/test), e.g. 70/15/15")
        }
        let values = parts.compactMap(Double.init)
        guard values.count == parts.count, values.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw CurateError("ratio '\(text)': every part must be a positive number, e.g. 70/15/15 or 0.7/0.15/0.15")
        }
        let sum = values.reduce(0, +)
        guard abs(sum - 100) < 1e-6 || abs(sum - 1) < 1e-9 else {
            throw CurateError("ratio '\(text)': parts add up to \(sum); they must add up to 100 or to 1")
        }
        shares = values.map { $0 / sum }
        names = parts.count == 2 ? [.train, .test] : [.train, .val, .test]
    }

    /// Percentages, e.g. `70/15/15`.
    public var description: String {
        shares.map { s in
            let p = s * 100
            return p == p.rounded() ? String(Int(p)) : String(format: "%g", p)
        }.joined(separator: "/")
    }

    public func approximatelyEquals(_ other: SplitRatio) -> Bool {
        shares.count == other.shares.count && zip(shares, other.shares).allSatisfy { abs($0 - $1) < 1e-9 }
    }
}

/// Settings of `curate split`.
public struct SplitSettings: Decodable, Sendable, Equatable {
    public var ratio: SplitRatio
    /// Decides the order in which groups are placed and ties between splits.
    public var seed: UInt64 = 0

    public init(ratio: SplitRatio? = nil, seed: UInt64 = 0) {
        self.ratio = ratio ?? (try! SplitRatio("70/15/15"))
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case ratio, seed }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "split")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ratio = try SplitRatio(c.decodeIfPresent(String.self, forKey: .ratio) ?? "70/15/15")
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
    }
}
