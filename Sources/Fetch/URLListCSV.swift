import CSV
import Foundation

/// Column positions from a CSV header line, when the line is one.
struct CSVHeader {
    let url: Int
    let label: Int?

    init?(_ line: String) {
        let line = line.trimmingCharacters(in: .whitespaces)
        guard line.contains(",") || line.lowercased() == "url" else { return nil }
        guard let reader = try? CSVReader(string: line, trimFields: true), let fields = reader.next() else { return nil }
        let cols = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let u = cols.firstIndex(of: "url") else { return nil }
        url = u
        label = cols.firstIndex(of: "label")
    }
}

extension ListReader {
    /// Appended after the records so CSV.swift, which reads an unclosed quote to the end of the
    /// text without a word, shows one: this line is a record of its own only when every quote
    /// before it was closed.
    static let endMark = "\u{FFFF}curate-end-of-list\u{FFFF}"

    /// The records after the header line (index `headerIndex`). CSV.swift reads them from the
    /// lines joined again, so a quoted field may run over lines; with no CR left in that text
    /// (see `ListLine.lines`) every record ends at a line feed, so the line feeds inside its fields
    /// say how many lines it took and entries and problems keep the list's line numbers.
    mutating func readCSV(_ lines: [ListLine], header: CSVHeader, after headerIndex: Int) {
        let first = headerIndex + 1
        guard first < lines.count else { return }
        let text = lines[first...].map(\.text).joined(separator: "\n") + "\n" + Self.endMark
        var records: [[String]] = []
        do {
            // trimFields: spaces around a quoted field (`a, "b,c" ,d`) are not part of it.
            let reader = try CSVReader(string: text, trimFields: true)
            while let record = reader.next() { records.append(record) }
        } catch {
            report(first + 1, "cannot read the CSV records: \(error)")
            return
        }
        let closed = records.last == [Self.endMark]
        if closed { records.removeLast() }

        var start = first   // index of the line the current record begins on
        for (k, fields) in records.enumerated() {
            let feeds = fields.reduce(0) { n, f in n + f.unicodeScalars.count { $0 == "\n" } }
            let end = min(start + feeds, lines.count - 1)
            defer { start = end + 1 }
            let n = start + 1
            let lineRange = end > start ? "lines \(n)–\(end + 1)" : "line \(n)"
            if k == records.count - 1 && !closed {
                report(n, "a quoted field opened on this line is never closed, so \(lineRange) were read as one record; "
                       + "close the quote (a quote inside a field is written \"\"); skipped")
                return
            }
            if let bad = (start...end).first(where: { lines[$0].notUTF8 != nil }) {
                report(bad + 1, lines[bad].notUTF8! + (end > start ? "; the record on \(lineRange) skipped" : "; line skipped"))
                continue
            }
            if lines[start].isBlankOrComment {
                if end > start {
                    report(n, "the comment on this line has an unclosed quote, so \(lineRange) were read as part of it; skipped")
                }
                continue
            }
            readRecord(fields.map { $0.trimmingCharacters(in: .whitespaces) }, header: header, line: n, lineRange: lineRange)
        }
    }

    mutating func readRecord(_ fields: [String], header: CSVHeader, line n: Int, lineRange: String) {
        guard fields.count > header.url else { report(n, "row has no 'url' field"); return }
        let url = fields[header.url]
        let label = header.label.flatMap { $0 < fields.count && !fields[$0].isEmpty ? fields[$0] : nil }
        // Only other columns (a note, a caption) may hold line breaks; in these two one means a
        // quote went astray, which "URL contains whitespace" would not say.
        for (column, value) in [("url", url), ("label", label ?? "")] where value.unicodeScalars.contains("\n") {
            report(n, "the '\(column)' field runs over \(lineRange); is a quote not closed, or a quote inside a field not doubled (\"\")?")
            return
        }
        add(url: url, label: label, line: n)
    }
}
