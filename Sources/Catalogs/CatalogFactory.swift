import CatalogPostgres
import CatalogSQLite
import CurateCore
import Foundation

/// Every stage protocol plus the test-and-audit reads: what a backend provides.
public typealias CatalogBackend = Catalog & CatalogInspection

/// The one place a catalog is opened: commands and tests name a `CatalogLocation`, and only
/// this file knows which type serves it.
public enum CatalogFactory {
    public enum Mode: Sendable {
        /// Create the catalog (and its folder) if missing, then migrate: commands that start a workspace.
        case create
        /// The catalog must exist already: every other command, so a mistyped location is an error.
        case existing
        /// `curate init`: create the catalog, or migrate it to this build's schema. A PostgreSQL
        /// catalog is migrated only so (other commands refuse an older or newer schema), since
        /// it is shared by workers that may run another build.
        case initialize
    }

    /// The newest schemas this build's backends know (`curate --version` prints them).
    public static var schemaVersion: String { "\(SQLiteCatalog.schemaVersion) (SQLite), \(PostgresCatalog.schemaVersion) (PostgreSQL)" }

    /// The newest schema this build knows for `location`'s backend.
    public static func schemaVersion(of location: CatalogLocation) -> String {
        switch location {
        case .sqlite: SQLiteCatalog.schemaVersion
        case .postgres: PostgresCatalog.schemaVersion
        }
    }

    public static func open(_ location: CatalogLocation, _ mode: Mode) throws -> any CatalogBackend {
        switch location {
        case .sqlite(let path):
            let fm = FileManager.default
            switch mode {
            case .existing:
                guard fm.fileExists(atPath: path) else {
                    throw CurateError("""
                        no catalog at \(path): run `curate fetch LIST` first \
                        (or pass --workspace DIR or --catalog URL, or set CURATE_WORKSPACE or CURATE_CATALOG, to use another one)
                        """)
                }
            case .create, .initialize:
                let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
                do { try fm.createDirectory(at: dir, withIntermediateDirectories: true) }
                catch { throw CurateError("cannot create \(dir.path) for the catalog: \(error.localizedDescription)") }
            }
            return try SQLiteCatalog(path: path)
        case .postgres(let url):
            // Only `curate init` makes or migrates the schema: a shared database is set up once,
            // on purpose, not by whichever worker happens to start first.
            return try PostgresCatalog(url: url, description: location.description, mode: mode == .initialize ? .initialize : .existing)
        }
    }
}

extension Workspace {
    /// The workspace's catalog (or `location`'s), which must exist: every command but those that start a workspace.
    public func openExistingCatalog(at location: CatalogLocation? = nil) throws -> any CatalogBackend {
        if location == nil || location == .sqlite(path: catalogURL.path),
           !FileManager.default.fileExists(atPath: catalogURL.path) {
            throw CurateError("""
                no catalog in workspace \(root.path): run `curate fetch LIST` there first \
                (or pass --workspace DIR, or set CURATE_WORKSPACE, to use another one)
                """)
        }
        return try CatalogFactory.open(location ?? .sqlite(path: catalogURL.path), .existing)
    }

    /// Creates the workspace folder, then opens (creating and migrating if needed) its catalog (or `location`'s).
    public func openCatalog(at location: CatalogLocation? = nil, mode: CatalogFactory.Mode = .create) throws -> any CatalogBackend {
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) }
        catch { throw CurateError("cannot create workspace \(root.path): \(error.localizedDescription)") }
        return try CatalogFactory.open(location ?? .sqlite(path: catalogURL.path), mode)
    }
}
