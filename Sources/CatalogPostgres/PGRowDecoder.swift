import Foundation
import PostgresNIO

/// Decodes a `Decodable` row (CatalogRows) from a result row by column name, so both backends
/// share one definition of each row. A column holding JSON text (landmarks, probabilities)
/// decodes as the array or dictionary its property declares.
struct PGRowDecoder: Decoder {
    let row: PostgresRandomAccessRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a row is read by column name"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "a row is read by column name"))
    }

    struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: PostgresRandomAccessRow
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { row.compactMap { Key(stringValue: $0.columnName) } }

        func contains(_ key: Key) -> Bool { row.contains(key.stringValue) }

        func cell(_ key: Key) throws -> PostgresCell {
            guard row.contains(key.stringValue) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [key], debugDescription: "no column \(key.stringValue)"))
            }
            return row[key.stringValue]
        }

        func decodeNil(forKey key: Key) throws -> Bool { try cell(key).bytes == nil }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let cell = try cell(key)
            if let direct = T.self as? any PGDecodable.Type, let value = try direct.decode(cell) as? T {
                return value
            }
            guard cell.bytes != nil else {
                throw DecodingError.valueNotFound(T.self, .init(codingPath: [key], debugDescription: "column \(key.stringValue) is NULL"))
            }
            let text = try String.decode(cell)
            if text.hasPrefix("[") || text.hasPrefix("{") {
                return try JSONDecoder().decode(T.self, from: Data(text.utf8))
            }
            return try T(from: CellDecoder(text: text, codingPath: [key]))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "columns do not nest"))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "columns do not nest"))
        }
        func superDecoder() throws -> any Decoder { PGRowDecoder(row: row) }
        func superDecoder(forKey key: Key) throws -> any Decoder { PGRowDecoder(row: row) }
    }

    /// One text column as a single value: a typed code (`URLState`, `SplitName`, …) decodes
    /// from it through its raw value.
    struct CellDecoder: Decoder, SingleValueDecodingContainer {
        let text: String
        var codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "a text column"))
        }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a text column"))
        }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        func decodeNil() -> Bool { false }
        func decode(_ type: String.Type) throws -> String { text }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            if T.self == String.self, let text = text as? T { return text }
            throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "a text column holds \(text)"))
        }
        private func parse<T: LosslessStringConvertible>(_ type: T.Type) throws -> T {
            guard let v = T(text) else {
                throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "a text column holds \(text)"))
            }
            return v
        }
        func decode(_ type: Bool.Type) throws -> Bool { try parse(type) }
        func decode(_ type: Double.Type) throws -> Double { try parse(type) }
        func decode(_ type: Float.Type) throws -> Float { try parse(type) }
        func decode(_ type: Int.Type) throws -> Int { try parse(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try parse(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try parse(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try parse(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try parse(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try parse(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try parse(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try parse(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try parse(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try parse(type) }
    }
}
