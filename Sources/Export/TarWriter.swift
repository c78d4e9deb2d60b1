import Foundation

/// A POSIX ustar archive built in memory, deterministically: every member has mode 0644, owner
/// 0:0, mtime 0 and no user names, so the same members in the same order give the same bytes.
/// (WebDataset shards are plain tars; nothing here needs more than regular files.)
struct TarWriter {
    private(set) var bytes: [UInt8] = []

    enum Failure: Error, CustomStringConvertible {
        case nameTooLong(String)
        var description: String {
            switch self { case .nameTooLong(let n): "tar member name over 100 bytes: \(n)" }
        }
    }

    mutating func add(_ name: String, _ data: [UInt8]) throws {
        let nameBytes = Array(name.utf8)
        guard nameBytes.count <= 100 else { throw Failure.nameTooLong(name) }
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ field: [UInt8], at offset: Int) { header.replaceSubrange(offset..<(offset + field.count), with: field) }
        // Numeric fields are NUL-terminated octal, zero-padded to their width.
        func octal(_ value: Int, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: width - 1 - digits.count) + digits).utf8) + [0]
        }
        put(nameBytes, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(data.count, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        put(Array("        ".utf8), at: 148)    // the checksum counts its own field as spaces
        header[156] = UInt8(ascii: "0")          // a regular file
        put(Array("ustar".utf8) + [0] + Array("00".utf8), at: 257)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7) + [UInt8(ascii: " ")], at: 148)
        bytes += header
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    /// The archive with its end marker (two zero blocks).
    var archive: [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }
}
