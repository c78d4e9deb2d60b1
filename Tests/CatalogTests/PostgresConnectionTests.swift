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

    /// Whether the server sees this catalog's own session (not psql's) encrypted.
    func encrypted(_ server: PostgresServer, _ url: String) throws -> String {
        try server.psql(url.components(separatedBy: "?")[0].replacingOccurrences(of: "localhost", with: "127.0.0.1"), """
            SELECT string_agg(DISTINCT s.ssl::text, ',') FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
            WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
            """)
    }

    @Test func tlsModesEncryptVerifyAndRefuseAsLibpqsDo() throws {
        let server = try PostgresServer.shared()
        let cert = try #require(server.certificate, "the test server has no TLS (openssl is absent)")
        let url = try server.createDatabase()
        _ = try CatalogFactory.open(try CatalogLocation(parsing: url), .initialize)
        // The default (prefer) and require: encrypted, the self-signed certificate not checked.
        for mode in ["", "?sslmode=require"] {
            let cat = try CatalogFactory.open(try CatalogLocation(parsing: url + mode), .existing)
            #expect(try cat.status().urls.total == 0)
            #expect(try encrypted(server, url) == "true", "sslmode \(mode)")
        }
        do {
            let cat = try CatalogFactory.open(try CatalogLocation(parsing: url + "?sslmode=disable"), .existing)
            #expect(try cat.status().urls.total == 0)
            #expect(try encrypted(server, url) == "false")
        }
        // verify-full: a certificate no trusted root signed is refused; trusting it, the name must match.
        let byName = url.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        #expect { _ = try CatalogFactory.open(try CatalogLocation(parsing: byName + "?sslmode=verify-full"), .existing) } throws: {
            "\($0)".contains("cannot connect to catalog")
        }
        let trusted = "?sslmode=verify-full&sslrootcert=\(cert.path)"
        #expect(try CatalogFactory.open(try CatalogLocation(parsing: byName + trusted), .existing).status().urls.total == 0)
        #expect { _ = try CatalogFactory.open(try CatalogLocation(parsing: url + trusted), .existing) } throws: {
            "\($0)".contains("cannot connect to catalog")   // 127.0.0.1 is not the certificate's name (localhost)
        }
    }
}
