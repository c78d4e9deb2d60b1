import Foundation

/// A real PostgreSQL server (Debian 12's postgresql-15) for the tests of one process: started on
/// first use by `PostgresServer.shared()` in a temp folder, on a free loopback port, with trust
/// authentication and durability off (fsync, synchronous_commit, full_page_writes), and stopped
/// (`pg_ctl -m immediate stop`) with its folder removed when the process exits. Each test takes a
/// database of its own from `createDatabase()`.
///
/// PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the `postgres` user through
/// `runuser` (util-linux), in a folder that user owns.
///
///     @Test(.enabled(if: PostgresServer.available, Comment(rawValue: PostgresServer.skipReason)))
///     func something() throws {
///         let url = try PostgresServer.shared().createDatabase()   // postgres://postgres@127.0.0.1:PORT/curate_…
///     }
public final class PostgresServer: Sendable {
    /// The folder with initdb, pg_ctl and postgres: `pg_config --bindir` when it holds them, else the
    /// newest /usr/lib/postgresql/*/bin; nil when neither does.
    public static let binDir: URL? = findBinDir()
    public static var available: Bool { unavailableReason == nil }
    public static let skipReason = "skipped: " + (unavailableReason ?? "PostgreSQL is absent") + " (scripts/setup.sh installs postgresql)"

    /// The loopback port the server listens on (user `postgres`, trust authentication, no password).
    public let port: Int
    /// The server's temp folder: data/ (the cluster), postgres.log, the Unix socket, owner.pid.
    public let dir: URL
    /// The server's self-signed certificate (CN=localhost) when `openssl` could make one: the
    /// server then speaks TLS to clients that ask (curate's default `sslmode=prefer` does).
    public let certificate: URL?

    /// The one server of this process, started on the first call; later calls (from any thread) get
    /// the same server, or the same error when it could not start.
    public static func shared() throws -> PostgresServer {
        lock.lock()
        defer { lock.unlock() }
        if let started { return try started.get() }
        let result: Result<PostgresServer, any Error> = Result { try PostgresServer() }
        started = result
        return try result.get()
    }

    nonisolated(unsafe) private static var started: Result<PostgresServer, any Error>?
    private static let lock = NSLock()

    /// A new, empty database of its own (named curate_<uuid>), as a URL:
    /// `postgres://postgres@127.0.0.1:PORT/<name>`.
    public func createDatabase() throws -> String {
        let name = "curate_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        // template0: nothing ever connects to it, so concurrent creations never find it busy.
        let r = try runProgram(Self.clientTool("createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-T", "template0", name],
                               environment: Self.environment)
        guard r.status == 0 else {
            throw Self.error(3, "createdb \(name) failed (status \(r.status)): \(r.out)\(r.err)")
        }
        return url(name)
    }

    /// The URL of a database on this server.
    public func url(_ database: String) -> String { "postgres://postgres@127.0.0.1:\(port)/\(database)" }

    /// Runs SQL with psql against a database URL (from `createDatabase()`), stopping at the first
    /// error; returns the rows unaligned, one a line, fields separated by `|`.
    @discardableResult
    public func psql(_ url: String, _ sql: String) throws -> String {
        let r = try runProgram(Self.clientTool("psql"), ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                               environment: Self.environment)
        guard r.status == 0 else { throw Self.error(4, "psql failed (status \(r.status)): \(r.err)") }
        return r.out.trimmingCharacters(in: .newlines)
    }

    private init() throws {
        guard let bin = Self.binDir, Self.available else { throw Self.error(1, Self.skipReason) }
        Self.sweepAbandoned()
        let dir = try Self.makeRunDir()
        self.dir = dir
        Self.cleanAtExit(dir)
        let data = dir.appendingPathComponent("data"), log = dir.appendingPathComponent("postgres.log")
        let out = dir.appendingPathComponent("pg_ctl.out")
        do {
            let initdb = try Self.runServerTool(bin.appendingPathComponent("initdb"),
                                                ["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C", "-D", data.path], in: dir)
            guard initdb.status == 0 else {
                throw Self.error(2, "initdb failed (status \(initdb.status)): \((initdb.out + initdb.err).suffix(2000))")
            }
            // TLS with a self-signed certificate, made as the server's user (its key must be its own, 0600).
            let cert = data.appendingPathComponent("server.crt"), key = data.appendingPathComponent("server.key")
            var tls = ""
            if let openssl = ["/usr/bin/openssl", "/bin/openssl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
               try Self.runServerTool(URL(fileURLWithPath: openssl), ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                                                    "-subj", "/CN=localhost", "-keyout", key.path, "-out", cert.path],
                                      in: dir).status == 0,
               try Self.runServerTool(URL(fileURLWithPath: "/bin/chmod"), ["600", key.path], in: dir).status == 0 {
                tls = " -c ssl=on -c ssl_cert_file='\(cert.path)' -c ssl_key_file='\(key.path)'"
                certificate = cert
            } else {
                certificate = nil
            }
            // A free port may be taken between the check and postgres binding it: then try another.
            var failure = ""
            for _ in 0..<5 {
                let port = try Self.freePort()
                let logBefore = (try? Data(contentsOf: log))?.count ?? 0
                let options = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c listen_addresses=127.0.0.1"
                    + " -p \(port) -k '\(dir.path)' -c max_connections=200" + tls
                // Not through Process: the postmaster pg_ctl leaves behind would inherit the descriptor
                // Process watches for its child's exit, and the call would never return.
                let status = Self.spawnAndWait(Self.asServerUser([bin.appendingPathComponent("pg_ctl").path, "-w", "-t", "60", "-D", data.path,
                                                                  "-l", log.path, "-o", options, "start"]), in: dir, output: out)
                if status == 0 {
                    self.port = port
                    return
                }
                Self.stop(data)
                let said = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
                let logText = String(decoding: ((try? Data(contentsOf: log)) ?? Data()).dropFirst(logBefore), as: UTF8.self)
                failure = "pg_ctl start failed (status \(status)): \(said)\nlog \(log.path):\n\(logText.suffix(2000))"
                guard logText.contains("could not bind") || logText.contains("could not create any TCP/IP sockets") else { break }
            }
            throw Self.error(2, failure)
        } catch {
            Self.discard(dir)
            throw error
        }
    }

