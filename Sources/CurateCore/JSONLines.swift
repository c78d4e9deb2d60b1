import Foundation

/// JSON Lines: one compact object per line, keys sorted, so output is byte-stable.
public enum JSONLines {
    public static func encode<T: Encodable>(_ rows: [T]) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = ""
        for r in rows {
            out += String(decoding: try enc.encode(r), as: UTF8.self)
            out += "\n"
        }
        return out
    }
}
