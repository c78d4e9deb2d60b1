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
/// answer. Callers never run on that group, so the wait cannot deadlock. A process holds one
/// connection; its threads take turns (the stages commit between batches, so the catalog is not
/// their bottleneck), and the processes on many machines share the database.
final class PostgresSession: @unchecked Sendable {
    private let connection: PostgresConnection
    private let lock = NIOLock()
    private let logger: Logger
    let description: String

    init(configuration: PostgresConnection.Configuration, description: String) throws {
        var logger = Logger(label: "curate.postgres")
        logger.logLevel = .critical
        self.logger = logger
        self.description = description
        do {
            connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch {
            throw CurateError("cannot connect to catalog \(description): \(PostgresSession.explain(error))")
        }
    }

    deinit { try? connection.close().wait() }

    /// Statements in one read-write transaction, retried from the start (a few times) when the
    /// server aborts it for a deadlock or a serialization failure, which concurrent workers can cause.
    func write<T>(_ body: (PGTransaction) throws -> T) throws -> T {
        try transaction("BEGIN", body)
    }

    /// Statements reading one consistent snapshot (a global step sees the catalog as of one moment).
    func read<T>(_ body: (PGTransaction) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// A statement outside any transaction (advisory session locks, migrations' own BEGIN).
    func run(_ sql: String) throws {
        try lock.withLock { _ = try query(sql, []) }
    }

    private func transaction<T>(_ begin: String, _ body: (PGTransaction) throws -> T) throws -> T {
        try lock.withLock {
            var attempt = 0
            while true {
                attempt += 1
                _ = try query(begin, [])
                do {
                    let result = try body(PGTransaction(session: self))
                    _ = try query("COMMIT", [])
                    return result
                } catch {
                    _ = try? query("ROLLBACK", [])
                    if attempt < 5, let state = PostgresSession.sqlState(error), state == "40P01" || state == "40001" {
                        continue
                    }
                    throw error
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
        let text = Self.numberPlaceholders(sql)
        do {
            return try connection.query(PostgresQuery(unsafeSQL: text, binds: bindings), logger: logger).wait()
        } catch {
            throw PGError(message: Self.explain(error), sqlState: Self.sqlState(error), sql: text)
        }
    }

    static func numberPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.count + 16)
        var n = 0
        var quoted = false
        for c in sql {
            if c == "'" { quoted.toggle() }
            if c == "?" && !quoted {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
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

/// A statement the server refused, with its SQLSTATE and the statement, for messages.
struct PGError: Error, CustomStringConvertible {
    var message: String
    var sqlState: String?
    var sql: String
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
