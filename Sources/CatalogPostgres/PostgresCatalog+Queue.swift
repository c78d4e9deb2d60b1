import CatalogRows
import CurateCore
import Foundation
import PostgresNIO

/// The work queue in PostgreSQL, shared by processes on many machines. A claim takes the oldest
/// claimable shard `FOR UPDATE SKIP LOCKED`, so concurrent claimers pass over each other's rows
/// instead of queueing behind them; planning (and claiming fetch shards, whose per-site rule
/// looks at other shards) takes a transaction-scoped advisory lock for the stage instead.
extension PostgresCatalog {
    /// Unix seconds by the database server's clock: one clock for every machine.
    static let now = "(extract(epoch from clock_timestamp())::float8)"

    /// A stage's items still to do and not in any open or failed shard of its queue (done shards
    /// drop their rows), in the order the stage would do them: the item key and, for fetch, the
    /// URL (its site decides the shard). `$1` is the stage's name, `$2` its parameter.
    static func unplanned(_ stage: WorkStage, retryFailed: Bool) -> String {
        let planned = { (key: String) in """
            NOT EXISTS (SELECT 1 FROM shard_items si JOIN shards s ON s.id = si.shard_id
                        WHERE si.item = \(key) AND s.stage = $1 AND s.parameter = $2)
            """ }
        switch stage {
        case .fetch:
            let states = retryFailed ? "('pending', 'failed')" : "('pending')"
            return "SELECT u.id::text AS item, u.url AS url FROM urls u WHERE u.state IN \(states) AND \(planned("u.id::text")) ORDER BY u.id"
        case .hash:
            return "SELECT i.sha256 AS item, NULL::text AS url FROM images i WHERE i.phash IS NULL AND i.hash_error IS NULL AND \(planned("i.sha256")) ORDER BY \(listOrder("i")), i.sha256"
        case .faces:
            return """
                SELECT i.sha256 AS item, NULL::text AS url FROM images i
                WHERE i.canonical = 1 AND i.sha256 NOT IN (SELECT image_sha256 FROM face_scans) AND \(planned("i.sha256"))
                ORDER BY \(listOrder("i")), i.sha256
                """
        case .score:
            return """
                SELECT f.id::text AS item, NULL::text AS url FROM faces f JOIN images i ON i.sha256 = f.image_sha256
                WHERE i.canonical = 1 AND f.rejected IS NULL
                  AND NOT EXISTS (SELECT 1 FROM face_probs p WHERE p.face_id = f.id AND p.model = $2)
                  AND \(planned("f.id::text"))
                ORDER BY f.image_sha256, f.idx
                """
        }
    }

    /// `AND key IN (the shard's items)`, for narrowing a stage's to-do query to one shard.
    static func inShard(_ key: String, _ shard: Int64?, integer: Bool = false) -> String {
        guard let shard else { return "" }
        let item = integer ? "item::bigint" : "item"
        return " AND \(key) IN (SELECT \(item) FROM shard_items WHERE shard_id = \(shard))"
    }

    /// Inside a write that commits results under `lease`: the lease must still hold (and is
    /// extended). Throws `LeaseLost`, rolling the whole write back, when another worker has it.
    static func hold(_ lease: ShardLease?, _ tx: PGTransaction) throws {
        guard let lease else { return }
        // The row lock this takes is held to commit, so the lease cannot be taken over meanwhile.
        let held = try tx.execute("""
            UPDATE shards SET lease_until = \(now) + lease_seconds WHERE id = ? AND token = ? AND state = 'leased'
            """, [lease.shard, lease.token])
        if held == 0 { throw LeaseLost(lease) }
    }

    @discardableResult
    public func planShards(_ stage: WorkStage, policy: LeasePolicy, retryFailed: Bool,
                           site: @Sendable (String) -> String) throws -> Int {
        try db.write { tx in
            // Planning is serialised per stage: an item is planned once however many processes plan at once.
            try tx.lockStage("plan:" + stage.description)
            let rows = try tx.fetchAll(Self.unplanned(stage, retryFailed: retryFailed), [stage.name, stage.parameter])
                .map { (item: try $0["item"] as String, url: try $0["url"] as String?) }
            guard !rows.isEmpty else { return 0 }
            let cuts = LeasePolicy.cut(rows, size: policy.shardSize) { r in r.url.map(site) }
            for cut in cuts {
                guard let id = try tx.fetchValue(Int64.self, """
                    INSERT INTO shards (stage, parameter, site, state, items, created_at) VALUES (?, ?, ?, 'ready', ?, \(Self.now))
                    RETURNING id
                    """, [stage.name, stage.parameter, cut.group, cut.items.count]) else { continue }
                var items = PGBatch()
                for r in cut.items { items.append(["item": .text(r.item)]) }
                try tx.execute("INSERT INTO shard_items (shard_id, item) SELECT ?, x.item FROM jsonb_to_recordset(?::jsonb) AS x(item text)",
                               [id, items])
            }
            return cuts.count
        }
    }

