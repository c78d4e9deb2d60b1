/// The splits a dataset is cut into, in the order they are listed (two-part ratios use train and test).
public enum SplitName: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case train, val, test

    public static func < (a: SplitName, b: SplitName) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Where a URL stands: not yet tried (or to retry), stored, or given up on.
public enum URLState: String, Sendable, Hashable, Codable {
    case pending, fetched, failed
}
