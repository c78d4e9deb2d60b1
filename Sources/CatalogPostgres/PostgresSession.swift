import CurateCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO

/// One connection to the catalog's database, used one transaction at a time.
///
/// The catalog protocols are synchronous (see `Catalog`): each call runs on a stage's own thread,
/// sends its statements through postgres-nio on NIO's shared event-loop group and waits for the
/// answer. Callers never run on that group, so the wait cannot deadlock. A process's threads take
/// turns on its connection (the stages commit between batches, so the catalog is not their
/// bottleneck); lease renewals have a connection of their own (`PostgresCatalog.heartbeat`).
///
/// A lost connection (network blip, server restart) is opened again by the next call; a
/// transaction it broke before its COMMIT was sent is run again from the start, since the server
/// rolled it back. A COMMIT whose answer was lost is reported as such, never repeated.
final class PostgresSession: @unchecked Sendable {
    private var connection: PostgresConnection?   // under `lock`
    private let configuration: PostgresConnection.Configuration
    private let lock = NIOLock()
    private let logger: Logger
    let description: String

    init(configuration: PostgresConnection.Configuration, description: String) throws {
        var logger = Logger(label: "curate.postgres")
        logger.logLevel = .critical
        self.logger = logger
        self.configuration = configuration
        self.description = description
        _ = try lock.withLock { try connected() }
    }

    /// Another connection to the same database, for work that must not wait behind this one's.
    func sibling() throws -> PostgresSession { try PostgresSession(configuration: configuration, description: description) }

    deinit { try? connection?.close().wait() }

    /// The open connection, opened (again) if needed. Under `lock`.
    private func connected() throws -> PostgresConnection {
        if let c = connection, !c.isClosed { return c }
        connection = nil
        do {
            let c = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger
            ).wait()
            // A client that dies inside a transaction must not hold its locks (a fetch claim's,
            // a shard row's) until TCP notices hours later: the server ends such a session after
            // five idle minutes and probes a silent peer every few seconds after one.
            _ = try c.query(PostgresQuery(unsafeSQL: """
                SELECT set_config('idle_in_transaction_session_timeout', '300s', false),
                       set_config('tcp_keepalives_idle', '60', false), set_config('tcp_keepalives_interval', '10', false),
                       set_config('tcp_keepalives_count', '6', false)
                """), logger: logger).wait()
            connection = c
            return c
        } catch {
            throw CurateError("cannot connect to catalog \(description): \(PostgresSession.explain(error))")
        }
    }

    /// Statements in one read-write transaction, retried from the start (a few times) when the
    /// server aborts it for a deadlock or a serialization failure, which concurrent workers can
    /// cause, or the connection drops before it commits.
    func write<T>(_ body: (PGTransaction) throws -> T) throws -> T {
        try transaction("BEGIN", body)
    }

    /// Statements reading one consistent snapshot (a global step sees the catalog as of one moment).
    func read<T>(_ body: (PGTransaction) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// A statement outside any transaction (advisory session locks).
    func run(_ sql: String) throws {
        try lock.withLock { _ = try query(sql, []) }
    }

    private func transaction<T>(_ begin: String, _ body: (PGTransaction) throws -> T) throws -> T {
        try lock.withLock {
            var attempt = 0
            while true {
                attempt += 1
                var committing = false
                do {
                    _ = try query(begin, [])
                    let result = try body(PGTransaction(session: self))
                    committing = true
                    _ = try query("COMMIT", [])
                    return result
                } catch {
                    let e = error as? PGError
                    if e?.connectionLost == true {
                        connection = nil
                        if committing {
                            throw CurateError("the connection to catalog \(description) was lost while committing, so whether "
                                + "the last change was recorded is unknown: \(e?.message ?? "\(error)") (running the command again is safe)")
                        }
                    } else {
                        _ = try? query("ROLLBACK", [])
                    }
                    let retry = e?.connectionLost == true || e?.sqlState == "40P01" || e?.sqlState == "40001"
                    guard retry, attempt < 5 else { throw error }
                    // Apart again before the next try: two workers that deadlocked would otherwise
                    // meet again at once. (Up to 0.1, 0.2, 0.4, 0.8 s; longer for a lost connection.)
                    let scale = e?.connectionLost == true ? 1.0 : 0.1
                    Thread.sleep(forTimeInterval: scale * Double(1 << (attempt - 1)) * Double.random(in: 0.5...1))
                }
            }
        }
    }

    /// Runs one statement; `?` placeholders (outside quotes) become `$1`, `$2`, … in order.
    fileprivate func query(_ sql: String, _ arguments: [(any PGBindable)?]) throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: arguments.count)
        for a in arguments {
            switch a?.pgValue ?? .null {
            case .int(let v): try bindings.append(v)
            case .double(let v): try bindings.append(v)
            case .text(let v): try bindings.append(v)
            case .bool(let v): try bindings.append(v)
            case .date(let v): try bindings.append(v)
            case .bytes(let v): try bindings.append(ByteBuffer(bytes: v))
            case .null: bindings.appendNull()
            }
        }
        let (text, placeholders) = Self.numberPlaceholders(sql)
        // A statement written with `$n` has no `?`; one written with `?` must bind exactly one value to each.
        if placeholders > 0 && placeholders != arguments.count {
            throw PGError(message: "\(placeholders) placeholders but \(arguments.count) values", sqlState: nil, sql: text)
        }
        do {
            return try connected().query(PostgresQuery(unsafeSQL: text, binds: bindings), logger: logger).wait()
        } catch let error as CurateError {
            throw PGError(message: error.description, sqlState: nil, sql: text, connectionLost: true)
        } catch {
            throw PGError(message: Self.explain(error), sqlState: Self.sqlState(error), sql: text,
                          connectionLost: Self.isConnectionLoss(error))
        }
    }

    /// `?` outside quoted text, quoted identifiers and `--` comments becomes `$1`, `$2`, … in order.
    static func numberPlaceholders(_ sql: String) -> (String, Int) {
        var out = ""
        out.reserveCapacity(sql.count + 16)
        var n = 0
        var quote: Character? = nil, comment = false, previous: Character = " "
        for c in sql {
            if comment {
                if c == "\n" { comment = false }
            } else if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "-" && previous == "-" {
                comment = true
            } else if c == "?" {
                n += 1
                out += "$\(n)"
                previous = c
                continue
            }
            out.append(c)
            previous = c
        }
        return (out, n)
    }

    static func isConnectionLoss(_ error: any Error) -> Bool {
        guard let e = error as? PSQLError else { return false }
        return [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown].contains(e.code)
    }

    /// The server's own message (postgres-nio's description hides it), or the connection error.
    static func explain(_ error: any Error) -> String {
        if let e = error as? PGError { return e.message }
        guard let e = error as? PSQLError else { return "\(error)" }
        if let message = e.serverInfo?[.message] {
            let detail = e.serverInfo?[.detail].map { " (\($0))" } ?? ""
            return message + detail
        }
        if let underlying = e.underlying { return "\(e.code): \(underlying)" }
        return "\(e.code)"
    }

    static func sqlState(_ error: any Error) -> String? {
        if let e = error as? PGError { return e.sqlState }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}