    public func claimShard(_ stage: WorkStage, worker: WorkerID, policy: LeasePolicy) throws -> ShardLease? {
        try db.write { tx in
            // A fetch shard waits while a live lease holds another of its site's shards, so the
            // per-site limits of one worker hold across all of them. That rule reads other rows,
            // which row locks cannot guard: fetch claims take turns; the other stages' do not.
            if stage == .fetch {
                try tx.lockStage("claim:" + stage.description)
            }
            try Self.failExhausted(tx, stage: stage, policy: policy)
            guard let row = try tx.fetchOne("""
                SELECT s.id, s.site, s.attempts, s.items FROM shards s
                WHERE s.stage = ? AND s.parameter = ?
                  AND (s.state = 'ready' OR (s.state = 'leased' AND s.lease_until < \(Self.now)))
                  AND (s.site IS NULL OR NOT EXISTS (
                        SELECT 1 FROM shards o WHERE o.stage = s.stage AND o.parameter = s.parameter AND o.site = s.site
                          AND o.id != s.id AND o.state = 'leased' AND o.lease_until >= \(Self.now)))
                ORDER BY s.id LIMIT 1
                FOR UPDATE OF s SKIP LOCKED
                """, [stage.name, stage.parameter]) else { return nil }
            let token = UUID().uuidString
            let id: Int64 = try row["id"]
            try tx.execute("""
                UPDATE shards SET state = 'leased', token = ?, worker = ?, leased_at = \(Self.now),
                    lease_until = \(Self.now) + ?, lease_seconds = ?, attempts = attempts + 1
                WHERE id = ?
                """, [token, worker.key, policy.seconds, policy.seconds, id])
            return ShardLease(shard: id, stage: stage, token: token, attempt: (try row["attempts"] as Int) + 1,
                              site: try row["site"], items: try row["items"])
        }
    }

    /// Shards whose lease ran out on their last allowed attempt are failed, not claimed again:
    /// their workers died or stalled on them every time.
    static func failExhausted(_ tx: PGTransaction, stage: WorkStage, policy: LeasePolicy) throws {
        try tx.execute("""
            UPDATE shards SET state = 'failed', token = NULL,
                error = 'lease expired on attempt ' || attempts || ' of ' || $3::bigint || ' (last worker ' || COALESCE(worker, '?') || ')'
            WHERE id IN (SELECT id FROM shards
                         WHERE stage = $1 AND parameter = $2 AND state = 'leased'
                           AND lease_until < \(now) AND attempts >= $3::bigint
                         FOR UPDATE SKIP LOCKED)   -- a row another claim holds is for that claim to judge
            """, [stage.name, stage.parameter, policy.maxAttempts])
    }

    public func renewLeases(_ leases: [ShardLease], worker: WorkerID, policy: LeasePolicy) throws -> [ShardLease] {
        try heartbeat.get().write { tx in
            try tx.execute("UPDATE workers SET heartbeat_at = \(Self.now) WHERE key = ?", [worker.key])
            var lost: [ShardLease] = []
            for l in leases {
                let held = try tx.execute("""
                    UPDATE shards SET lease_until = \(Self.now) + lease_seconds WHERE id = ? AND token = ? AND state = 'leased'
                    """, [l.shard, l.token])
                if held == 0 { lost.append(l) }
            }
            return lost
        }
    }

    @discardableResult
    public func completeShard(_ lease: ShardLease) throws -> Bool {
        try db.write { tx in
            let done = try tx.execute("""
                UPDATE shards SET state = 'done', token = NULL, lease_until = NULL, done_at = \(Self.now), error = NULL
                WHERE id = ? AND token = ? AND state = 'leased'
                """, [lease.shard, lease.token])
            guard done == 1 else { return false }
            try tx.execute("DELETE FROM shard_items WHERE shard_id = ?", [lease.shard])
            return true
        }
    }

    public func releaseShard(_ lease: ShardLease) throws {
        try db.write { tx in
            try tx.execute("""
                UPDATE shards SET state = 'ready', token = NULL, lease_until = NULL, attempts = GREATEST(0, attempts - 1)
                WHERE id = ? AND token = ? AND state = 'leased'
                """, [lease.shard, lease.token])
        }
    }

    public func failShard(_ lease: ShardLease, error: String, policy: LeasePolicy) throws {
        try db.write { tx in
            try tx.execute("""
                UPDATE shards SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'ready' END,
                    token = NULL, lease_until = NULL, error = ?
                WHERE id = ? AND token = ? AND state = 'leased'
                """, [policy.maxAttempts, error, lease.shard, lease.token])
        }
    }

    @discardableResult
    public func resetFailedShards(_ stage: WorkStage) throws -> Int {
        try db.write { tx in
            // Their items become plannable again (and are planned afresh, in the current order).
            try tx.execute("DELETE FROM shards WHERE stage = ? AND parameter = ? AND state = 'failed'", [stage.name, stage.parameter])
        }
    }

