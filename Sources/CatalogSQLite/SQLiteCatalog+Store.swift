import CatalogRows
import CurateCore
import GRDB

extension SQLiteCatalog {
    public func recordedStore() throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM catalog_settings WHERE key = 'store'") }
    }

    public func recordStore(_ url: String) throws -> String {
        try pool.write { db in
            // First writer wins: two processes recording at once end with one store, and both see it.
            try db.execute(sql: "INSERT INTO catalog_settings (key, value) VALUES ('store', ?) ON CONFLICT (key) DO NOTHING",
                           arguments: [url])
            return try String.fetchOne(db, sql: "SELECT value FROM catalog_settings WHERE key = 'store'") ?? url
        }
    }
}
