import CatalogRows
import CurateCore
import Foundation
import NIOSSL
import PostgresNIO

/// The catalog in PostgreSQL, for many processes on many machines: the same protocols and the
/// same rules as `SQLiteCatalog`, each call one transaction on this process's connection.
public final class PostgresCatalog: Catalog, CatalogInspection {
    let db: PostgresSession
    /// Lease renewals' own connection.
    let heartbeat: SiblingSession

    /// The newest migration this build knows (`curate --version` prints it).
    public static var schemaVersion: String { PostgresMigrations.schemaVersion }

    public enum Mode: Sendable {
        /// `curate init`: creates or migrates the schema (serialised across machines).
        case initialize
        /// Every other command: the schema must be this build's, else a clear refusal.
        case existing
    }

    /// `url`: postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=PATH]
    /// (the password also from $PGPASSWORD); `description` names it in messages, without a password.
    public init(url: URL, description: String, mode: Mode) throws {
        db = try PostgresSession(configuration: try Self.configuration(url, description: description), description: description)
        heartbeat = SiblingSession(of: db)
        switch mode {
        case .initialize: try migrate()
        case .existing: try checkSchema()
        }
    }

    static func configuration(_ url: URL, description: String) throws -> PostgresConnection.Configuration {
        guard let parts = URLComponents(url: url, resolvingAgainstBaseURL: false), let host = parts.host, !host.isEmpty else {
            throw CurateError("--catalog \(description): not a postgres://user@host:port/db URL")
        }
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let env = ProcessInfo.processInfo.environment
        let user = parts.user?.removingPercentEncoding ?? env["PGUSER"] ?? env["USER"] ?? "postgres"
        let password = parts.password?.removingPercentEncoding ?? env["PGPASSWORD"]
        var database = String(parts.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        if database.isEmpty { database = user }
        return .init(host: host, port: parts.port ?? 5432, username: user, password: password, database: database,
                     tls: try tls(mode: query["sslmode"] ?? env["PGSSLMODE"] ?? "prefer",
                                  rootCertificate: query["sslrootcert"] ?? env["PGSSLROOTCERT"], description: description))
    }

    /// libpq's `sslmode`s: `disable`; `allow`/`prefer` (the default: TLS when the server offers
    /// it, unverified); `require` (TLS or nothing, unverified); `verify-ca` (the server's chain
    /// checked against `sslrootcert`, else the system's roots); `verify-full` (and its name).
    static func tls(mode: String, rootCertificate: String?, description: String) throws -> PostgresConnection.Configuration.TLS {
        var config = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case "disable": return .disable
        case "allow", "prefer", "require": config.certificateVerification = .none
        case "verify-ca": config.certificateVerification = .noHostnameVerification
        case "verify-full": config.certificateVerification = .fullVerification
        default:
            throw CurateError("--catalog \(description): unknown sslmode '\(mode)' "
                + "(disable, allow, prefer, require, verify-ca or verify-full)")
        }
        if let rootCertificate { config.trustRoots = .file(rootCertificate) }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: config) }
        catch { throw CurateError("--catalog \(description): cannot set up TLS (\(mode)): \(error)") }
        return mode == "require" || mode.hasPrefix("verify") ? .require(context) : .prefer(context)
    }

    // MARK: Migrations

    /// Any number of `curate init` at once: a session advisory lock makes them take turns, and
    /// each migration commits with its record (DDL is transactional in PostgreSQL).
    private func migrate() throws {
        try db.run("SELECT pg_advisory_lock(\(AdvisoryLock.migrations))")
        defer { try? db.run("SELECT pg_advisory_unlock(\(AdvisoryLock.migrations))") }
        try db.write { tx in
            try tx.execute("CREATE TABLE IF NOT EXISTS curate_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        }
        let applied = Set(try db.read { tx in try tx.fetchValues(String.self, "SELECT id FROM curate_migrations") })
        try refuseNewer(applied)
        for m in PostgresMigrations.all where !applied.contains(m.id) {
            do {
                try db.write { tx in
                    for statement in m.sql.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                        try tx.execute(statement)
                    }
                    try tx.execute("INSERT INTO curate_migrations (id) VALUES (?)", [m.id])
                }
            } catch {
                throw CurateError("cannot migrate catalog \(db.description) to \(m.id): \(PostgresSession.explain(error))")
            }
        }
    }

    private func checkSchema() throws {
        let applied = try db.read { tx -> Set<String>? in
            guard try tx.fetchValue(String.self, "SELECT to_regclass('curate_migrations')::text") != nil else { return nil }
            return Set(try tx.fetchValues(String.self, "SELECT id FROM curate_migrations"))
        }
        guard let applied else {
            throw CurateError("no curate catalog in \(db.description): run `curate init --catalog URL` once first")
        }
        try refuseNewer(applied)
        let missing = PostgresMigrations.all.map(\.id).filter { !applied.contains($0) }
        guard missing.isEmpty else {
            throw CurateError("catalog \(db.description) has an older schema (it lacks \(missing.joined(separator: ", "))): "
                + "run `curate init --catalog URL` with this build to migrate it (stop every worker first)")
        }
    }

    private func refuseNewer(_ applied: Set<String>) throws {
        let unknown = applied.subtracting(PostgresMigrations.all.map(\.id)).sorted()
        guard unknown.isEmpty else {
            throw CurateError("catalog \(db.description) was made by a newer curate (schema \(unknown.joined(separator: ", "))); "
                + "this build knows up to \(Self.schemaVersion): upgrade curate to open it")
        }
    }

    // MARK: Fetch

    public func addURLs(_ entries: [URLEntry]) throws -> AddSummary {
        var summary = AddSummary()
        // Batches of a few thousand: one statement each for the URLs and for their labels. Each
        // batch commits on its own (a list of millions in one transaction would hold its locks for
        // minutes); adding a list again adds nothing twice, so an interrupted add is finished by
        // rerunning it.
        for start in stride(from: 0, to: entries.count, by: 5_000) {
            var batch = PGBatch()
            for e in entries[start..<min(start + 5_000, entries.count)] {
                batch.append(["url": .text(e.url), "label": .text(e.label),
                              "list_file": .text(e.listFile), "line": .int(Int64(e.line))])
            }
            // Counted from what the closure returns: a transaction retried after a deadlock runs it again.
            let (urls, labels) = try db.write { tx -> (Int, Int) in
                // Ids follow list order (the identity is drawn in the order rows are inserted).
                let urls = try tx.execute("""
                    INSERT INTO urls (url)
                    SELECT x.url FROM jsonb_to_recordset(?::jsonb) AS x(n bigint, url text)
                    GROUP BY x.url ORDER BY MIN(x.n)
                    ON CONFLICT (url) DO NOTHING
                    """, [batch])
                let labels = try tx.execute("""
                    INSERT INTO url_labels (url_id, label, list_file, line)
                    SELECT DISTINCT ON (u.id, x.label, x.list_file) u.id, x.label, x.list_file, x.line
                    FROM jsonb_to_recordset(?::jsonb) AS x(n bigint, url text, label text, list_file text, line bigint)
                    JOIN urls u ON u.url = x.url
                    ORDER BY u.id, x.label, x.list_file, x.n
                    ON CONFLICT DO NOTHING
                    """, [batch])
                return (urls, labels)
            }
            summary.newURLs += urls
            summary.newLabels += labels
        }
        return summary
    }

    public func urlsToFetch(retryFailed: Bool, shard: Int64?) throws -> [PendingURL] {
        let states = retryFailed ? "('pending', 'failed')" : "('pending')"
        return try db.read { tx in
            try tx.fetchAll("SELECT id, url FROM urls WHERE state IN \(states)\(Self.inShard("id", shard, integer: true)) ORDER BY id")
                .map { PendingURL(id: try $0["id"], url: try $0["url"]) }
        }
    }

    @discardableResult
    public func record(_ outcomes: [FetchOutcome], lease: ShardLease?) throws -> Int {
        guard !outcomes.isEmpty else { return 0 }
        var images = PGBatch(), urls = PGBatch()
        for o in outcomes {
            if let img = o.image {
                images.append(["sha256": .text(img.sha256), "path": .text(img.path), "format": pg(img.format),
                               "width": pg(img.width), "height": pg(img.height), "bytes": pg(img.bytes),
                               "fetched_at": .date(o.fetchedAt), "orientation": pg(img.orientation), "seq": .int(o.urlID)])
            }
            urls.append(["id": .int(o.urlID), "state": .text(o.image != nil ? "fetched" : "failed"),
                         "final_url": pg(o.finalURL), "http_status": pg(o.httpStatus), "content_type": pg(o.contentType),
                         "bytes": pg(o.bytes), "sha256": pg(o.sha256), "format": pg(o.format), "width": pg(o.width),
                         "height": pg(o.height), "attempts": pg(o.attempts), "elapsed_s": pg(o.elapsedSeconds),
                         "fetched_at": .date(o.fetchedAt), "error": pg(o.error), "error_detail": pg(o.errorDetail)])
        }
        return try db.write { tx in
            try Self.hold(lease, tx)
            var duplicates = 0
            if !images.isEmpty {
                // An image already stored (under another URL, or twice in this batch) is an exact
                // duplicate; another URL of it may come earlier in the lists (retries finish late),
                // so a stored image takes the smaller list position. One statement, rows in sha256
                // order: concurrent workers storing the same photos lock them in the same order.
                let inserted = try tx.fetchAll("""
                    INSERT INTO images AS i (sha256, path, format, width, height, bytes, first_fetched_at, orientation, seq)
                    SELECT DISTINCT ON (x.sha256) x.sha256, x.path, x.format, x.width, x.height, x.bytes,
                           to_timestamp(x.fetched_at), x.orientation, x.seq
                    FROM jsonb_to_recordset(?::jsonb) AS x(sha256 text, path text, format text, width bigint, height bigint,
                         bytes bigint, fetched_at double precision, orientation bigint, seq bigint)
                    ORDER BY x.sha256, x.seq
                    ON CONFLICT (sha256) DO UPDATE SET seq = excluded.seq WHERE i.seq IS NULL OR i.seq > excluded.seq
                    RETURNING (xmax = 0) AS inserted
                    """, [images]).filter { try $0["inserted"] as Bool }.count
                duplicates = images.count - inserted
            }
            try tx.execute("""
                UPDATE urls u SET state = x.state, final_url = x.final_url, http_status = x.http_status,
                    content_type = x.content_type, bytes = x.bytes, sha256 = x.sha256, format = x.format,
                    width = x.width, height = x.height, attempts = u.attempts + x.all_attempts, elapsed_s = x.elapsed_s,
                    fetched_at = to_timestamp(x.fetched_at), error = x.error, error_detail = x.error_detail
                -- A URL twice in one batch: the last outcome stands and the attempts add up, as row by row.
                FROM (SELECT DISTINCT ON (y.id) y.*, SUM(y.attempts) OVER (PARTITION BY y.id) AS all_attempts
                      FROM jsonb_to_recordset(?::jsonb) AS y(n bigint, id bigint, state text, final_url text, http_status bigint,
                           content_type text, bytes bigint, sha256 text, format text, width bigint, height bigint,
                           attempts bigint, elapsed_s double precision, fetched_at double precision, error text, error_detail text)
                      ORDER BY y.id, y.n DESC) x
                WHERE u.id = x.id
                """, [urls])
            return duplicates
        }
    }

    // MARK: Status and provenance

    public func provenance(url: String) throws -> URLProvenance? {
        try db.read { tx in try Self.provenance(tx, where: "WHERE url = ?", arguments: [url]).first }
    }

    public func allProvenance() throws -> [URLProvenance] {
        try db.read { tx in try Self.provenance(tx, where: "", arguments: []) }
    }

    public func failedURLs(reason: FetchFailure?) throws -> [URLProvenance] {
        try db.read { tx in
            try Self.provenance(tx, where: "WHERE state = 'failed'" + (reason == nil ? "" : " AND error = ?"),
                                arguments: reason.map { [$0] } ?? [])
        }
    }

    private static func provenance(_ tx: PGTransaction, where clause: String, arguments: [(any PGBindable)?]) throws -> [URLProvenance] {
        var labels: [Int64: [URLLabel]] = [:]
        let labelSQL = clause.isEmpty
            ? "SELECT url_id, label, list_file FROM url_labels ORDER BY url_id, label, list_file"
            : "SELECT url_id, label, list_file FROM url_labels WHERE url_id IN (SELECT id FROM urls \(clause)) ORDER BY label, list_file"
        for row in try tx.decodeAll(URLLabelRow.self, labelSQL, arguments) {
            labels[row.urlID, default: []].append(URLLabel(label: row.label, listFile: row.listFile))
        }
        return try tx.decodeAll(URLRow.self, "SELECT * FROM urls \(clause) ORDER BY id", arguments).map { r in
            r.provenance(labels: labels[r.id] ?? [])
        }
    }
}

/// Keys of the advisory locks that serialise work across every process on the database.
enum AdvisoryLock {
    /// Above 2^32, so it never meets a stage's (32-bit `hashtext`) key.
    static let migrations: Int64 = 0x6375_7261_7465_0001   // "curate" + 1
}

extension PGTransaction {
    /// Takes the transaction-scoped advisory lock named `name` (per stage: planning shards, fetch
    /// claims, each global step's write-back); it is released at commit or rollback.
    func lockStage(_ name: String) throws {
        try execute("SELECT pg_advisory_xact_lock(hashtext(?))", ["curate:" + name])
    }
}