    public func leaseHolders() throws -> [WorkerID] {
        try db.read { tx in
            try tx.fetchAll("""
                SELECT DISTINCT w.host, w.pid, w.started FROM shards s JOIN workers w ON w.key = s.worker
                WHERE s.state = 'leased' ORDER BY w.host, w.pid
                """).map { WorkerID(host: try $0["host"], pid: try $0["pid"], started: try $0["started"]) }
        }
    }

    public func expireLeases(of worker: WorkerID) throws {
        try db.write { tx in
            try tx.execute("UPDATE shards SET lease_until = 0 WHERE worker = ? AND state = 'leased'", [worker.key])
        }
    }

    public func registerWorker(_ worker: WorkerID, stages: String) throws {
        try db.write { tx in
            try tx.execute("""
                INSERT INTO workers (key, host, pid, started, stages, started_at, heartbeat_at)
                VALUES (?, ?, ?, ?, ?, \(Self.now), \(Self.now))
                ON CONFLICT (key) DO UPDATE SET stages = excluded.stages, heartbeat_at = excluded.heartbeat_at
                """, [worker.key, worker.host, worker.pid, worker.started, stages])
        }
    }

    public func retireWorker(_ worker: WorkerID) throws {
        try db.write { tx in try tx.execute("DELETE FROM workers WHERE key = ?", [worker.key]) }
    }

    /// SQLite's `datetime(t, 'unixepoch')`: UTC, to the second.
    private static func utcText(_ column: String) -> String {
        "to_char(to_timestamp(\(column)) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    }

    public func queueStatus(liveWithin: Double) throws -> QueueStatus {
        try db.read { tx in
            var q = QueueStatus()
            for r in try tx.fetchAll("""
                SELECT stage, parameter, state, COUNT(*) AS n, SUM(items) AS items,
                       COUNT(*) FILTER (WHERE state = 'leased' AND lease_until < \(Self.now)) AS expired,
                       \(Self.now) - MIN(CASE WHEN state = 'leased' AND lease_until >= \(Self.now) THEN leased_at END) AS oldest
                FROM shards GROUP BY stage, parameter, state
                """) {
                guard let stage = WorkStage(name: try r["stage"], parameter: try r["parameter"]),
                      let state = ShardState(rawValue: try r["state"]) else { continue }
                var c = q.stages[stage.description] ?? ShardCounts()
                let n: Int = try r["n"]
                switch state {
                case .ready: c.ready = n; c.openItems += try r["items"] as Int
                case .leased:
                    c.leased = n; c.openItems += try r["items"] as Int
                    c.expired = try r["expired"]
                    c.oldestLeaseSeconds = try r["oldest"]
                case .done: c.done = n
                case .failed: c.failed = n
                }
                q.stages[stage.description] = c
            }
            q.workers = try tx.fetchAll("""
                SELECT w.*, \(Self.utcText("w.started_at")) AS started_text, \(Self.utcText("w.heartbeat_at")) AS heartbeat_text,
                       \(Self.now) - w.heartbeat_at AS silent,
                       (SELECT COUNT(*) FROM shards s WHERE s.worker = w.key AND s.state = 'leased') AS leases
                FROM workers w WHERE w.heartbeat_at >= \(Self.now) - ? ORDER BY w.host, w.pid
                """, [liveWithin]).map { r in
                WorkerRecord(worker: WorkerID(host: try r["host"], pid: try r["pid"], started: try r["started"]), stages: try r["stages"],
                             startedAt: try r["started_text"], heartbeatAt: try r["heartbeat_text"], silentSeconds: try r["silent"],
                             leases: try r["leases"])
            }
            q.failed = try tx.fetchAll("""
                SELECT id, stage, parameter, attempts, error FROM shards WHERE state = 'failed' ORDER BY id
                """).map { r in
                let name: String = try r["stage"], error: String? = try r["error"]
                let stage = WorkStage(name: name, parameter: try r["parameter"])?.description ?? name
                return FailedShard(shard: try r["id"], stage: stage, attempts: try r["attempts"], error: error ?? "")
            }
            return q
        }
    }

    public func shards() throws -> [ShardRecord] {
        try db.read { tx in
            try tx.fetchAll("SELECT id, stage, parameter, state, items, attempts FROM shards ORDER BY id").map { r in
                let name: String = try r["stage"]
                return ShardRecord(shard: try r["id"], stage: WorkStage(name: name, parameter: try r["parameter"])?.description ?? name,
                                   state: try r["state"], items: try r["items"], attempts: try r["attempts"])
            }
        }
    }

    public func recordedStore() throws -> String? {
        try db.read { tx in try tx.fetchValue(String.self, "SELECT value FROM catalog_settings WHERE key = 'store'") }
    }

    public func recordStore(_ url: String) throws -> String {
        try db.write { tx in
            // First writer wins: two processes recording at once end with one store, and both see it.
            try tx.execute("INSERT INTO catalog_settings (key, value) VALUES ('store', ?) ON CONFLICT (key) DO NOTHING", [url])
            return try tx.fetchValue(String.self, "SELECT value FROM catalog_settings WHERE key = 'store'") ?? url
        }
    }
}
