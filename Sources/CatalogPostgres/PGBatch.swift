import Foundation

/// Many rows bound as one JSON parameter, read in SQL with `jsonb_to_recordset(?::jsonb) AS
/// x(col type, …)`: a batch of a thousand outcomes is one statement and one round trip instead
/// of a thousand, and NULLs need no special array handling. Bytes travel as base64
/// (`decode(x.col, 'base64')`), times as unix seconds
/// (`to_timestamp(x.col)`).
struct PGBatch: PGBindable {
    private var rows: [[String: Any]] = []

    var isEmpty: Bool { rows.isEmpty }
    var count: Int { rows.count }

    mutating func append(_ row: [String: PGValue]) {
        rows.append(row.mapValues { v -> Any in
            switch v {
            case .int(let i): return NSNumber(value: i)
            case .double(let d): return d.isFinite ? NSNumber(value: d) : NSNull()
            case .text(let s): return s
            case .bool(let b): return NSNumber(value: b)
            case .date(let d): return NSNumber(value: d.timeIntervalSince1970)
            case .bytes(let b): return Data(b).base64EncodedString()
            case .null: return NSNull()
            }
        })
    }

    var pgValue: PGValue {
        let data = (try? JSONSerialization.data(withJSONObject: rows, options: [])) ?? Data("[]".utf8)
        return .text(String(decoding: data, as: UTF8.self))
    }
}

/// `row[key] = value` with any bindable value, for building a batch row.
func pg(_ value: (any PGBindable)?) -> PGValue { value?.pgValue ?? .null }
