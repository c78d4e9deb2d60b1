import CSV
import CurateCore
@testable import Export
import Foundation
import Split
import Testing
import TestSupport

/// The CSV exports read back by two other CSV readers, with fields that need quoting.
struct CSVExportTests {
    /// Photos whose URL and stored path need quoting: a comma, a quote, LF and CRLF; then a comma
    /// and a line feed each followed by a combining mark, which Swift compares as one Character
    /// with it, so only a check on Unicode scalars sees that these need quotes.
    static let awkward: [(sha: String, url: String, path: String)] = [
        (String(repeating: "ab", count: 32), "https://example.test/a,b\"c\nd\r\ne.jpg", "images/x,\"y\"\nz.jpg"),
        (String(repeating: "cd", count: 32), "https://example.test/f,\u{301}g\n\u{301}h.jpg", "images/i,\u{301}j.jpg"),
    ]

    /// A random catalog plus the awkward photos, one face each.
    static func catalogWithAwkwardFields() throws -> RandomCatalog {
        var c = try RandomCatalog(seed: 21)
        try c.add(12)
        for a in awkward {
            _ = try c.catalog.addURLs([URLEntry(url: a.url, label: "happy", listFile: "happy.csv", line: 2)])
            try c.catalog.record(c.catalog.urlsToFetch(retryFailed: false).map { p in
                var o = FetchOutcome(urlID: p.id, attempts: 1, elapsedSeconds: 0.01)
                o.sha256 = a.sha
                o.image = ImageRecord(sha256: a.sha, path: a.path, format: .jpeg, width: 100, height: 100, bytes: 1000)
                return o
            })
            try c.catalog.recordFaceScans([c.scan(a.sha, faces: 1)])
        }
        return c
    }

    /// Rows as Python's csv module reads the file (an independent RFC 4180 reader).
    static func pythonRows(_ file: URL) throws -> [[String]] {
        let script = "import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
            + "    json.dump(list(csv.reader(f, strict=True)), sys.stdout)\n"
        let r = try runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file.path])
        try #require(r.status == 0, "\(r.err)")
        return try JSONDecoder().decode([[String]].self, from: Data(r.out.utf8))
    }

    static func csvSwiftRows(_ text: String) throws -> [[String]] {
        let reader = try CSVReader(string: text)
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }

    @Test func faceAndImageCSVsReadBackFieldForFieldWithCommasQuotesAndLineBreaks() throws {
        let c = try Self.catalogWithAwkwardFields()
        defer { c.remove() }
        let faces = try c.catalog.faceExportRows()
        #expect(Self.awkward.allSatisfy { a in faces.contains { $0.url == a.url } })
        let faceText = try FaceTable.csv(faces)
        let file = c.dir.appendingPathComponent("faces.csv")
        try Data(faceText.utf8).write(to: file)
        let expected = [FaceTable.csvHeader()] + faces.map { FaceTable.csvFields($0) }
        #expect(try Self.pythonRows(file) == expected)
        #expect(try Self.csvSwiftRows(faceText) == expected)

        let images = try c.catalog.imageExportRows()
        let imageText = try FaceTable.imageCSV(images)
        let imageFile = c.dir.appendingPathComponent("images.csv")
        try Data(imageText.utf8).write(to: imageFile)
        let read = try Self.pythonRows(imageFile)
        #expect(read.count == images.count + 1 && read.allSatisfy { $0.count == 13 })
        for a in Self.awkward {
            let row = try #require(read.first { $0[0] == a.sha })
            #expect(row[1] == a.path && row[7] == a.url)
        }
        #expect(try Self.csvSwiftRows(imageText) == read)
    }

    @Test func theImagefolderManifestReadsBackAndAnotherExportFindsItsPathsAgain() throws {
        let c = try Self.catalogWithAwkwardFields()
        defer { c.remove() }
        _ = try SplitStage(catalog: c.catalog, labels: SplitStageTests.labels).run(SplitSettings())
        try ImageFolderExportTests.writeCrops(c)
        let out = c.dir.appendingPathComponent("export")
        _ = try ImageFolderExport(workspace: Workspace(c.dir)).write(c.catalog.faceExportRows(), to: out, labels: RandomCatalog.labels, splits: [.train, .val, .test])

        let included = try c.catalog.faceExportRows().filter { $0.split != nil }.sorted { $0.faceID < $1.faceID }
        #expect(Self.awkward.allSatisfy { a in included.contains { $0.url == a.url } })
        let paths = included.map { ImageFolderExport.relativePath($0)! }
        let expected = [["path"] + FaceTable.csvHeader()] + zip(paths, included).map { [$0] + FaceTable.csvFields($1) }
        let manifest = out.appendingPathComponent(ImageFolderExport.manifestName)
        #expect(try Self.pythonRows(manifest) == expected)
        #expect(ImageFolderExport.manifestPaths(manifest) == Set(paths))
    }

    @Test func quotingFollowsRFC4180OnScalarsAndLeavesOtherFieldsBare() throws {
        #expect(try FaceTable.csvText([]) == "")
        #expect(try FaceTable.csvText([["a", ""], ["", "b"]]) == "a,\n,b\n")
        for needs in [",", "\"", "\r", "\n", "x\n\u{301}", "x,\u{301}"] { #expect(FaceTable.mustQuote(needs), "\(needs.debugDescription)") }
        // Unicode line separators, NEL, form feed: not CSV line breaks, so not quoted.
        for bare in ["plain", " spaced ", "caf\u{E9}", "a\u{2028}b", "a\u{85}b", "a\u{0C}b", ""] {
            #expect(!FaceTable.mustQuote(bare), "\(bare.debugDescription)")
        }
    }
}
