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
/// - CSV with a header that has a `url` column and optionally `label` (read by CSV.swift, so a
///   quoted field may hold commas, doubled quotes and line breaks; see `URLListCSV.swift`).
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

    public func parse(bytes: [UInt8], name: String) -> ParsedList {
        var reader = ListReader(parser: self, name: name)
        reader.read(ListLine.lines(bytes))
        return reader.out
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

/// One line of a list as read from its bytes.
struct ListLine {
    /// The line; for one that is not UTF-8, decoded with U+FFFD for the bad bytes, so a CSV
    /// record spanning it keeps its commas and quotes.
    var text: String
    /// Why the line is not UTF-8 ("byte 0xE9 at column 24 is not UTF-8 …"), or nil.
    var notUTF8: String?

    /// Lines are decoded one at a time: a line that is not UTF-8 (a Latin-1 export, a stray byte)
    /// is reported with the offending bytes and skipped, and the rest of the list is read.
    /// Lines end at LF, CRLF or a lone CR (classic Mac exports), the line breaks CSV.swift ends
    /// records at, so a CSV record's line numbers can be counted from the line feeds it holds.
    static func lines(_ bytes: [UInt8]) -> [ListLine] {
        var lines: [ListLine] = []
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex { $0 == 0x0A || $0 == 0x0D } ?? bytes.count
            let line = bytes[start..<end]
            if let text = String(validating: line, as: UTF8.self) {
                lines.append(ListLine(text: text))
            } else {
                lines.append(ListLine(text: String(decoding: line, as: UTF8.self), notUTF8: describeInvalidUTF8(Array(line))))
            }
            let crlf = end + 1 < bytes.count && bytes[end] == 0x0D && bytes[end + 1] == 0x0A
            start = end + (crlf ? 2 : 1)
        }
        return lines
    }

    /// "byte 0xE9 at column 24 is not UTF-8 (is the list saved as UTF-8?)" for the first invalid
    /// sequence of a line.
    static func describeInvalidUTF8(_ line: [UInt8]) -> String {
        var i = 0
        while i < line.count {
            let b = line[i]
            let n = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            if n > 0, i + n <= line.count, String(validating: line[i..<(i + n)], as: UTF8.self) != nil { i += n; continue }
            return String(format: "byte 0x%02X at column %d is not UTF-8 (is the list saved as UTF-8?)", b, i + 1)
        }
        return "line is not UTF-8"
    }

    var isBlankOrComment: Bool {
        let t = text.trimmingCharacters(in: .whitespaces)
        return t.isEmpty || t.hasPrefix("#")
    }
}

/// One list being read: its entries and problems so far.
struct ListReader {
    let parser: URLListParser
    let name: String
    /// The label the file name gives (`happy.txt`), if it names one.
    let stemLabel: String?
    var out = ParsedList()

    init(parser: URLListParser, name: String) {
        self.parser = parser
        self.name = name
        stemLabel = parser.labels.canonical(URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent)
    }

    mutating func report(_ line: Int, _ message: String) {
        out.problems.append(ListProblem(file: name, line: line, message: message))
    }

    /// The first line that is not blank, a comment or undecodable says whether the list is CSV.
    mutating func read(_ lines: [ListLine]) {
        var first = 0
        while first < lines.count {
            if let why = lines[first].notUTF8 { report(first + 1, why + "; line skipped") }
            else if !lines[first].isBlankOrComment { break }
            first += 1
        }
        guard first < lines.count else { return }
        if let header = CSVHeader(lines[first].text) {
            readCSV(lines, header: header, after: first)
        } else if name.lowercased().hasSuffix(".csv") {
            report(first + 1, "CSV header must have a 'url' column")
        } else {
            for i in first..<lines.count { readPlainOrTabbed(lines[i], number: i + 1) }
        }
    }

    mutating func readPlainOrTabbed(_ line: ListLine, number n: Int) {
        if let why = line.notUTF8 { report(n, why + "; line skipped"); return }
        if line.isBlankOrComment { return }
        let text = line.text.trimmingCharacters(in: .whitespaces)
        guard text.contains("\t") else { add(url: text, label: nil, line: n); return }
        let parts = text.split(separator: "\t", omittingEmptySubsequences: false)
        guard parts.count == 2 else { report(n, "expected 'label<TAB>url', found \(parts.count) fields"); return }
        add(url: String(parts[1]), label: parts[0].trimmingCharacters(in: .whitespaces), line: n)
    }

    /// Checks one URL and its label (nil: `--label`'s or the file name's) and keeps it or reports why not.
    mutating func add(url raw: String, label: String?, line n: Int) {
        let url = URLListParser.percentEncodingNonASCII(raw.trimmingCharacters(in: .whitespaces))
        if let reason = URLListParser.invalidURLReason(url) { report(n, reason); return }
        let resolved: String
        if let label {
            guard let c = parser.labels.canonical(label) else {
                report(n, "unknown label '\(label)'; allowed: \(parser.labels.names.joined(separator: ", "))"); return
            }
            resolved = c
        } else if let d = parser.defaultLabel ?? stemLabel {
            resolved = d
        } else {
            report(n, "no label: pass --label, name the file after a label (e.g. happy.txt), or write 'label<TAB>url'")
            return
        }
        out.entries.append(URLEntry(url: url, label: resolved, listFile: name, line: n))
    }
}
