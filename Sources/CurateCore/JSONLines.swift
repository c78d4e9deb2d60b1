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

extension JSONEncoder {
    /// Sorted keys: stored and printed JSON stays byte-stable.
    public static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }

    /// What commands print: sorted keys, and URLs and paths without escaped slashes.
    public static var printed: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
