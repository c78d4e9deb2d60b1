/// Pipeline-file sections refuse keys they do not know: a typo (`concurency:`) would otherwise
/// leave the default in force without a word.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension Decoder {
    /// Throws for the first key of this mapping that `K` does not list, naming the closest one.
    func rejectUnknownKeys<K: CodingKey & CaseIterable>(_: K.Type, in section: String) throws {
        let keys = try container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        let known = K.allCases.map(\.stringValue)
        guard let bad = keys.first(where: { !known.contains($0) }) else { return }
        let where_ = section.isEmpty ? "" : "\(section)."
        let near = known.first { $0.hasPrefix(bad) || bad.hasPrefix($0) }
            ?? known.min { editDistance(bad, $0) < editDistance(bad, $1) }.flatMap { editDistance(bad, $0) <= max(2, bad.count / 3) ? $0 : nil }
        let hint = near.map { " (did you mean '\(where_)\($0)'?)" } ?? ""
        throw CurateError("unknown key '\(where_)\(bad)'\(hint); \(section.isEmpty ? "sections" : section) takes: \(known.joined(separator: ", "))")
    }
}

/// Levenshtein distance, for "did you mean".
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var diagonal = row[0]
        row[0] = i
        for j in 1...b.count {
            let above = row[j]
            row[j] = min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
            diagonal = above
        }
    }
    return row[b.count]
}
