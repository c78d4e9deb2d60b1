import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport

/// `curate init` makes and migrates a PostgreSQL catalog; every other command refuses a database
/// without this build's schema (a shared catalog is never migrated by whichever worker starts first).
@Suite(.enabled(if: PostgresServer.available, Comment(rawValue: PostgresServer.skipReason)))
struct PostgresMigrationTests {
    func location(_ url: String) throws -> CatalogLocation { try CatalogLocation(parsing: url) }

    @Test func anEmptyDatabaseIsRefusedUntilInitMakesTheSchema() throws {
        let url = try PostgresServer.shared().createDatabase()
        #expect { _ = try CatalogFactory.open(try location(url), .existing) } throws: { "\($0)".contains("run `curate init") }
        _ = try CatalogFactory.open(try location(url), .initialize)
        let cat = try CatalogFactory.open(try location(url), .existing)
        #expect(try cat.status().urls.total == 0)
    }

    @Test func anOlderSchemaIsRefusedAndInitMigratesIt() throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase()
        // A catalog from before any migration this build knows: the record table, nothing applied.
        try server.psql(url, "CREATE TABLE curate_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        #expect { _ = try CatalogFactory.open(try location(url), .existing) } throws: { error in
            "\(error)".contains("older schema") && "\(error)".contains("curate init")
        }
        _ = try CatalogFactory.open(try location(url), .initialize)
        #expect(try CatalogFactory.open(try location(url), .existing).status().urls.total == 0)
    }

    @Test func aNewerSchemaIsRefusedByEveryModeAndLeftUntouched() throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase()
        _ = try CatalogFactory.open(try location(url), .initialize)
        try server.psql(url, "INSERT INTO curate_migrations (id) VALUES ('pg999: from the future')")
        for mode in [CatalogFactory.Mode.existing, .initialize] {
            #expect { _ = try CatalogFactory.open(try location(url), mode) } throws: { error in
                "\(error)".contains("newer curate") && "\(error)".contains("pg999")
            }
        }
        #expect(try server.psql(url, "SELECT COUNT(*) FROM curate_migrations").contains("2"))
    }

    @Test func manyInitsAtOnceMakeOneSchema() throws {
        let url = try PostgresServer.shared().createDatabase()
        let errors = LockedErrors()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do { _ = try CatalogFactory.open(try location(url), .initialize) } catch { errors.append("\(error)") }
        }
        #expect(errors.all.isEmpty)
        #expect(try CatalogFactory.open(try location(url), .existing).status().urls.total == 0)
    }
}

final class LockedErrors: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ e: String) { lock.lock(); items.append(e); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