/// A second connection, opened on first use: lease renewals must not wait behind a long
/// transaction (planning a million items, a lock wait) on the process's main connection, or
/// the leases would run out while the work goes on.
final class SiblingSession: @unchecked Sendable {
    private let lock = NIOLock()
    private var session: PostgresSession?
    private let main: PostgresSession

    init(of main: PostgresSession) { self.main = main }

    func get() throws -> PostgresSession {
        try lock.withLock {
            if let session { return session }
            let s = try main.sibling()
            session = s
            return s
        }
    }
}

/// A statement the server refused, with its SQLSTATE and the statement, for messages.
struct PGError: Error, CustomStringConvertible {
    var message: String
    var sqlState: String?
    var sql: String
    var connectionLost = false
    var description: String { "catalog statement failed: \(message)" + (sqlState.map { " [SQLSTATE \($0)]" } ?? "") }
}

/// Statements inside one transaction, with GRDB-like calls so each backend's SQL reads alike.
final class PGTransaction {
    private let session: PostgresSession
    /// Rows the last `execute` changed.
    private(set) var changesCount = 0

    fileprivate init(session: PostgresSession) { self.session = session }

    @discardableResult
    func execute(_ sql: String, _ arguments: [(any PGBindable)?] = []) throws -> Int {
        let result = try session.query(sql, arguments)
        changesCount = result.metadata.rows ?? 0
        return changesCount
    }

    func fetchAll(_ sql: String, _ arguments: [(any PGBindable)?] = []) throws -> [PGRow] {
        try session.query(sql, arguments).rows.map { PGRow($0.makeRandomAccess()) }
    }

    func fetchOne(_ sql: String, _ arguments: [(any PGBindable)?] = []) throws -> PGRow? {
        try session.query(sql, arguments).rows.first.map { PGRow($0.makeRandomAccess()) }
    }

    /// The first column of the first row (nil when there is no row or it is NULL).
    func fetchValue<T: PGDecodable>(_ type: T.Type = T.self, _ sql: String, _ arguments: [(any PGBindable)?] = []) throws -> T? {
        guard let row = try session.query(sql, arguments).rows.first else { return nil }
        return try Optional<T>.decode(row.makeRandomAccess()[0])
    }

    /// The first column of every row.
    func fetchValues<T: PGDecodable>(_ type: T.Type = T.self, _ sql: String, _ arguments: [(any PGBindable)?] = []) throws -> [T] {
        try session.query(sql, arguments).rows.map { try T.decode($0.makeRandomAccess()[0]) }
    }

    /// Every row decoded by column name (the same `Decodable` rows the SQLite backend fetches).
    func decodeAll<T: Decodable>(_ type: T.Type, _ sql: String, _ arguments: [(any PGBindable)?] = []) throws -> [T] {
        try fetchAll(sql, arguments).map { try $0.decode(T.self) }
    }
}
