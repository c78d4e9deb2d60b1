import Catalogs
import CurateCore
import Foundation
import GRDB
import Testing
@testable import CatalogSQLite

/// The SQLite backend's own migrations: catalogs made by earlier releases open in place.
struct SQLiteMigrationTests {
    @Test func aCatalogFromBeforeV10GetsItsImagesListOrderInPlace() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curate-v9-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("catalog.sqlite").path
        // A v9 catalog whose images were stored in the opposite order of their URLs.
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteCatalog.migrator.migrate(queue, upTo: "v9: label conflicts in the review queue")
            try queue.write { db in
                for (id, sha) in [(1, "late"), (2, "early"), (3, "late")] {
                    try db.execute(sql: "INSERT INTO urls (id, url, state, sha256, attempts) VALUES (?, ?, 'fetched', ?, 1)",
                                   arguments: [id, "http://a/\(id)", sha])
                }
                for sha in ["early", "late"] {   // rowid order: early first
                    try db.execute(sql: """
                        INSERT INTO images (sha256, path, format, width, height, bytes, first_fetched_at)
                        VALUES (?, ?, 'jpeg', 1, 1, 1, ?)
                        """, arguments: [sha, "images/\(sha).jpg", Date()])
                }
            }
        }
        let cat = try CatalogFactory.open(.sqlite(path: path), .existing)   // migrates to the newest schema in place
        #expect(try cat.imagesToScan().map(\.sha256) == ["late", "early"], "URL 1 reached 'late' first")
        #expect(try cat.imageExportRows().map(\.sha256) == ["late", "early"])
    }

    @Test func aCatalogFromANewerCurateIsRefusedAndLeftAsItIs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curate-newer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = Workspace(dir)
        _ = try ws.openCatalog().addURLs([URLEntry(url: "http://a/1", label: "happy", listFile: "l", line: 1)])
        let queue = try DatabaseQueue(path: ws.catalogURL.path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        try queue.close()
        #expect {
            _ = try ws.openExistingCatalog()
        } throws: { error in
            "\(error)".contains("newer curate") && "\(error)".contains("v99")
        }
        let urls = try DatabaseQueue(path: ws.catalogURL.path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM urls") }
        #expect(urls == 1)
    }
}
