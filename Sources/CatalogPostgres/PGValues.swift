import CatalogRows
import CurateCore
import Foundation
import NIOCore
import PostgresNIO

/// A value bound to a statement: the few column types the catalog uses.
enum PGValue: Sendable {
    case int(Int64), double(Double), text(String), bool(Bool), date(Date), bytes(Data), null
}

/// What can be bound to a `?` (typed values bind as their codes, as SQLite stores them).
protocol PGBindable { var pgValue: PGValue { get } }

extension Int: PGBindable { var pgValue: PGValue { .int(Int64(self)) } }
extension Int64: PGBindable { var pgValue: PGValue { .int(self) } }
extension Int32: PGBindable { var pgValue: PGValue { .int(Int64(self)) } }
extension Double: PGBindable { var pgValue: PGValue { .double(self) } }
extension Float: PGBindable { var pgValue: PGValue { .double(Double(self)) } }
extension String: PGBindable { var pgValue: PGValue { .text(self) } }
extension Bool: PGBindable { var pgValue: PGValue { .bool(self) } }
extension Date: PGBindable { var pgValue: PGValue { .date(self) } }
extension Data: PGBindable { var pgValue: PGValue { .bytes(self) } }
extension Optional: PGBindable where Wrapped: PGBindable { var pgValue: PGValue { self?.pgValue ?? .null } }

extension PGBindable where Self: RawRepresentable, RawValue == String {
    var pgValue: PGValue { .text(rawValue) }
}
extension URLState: PGBindable {}
extension FetchFailure: PGBindable {}
extension SplitName: PGBindable {}
extension Exclusion: PGBindable {}
extension ImageFormat: PGBindable {}
extension CropMethod: PGBindable {}

/// What a column decodes to. Lenient across widths (an `Int` reads int2/int4/int8 and numeric,
/// which `SUM` of a bigint returns), strict across kinds (text never reads as a number).
protocol PGDecodable { static func decode(_ cell: PostgresCell) throws -> Self }

struct PGDecodeError: Error, CustomStringConvertible {
    var column: String, want: String, got: PostgresDataType
    var description: String { "catalog column \(column): cannot read \(got) as \(want)" }
}

extension Int64: PGDecodable {
    static func decode(_ cell: PostgresCell) throws -> Int64 {
        switch cell.dataType {
        case .int8: return try cell.decode(Int64.self)
        case .int4: return Int64(try cell.decode(Int32.self))
        case .int2: return Int64(try cell.decode(Int16.self))
        case .bool: return try cell.decode(Bool.self) ? 1 : 0
        case .numeric: return Int64(truncating: NSDecimalNumber(decimal: try cell.decode(Decimal.self)))
        case .float8, .float4: return Int64(try Double.decode(cell))
        default: throw PGDecodeError(column: cell.columnName, want: "an integer", got: cell.dataType)
        }
    }
}

extension Int: PGDecodable {
    static func decode(_ cell: PostgresCell) throws -> Int { Int(try Int64.decode(cell)) }
}

extension Int32: PGDecodable {
    static func decode(_ cell: PostgresCell) throws -> Int32 {
        let v = try Int64.decode(cell)
        guard let narrow = Int32(exactly: v) else { throw PGDecodeError(column: cell.columnName, want: "a 32-bit integer", got: cell.dataType) }
        return narrow
    }
}

extension Double: PGDecodable {
    static func decode(_ cell: PostgresCell) throws -> Double {
        switch cell.dataType {
        case .float8: return try cell.decode(Double.self)
        case .float4: return Double(try cell.decode(Float.self))
        case .numeric: return NSDecimalNumber(decimal: try cell.decode(Decimal.self)).doubleValue
        case .int8, .int4, .int2: return Double(try Int64.decode(cell))
        default: throw PGDecodeError(column: cell.columnName, want: "a number", got: cell.dataType)
        }
    }
}

extension Float: PGDecodable {
    static func decode(_ cell: PostgresCell) throws -> Float { Float(try Double.decode(cell)) }
}

extension Bool: PGDecodable {
    static func decode(_ cell: PostgresCell) throws -> Bool {
        cell.dataType == .bool ? try cell.decode(Bool.self) : try Int64.decode(cell) != 0
    }
}

extension String: PGDecodable {
    static func decode(_ cell: PostgresCell) throws -> String { try cell.decode(String.self) }
}

extension Date: PGDecodable {
    static func decode(_ cell: PostgresCell) throws -> Date { try cell.decode(Date.self) }
}

extension Data: PGDecodable {
    static func decode(_ cell: PostgresCell) throws -> Data {
        guard let bytes = cell.bytes else { throw PGDecodeError(column: cell.columnName, want: "bytes", got: .null) }
        return Data(bytes.readableBytesView)
    }
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    static func decode(_ cell: PostgresCell) throws -> Wrapped? {
        cell.bytes == nil ? nil : try Wrapped.decode(cell)
    }
}

/// One result row, read by column name.
struct PGRow {
    let row: PostgresRandomAccessRow
    init(_ row: PostgresRandomAccessRow) { self.row = row }

    subscript<T: PGDecodable>(_ column: String) -> T {
        get throws {
            guard row.contains(column) else { throw CurateError("catalog query has no column \(column)") }
            return try T.decode(row[column])
        }
    }

    /// The whole row as a `Decodable` (by column name; a text column holding JSON decodes as
    /// its array or dictionary, as GRDB decodes the SQLite backend's).
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: PGRowDecoder(row: row)) }
}