    // MARK: Finding PostgreSQL

    /// Root cannot run PostgreSQL: initdb and pg_ctl then run as `postgres` through runuser.
    static let asRoot = getuid() == 0
    static let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static let unavailableReason: String? = {
        if binDir == nil {
            return "PostgreSQL is absent: no initdb, pg_ctl and postgres in `pg_config --bindir` or /usr/lib/postgresql/*/bin"
        }
        if asRoot && runuser == nil {
            return "PostgreSQL refuses to run as root, and runuser (util-linux) is absent to run it as the postgres user"
        }
        if asRoot && getpwnam("postgres") == nil {
            return "PostgreSQL refuses to run as root, and there is no postgres user to run it as"
        }
        return nil
    }()

    static func findBinDir() -> URL? {
        let fm = FileManager.default
        func holdsServer(_ dir: String) -> Bool {
            ["initdb", "pg_ctl", "postgres"].allSatisfy { fm.isExecutableFile(atPath: dir + "/" + $0) }
        }
        // Debian's pg_config (postgresql-common) names the newest server's bin; libpq-dev's alone says /usr/bin.
        if let r = try? runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["pg_config", "--bindir"], environment: environment),
           r.status == 0 {
            let dir = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
            if !dir.isEmpty, holdsServer(dir) { return URL(fileURLWithPath: dir) }
        }
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedDescending }
        return versions.map { "/usr/lib/postgresql/\($0)/bin" }.first(where: holdsServer).map { URL(fileURLWithPath: $0) }
    }

    /// psql or createdb: beside the server, else /usr/bin's (Debian's wrapper).
    static func clientTool(_ name: String) -> URL {
        if let bin = binDir, FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent(name).path) {
            return bin.appendingPathComponent(name)
        }
        return URL(fileURLWithPath: "/usr/bin/" + name)
    }

    /// This process's environment without PG* variables (PGHOST, PGPORT, PGDATA…), which would
    /// otherwise steer the tools elsewhere.
    static let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }

    /// initdb or pg_ctl, as `postgres` when this process is root; in `dir`, which that user can enter.
    static func runServerTool(_ tool: URL, _ args: [String], in dir: URL) throws -> (status: Int32, out: String, err: String) {
        let command = asServerUser([tool.path] + args)
        return try runProgram(URL(fileURLWithPath: command[0]), Array(command.dropFirst()), in: dir, environment: environment)
    }

    /// `command` behind `runuser -u postgres --` when this process is root.
    static func asServerUser(_ command: [String]) -> [String] {
        guard asRoot, let runuser else { return command }
        return [runuser, "-u", "postgres", "--"] + command
    }

    // MARK: The server's folder

    static let dirPrefix = "curate-pg-"

    /// A fresh folder for the server, in the temp folder (or /tmp when the server's user cannot
    /// reach that, or its path leaves no room for the Unix socket's, at most 107 bytes).
    static func makeRunDir() throws -> URL {
        let fm = FileManager.default
        for base in [fm.temporaryDirectory, URL(fileURLWithPath: "/tmp")] {
            let dir = base.appendingPathComponent(dirPrefix + UUID().uuidString)
            guard dir.path.utf8.count <= 80 else { continue }
            guard (try? fm.createDirectory(at: dir, withIntermediateDirectories: true)) != nil else { continue }
            // Which process the server belongs to: sweepAbandoned stops it once that process is gone.
            try "\(getpid())\n".write(to: dir.appendingPathComponent("owner.pid"), atomically: false, encoding: .utf8)
            if asRoot {
                guard let runuser, let pw = getpwnam("postgres"), chown(dir.path, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0,
                      let r = try? runProgram(URL(fileURLWithPath: runuser), ["-u", "postgres", "--", "test", "-w", dir.path, "-a", "-x", dir.path],
                                              in: URL(fileURLWithPath: "/"), environment: environment),
                      r.status == 0 else {
                    try? fm.removeItem(at: dir)
                    continue
                }
            }
            return dir
        }
        throw error(1, "no temp folder the server can use (tried \(fm.temporaryDirectory.path) and /tmp)")
    }

    /// A loopback port nothing is bound to at the moment of asking.
    static func freePort() throws -> Int {
        for _ in 0..<1000 {
            let p = Int.random(in: 20000..<30000)
            if portIsFree(p) { return p }
        }
        throw error(1, "no free loopback port")
    }

    // MARK: Stopping

    nonisolated(unsafe) private static var toClean: [URL] = []
    nonisolated(unsafe) private static var exitHandlerSet = false
    private static let exitLock = NSLock()

    /// Stops the server in `dir` and removes the folder when the process exits.
    static func cleanAtExit(_ dir: URL) {
        exitLock.lock()
        defer { exitLock.unlock() }
        toClean.append(dir)
        if !exitHandlerSet {
            exitHandlerSet = true
            atexit { PostgresServer.cleanUp() }
        }
    }

    static func cleanUp() {
        exitLock.lock()
        let dirs = toClean
        toClean = []
        exitLock.unlock()
        for dir in dirs {
            stop(dir.appendingPathComponent("data"))
            try? FileManager.default.removeItem(at: dir)
        }
    }

    /// Stops and removes at once a server folder that failed to start.
    static func discard(_ dir: URL) {
        exitLock.lock()
        toClean.removeAll { $0 == dir }
        exitLock.unlock()
        stop(dir.appendingPathComponent("data"))
        try? FileManager.default.removeItem(at: dir)
    }

    /// `pg_ctl -m immediate stop` when a postmaster of `data` is alive. Not through Process: this
    /// also runs from the atexit handler.
    static func stop(_ data: URL) {
        guard let bin = binDir,
              let pidText = try? String(contentsOf: data.appendingPathComponent("postmaster.pid"), encoding: .utf8),
              let pid = pid_t(pidText.prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)), kill(pid, 0) == 0 else { return }
        spawnAndWait(asServerUser([bin.appendingPathComponent("pg_ctl").path, "-D", data.path, "-m", "immediate", "-s", "-w", "-t", "30", "stop"]),
                     in: URL(fileURLWithPath: "/"), output: nil)
    }

    /// Runs `command` in `dir` (one the postgres user can enter, unlike /root), with standard input
    /// from /dev/null, standard output and error to `output` (or inherited), and no other descriptor
    /// of this process; waits for it and returns its exit status.
    @discardableResult
    static func spawnAndWait(_ command: [String], in dir: URL, output: URL?) -> Int32 {
        #if os(Linux)
        let argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", dir.path] + command
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let output {
            posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // posix_spawn_file_actions_addclosefrom_np (glibc 2.34) is declared for _GNU_SOURCE only, which Swift does not set.
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        if let sym = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(sym, to: AddCloseFrom.self)(&actions, 3)
        }
        var pid = pid_t()
        guard posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        #else
        guard let r = try? runProgram(URL(fileURLWithPath: command[0]), Array(command.dropFirst()), in: dir, environment: environment) else { return -1 }
        if let output { try? (r.out + r.err).write(to: output, atomically: false, encoding: .utf8) }
        return r.status
        #endif
    }

    /// Servers of test processes that died without running their exit handler (killed, crashed):
    /// stopped and their folders removed.
    static func sweepAbandoned() {
        let fm = FileManager.default
        for base in Set([fm.temporaryDirectory.path, "/tmp"]) {
            for name in (try? fm.contentsOfDirectory(atPath: base)) ?? [] where name.hasPrefix(dirPrefix) {
                let dir = URL(fileURLWithPath: base).appendingPathComponent(name)
                guard let text = try? String(contentsOf: dir.appendingPathComponent("owner.pid"), encoding: .utf8),
                      let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                      owner != getpid(), isGone(owner) else { continue }
                stop(dir.appendingPathComponent("data"))
                try? fm.removeItem(at: dir)
            }
        }
    }

    /// Whether no process `pid` runs: none exists, or only its zombie (killed, not yet reaped).
    static func isGone(_ pid: pid_t) -> Bool {
        if kill(pid, 0) == -1 { return errno == ESRCH }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let name = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: name)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    static func error(_ code: Int, _ message: String) -> NSError {
        NSError(domain: "PostgresServer", code: code, userInfo: [NSLocalizedDescriptionKey: message])
    }
}
