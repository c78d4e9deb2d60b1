import CurateCore
import Foundation

/// A line of a URL list that could not be used; reported, then skipped.
public struct ListProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(message)" }
}

public struct ParsedList: Sendable {
    public var entries: [URLEntry] = []
    public var problems: [ListProblem] = []
}

/// Reads URL lists in three shapes:
/// - plain: one URL per line, labelled by `--label` or by the file name (`urls/happy.txt`);
/// - `label<TAB>url` lines;
/// - CSV with a header that has a `url` column and optionally `label`.
/// `#` comments and blank lines are skipped.
public struct URLListParser: Sendable {
    public let labels: LabelSet
    /// Label for lines that carry none; already normalised.
    public let defaultLabel: String?

    public init(labels: LabelSet, defaultLabel: String?) throws {
        self.labels = labels
        self.defaultLabel = try defaultLabel.map { try labels.normalize($0) }
    }

    public func parse(file: URL) throws -> ParsedList {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw CurateError("cannot read URL list \(file.path): \(error.localizedDescription)")
        }
        return parse(bytes: [UInt8](data), name: file.path)
    }

    public func parse(text: String, name: String) -> ParsedList {
        parse(bytes: Array(text.utf8), name: name)
    }

    /// Lines are decoded one at a time: a line that is not UTF-8 (a Latin-1 export, a stray
    /// byte) is reported with the offending bytes and skipped, and the rest of the list is read.
    public func parse(bytes: [UInt8], name: String) -> ParsedList {
        var lines: [String?] = []
        var undecodable: [Int: String] = [:]
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var line = bytes[start..<end]
            if line.last == 0x0D { line = line.dropLast() }
            if let text = String(validating: line, as: UTF8.self) {
                lines.append(text)
            } else {
                undecodable[lines.count] = Self.describeInvalidUTF8(Array(line))
                lines.append(nil)
            }
            start = end + 1
        }
        return parse(lines: lines, undecodable: undecodable, name: name)
    }

    /// "byte 0xE9 at column 24 is not UTF-8" for the first invalid sequence of a line.
    static func describeInvalidUTF8(_ line: [UInt8]) -> String {
        var i = 0
        while i < line.count {
            let b = line[i]
            let n = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            if n > 0, i + n <= line.count, String(validating: line[i..<(i + n)], as: UTF8.self) != nil { i += n; continue }
            return String(format: "byte 0x%02X at column %d is not UTF-8 (is the list saved as UTF-8?); line skipped", b, i + 1)
        }
        return "line is not UTF-8; skipped"
    }

    func parse(lines: [String?], undecodable: [Int: String], name: String) -> ParsedList {
        let stemLabel = labels.canonical(URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent)
        var out = ParsedList()
        var csv: CSVHeader?
        var sawContent = false
        for (i, raw) in lines.enumerated() {
            let n = i + 1
            func problem(_ m: String) { out.problems.append(ListProblem(file: name, line: n, message: m)) }
            guard let raw else { problem(undecodable[i] ?? "line is not UTF-8; skipped"); continue }
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if !sawContent {
                sawContent = true
                if let header = CSVHeader(line) { csv = header; continue }
                if name.lowercased().hasSuffix(".csv") {
                    problem("CSV header must have a 'url' column"); return out
                }
            }
            var url: String
            var label: String?
            if let csv {
                let fields = CSV.split(line)
                guard fields.count > csv.url else { problem("row has no 'url' field"); continue }
                url = fields[csv.url]
                if let l = csv.label, l < fields.count, !fields[l].isEmpty { label = fields[l] }
            } else if line.contains("\t") {
                let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard parts.count == 2 else { problem("expected 'label<TAB>url', found \(parts.count) fields"); continue }
                label = parts[0].trimmingCharacters(in: .whitespaces)
                url = parts[1].trimmingCharacters(in: .whitespaces)
            } else {
                url = line
            }
            url = Self.percentEncodingNonASCII(url.trimmingCharacters(in: .whitespaces))
            if let reason = Self.invalidURLReason(url) { problem(reason); continue }
            let resolved: String
            if let label {
                guard let c = labels.canonical(label) else {
                    problem("unknown label '\(label)'; allowed: \(labels.names.joined(separator: ", "))"); continue
                }
                resolved = c
            } else if let d = defaultLabel ?? stemLabel {
                resolved = d
            } else {
                problem("no label: pass --label, name the file after a label (e.g. happy.txt), or write 'label<TAB>url'")
                continue
            }
            out.entries.append(URLEntry(url: url, label: resolved, listFile: name, line: n))
        }
        return out
    }

    /// Non-ASCII characters as browsers send them: their UTF-8 bytes percent-encoded
    /// (`café.jpg` → `caf%C3%A9.jpg`). ASCII is left alone, so a URL that is already encoded stays
    /// the same. Host names are the exception (see `invalidURLReason`).
    static func percentEncodingNonASCII(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { !$0.isASCII }) else { return s }
        let authorityEnd: String.Index = {
            guard let scheme = s.range(of: "://") else { return s.startIndex }
            return s[scheme.upperBound...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? s.endIndex
        }()
        var out = String(s[..<authorityEnd])
        for u in s[authorityEnd...].utf8 {
            out += u < 0x80 ? String(UnicodeScalar(u)) : String(format: "%%%02X", u)
        }
        return out
    }

    /// nil when the URL is one `fetch` can try: http(s) with a host, or file with a path.
    static func invalidURLReason(_ s: String) -> String? {
        guard !s.isEmpty else { return "empty URL" }
        guard !s.contains(where: { $0.isWhitespace }) else { return "URL contains whitespace: '\(s)'" }
        guard s.unicodeScalars.allSatisfy(\.isASCII) else {
            return "non-ASCII host names are not supported yet; write the host in its xn-- (punycode) form: '\(s)'"
        }
        guard let comps = URLComponents(string: s), let scheme = comps.scheme?.lowercased() else {
            return "not a URL: '\(s)'"
        }
        switch scheme {
        case "http", "https":
            guard let host = comps.host, !host.isEmpty else { return "URL has no host: '\(s)'" }
            return nil
        case "file":
            return comps.path.isEmpty ? "file URL has no path: '\(s)'" : nil
        default:
            return "unsupported scheme '\(scheme)' (http, https and file are supported): '\(s)'"
        }
    }
}

/// Column positions from a CSV header line, when the line is one.
struct CSVHeader {
    let url: Int
    let label: Int?
    init?(_ line: String) {
        guard line.contains(",") || line.lowercased() == "url" else { return nil }
        let cols = CSV.split(line).map { $0.lowercased() }
        guard let u = cols.firstIndex(of: "url") else { return nil }
        url = u
        label = cols.firstIndex(of: "label")
    }
}

/// RFC 4180 fields of one line (quoted fields may contain commas and doubled quotes).
enum CSV {
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var cur = ""
        var quoted = false
        var it = line.makeIterator()
        while let c = it.next() {
            if quoted {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" { cur.append("\"") } else { quoted = false; if n == "," { fields.append(cur); cur = "" } else { cur.append(n) } }
                    } else { quoted = false }
                } else { cur.append(c) }
            } else if c == "\"" && cur.isEmpty {
                quoted = true
            } else if c == "," {
                fields.append(cur); cur = ""
            } else {
                cur.append(c)
            }
        }
        fields.append(cur)
        return fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
