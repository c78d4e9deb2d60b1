import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport

/// A worker's connection to a shared catalog outlives a dropped connection (a server restart,
/// a network blip): the next call opens a new one, and a transaction the drop broke is run again.
@Suite(.enabled(if: PostgresServer.available, Comment(rawValue: PostgresServer.skipReason)))
struct PostgresConnectionTests {
    @Test func aCatalogWhoseConnectionTheServerEndedCarriesOnWithANewOne() throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase()
        let cat = try CatalogFactory.open(try CatalogLocation(parsing: url), .initialize)
        _ = try cat.addURLs([URLEntry(url: "http://a/1", label: "happy", listFile: "l", line: 1)])
        // Every other session on the database (this catalog's) is ended by the server.
        let ended = try server.psql(url, """
            SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
            """)
        #expect(ended.contains("1") || ended.contains("2"), "terminated: \(ended)")
        Thread.sleep(forTimeInterval: 0.2)
        let added = try cat.addURLs([URLEntry(url: "http://a/2", label: "sad", listFile: "l", line: 2)])
        #expect(added.newURLs == 1)
        #expect(try cat.status().urls.total == 2)
    }
}
