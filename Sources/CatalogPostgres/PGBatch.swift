import Foundation

/// Many rows bound as one JSON parameter, read in SQL with `jsonb_to_recordset(?::jsonb) AS
/// x(col type, …)`: a batch of a thousand outcomes is one statement and one round trip instead
/// of a thousand, and NULLs need no special array handling. Bytes travel as base64
/// (`decode(x.col, 'base64')`), times as unix seconds (`to_timestamp(x.col)`).
///
/// The JSON is written directly (a row at a time into one string): JSONSerialization's boxing
/// cost more CPU than the whole catalog write it serves. Every row also carries `n`, its place
/// in the batch, for statements that must keep call order (`lastRows`, ids drawn in order).
struct PGBatch: PGBindable {
    private var json = "["
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ row: [String: PGValue]) {
        if count > 0 { json += "," }
        json += "{\"n\":\(count)"
        count += 1
        for (key, value) in row {
            json += ","
            Self.string(key, into: &json)
            json += ":"
            switch value {
            case .int(let i): json += String(i)
            case .double(let d): json += d.isFinite ? "\(d)" : "null"
            case .text(let s): Self.string(s, into: &json)
            case .bool(let b): json += b ? "true" : "false"
            case .date(let d): json += "\(d.timeIntervalSince1970)"
            case .bytes(let b): Self.string(b.base64EncodedString(), into: &json)
            case .null: json += "null"
            }
        }
        json += "}"
    }

    var pgValue: PGValue { .text(json + "]") }

    /// A batch bound to `?` as a table `alias(n bigint, columns…)` holding only the last row of
    /// each `key`: one statement cannot apply two rows to one row (ON CONFLICT DO UPDATE refuses,
    /// UPDATE … FROM applies one), and SQLite's row-by-row writes leave the last one standing.
    static func lastRows(per key: String, _ columns: String, as alias: String = "x") -> String {
        """
        (SELECT DISTINCT ON (y.\(key)) y.* FROM jsonb_to_recordset(?::jsonb) AS y(n bigint, \(columns))
         ORDER BY y.\(key), y.n DESC) \(alias)
        """
    }

    /// Rows in batches of at most `size`: a whole catalog's faces or clusters in one jsonb value
    /// would pass its size limit (about 256 MB) near a million rows.
    static func chunked(_ rows: [[String: PGValue]], size: Int = 20_000) -> [PGBatch] {
        stride(from: 0, to: rows.count, by: size).map { start in
            var b = PGBatch()
            for r in rows[start..<min(start + size, rows.count)] { b.append(r) }
            return b
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259).
    private static func string(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // PostgreSQL text cannot hold NUL at all (whatever binds it): the replacement character stands in.
            case "\u{0}": out += "\u{FFFD}"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}

/// `row[key] = value` with any bindable value, for building a batch row.
func pg(_ value: (any PGBindable)?) -> PGValue { value?.pgValue ?? .null }
