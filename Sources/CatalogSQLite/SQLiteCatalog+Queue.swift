import CatalogRows
import CurateCore
import Foundation
import GRDB

/// The work queue in SQLite. Every step runs in one write transaction, and SQLite has one writer
/// at a time, so a claim (find the oldest claimable shard, then take it) is atomic across the
/// processes sharing the file without row locks.
extension SQLiteCatalog {
    /// Unix seconds by the catalog's clock (SQLite 3.40 has no subsecond unixepoch()).
    static let now = "((julianday('now') - 2440587.5) * 86400.0)"

    /// A stage's items still to do and not in any open or failed shard of its queue (done shards
    /// drop their rows), in the order the stage would do them: the item key and, for fetch, the
    /// URL (its site decides the shard).
    static func unplanned(_ stage: WorkStage, retryFailed: Bool) -> String {
        let planned = { (key: String) in """
            NOT EXISTS (SELECT 1 FROM shard_items si JOIN shards s ON s.id = si.shard_id
                        WHERE si.item = \(key) AND s.stage = :stage AND s.parameter = :parameter)
            """ }
        switch stage {
        case .fetch:
            let states = retryFailed ? "('pending', 'failed')" : "('pending')"
            return "SELECT CAST(u.id AS TEXT) AS item, u.url AS url FROM urls u WHERE u.state IN \(states) AND \(planned("CAST(u.id AS TEXT)")) ORDER BY u.id"
        case .hash:
            return "SELECT i.sha256 AS item, NULL AS url FROM images i WHERE i.phash IS NULL AND i.hash_error IS NULL AND \(planned("i.sha256")) ORDER BY \(listOrder("i")), i.sha256"
        case .faces:
            return """
                SELECT i.sha256 AS item, NULL AS url FROM images i
                WHERE i.canonical = 1 AND i.sha256 NOT IN (SELECT image_sha256 FROM face_scans) AND \(planned("i.sha256"))
                ORDER BY \(listOrder("i")), i.sha256
                """
        case .score:
            return """
                SELECT CAST(f.id AS TEXT) AS item, NULL AS url FROM faces f JOIN images i ON i.sha256 = f.image_sha256
                WHERE i.canonical = 1 AND f.rejected IS NULL
                  AND NOT EXISTS (SELECT 1 FROM face_probs p WHERE p.face_id = f.id AND p.model = :parameter)
                  AND \(planned("CAST(f.id AS TEXT)"))
                ORDER BY f.image_sha256, f.idx
                """
        }
    }

    /// `AND key IN (the shard's items)`, for narrowing a stage's to-do query to one shard.
    static func inShard(_ key: String, _ shard: Int64?, integer: Bool = false) -> String {
        guard let shard else { return "" }
        let item = integer ? "CAST(item AS INTEGER)" : "item"
        return " AND \(key) IN (SELECT \(item) FROM shard_items WHERE shard_id = \(shard))"
    }

    /// Inside a write that commits results under `lease`: the lease must still hold (and is
    /// extended). Throws `LeaseLost`, rolling the whole write back, when another worker has it.
    static func hold(_ lease: ShardLease?, _ db: Database) throws {
        guard let lease else { return }
        try db.execute(sql: """
            UPDATE shards SET lease_until = \(now) + lease_seconds WHERE id = ? AND token = ? AND state = 'leased'
            """, arguments: [lease.shard, lease.token])
        if db.changesCount == 0 { throw LeaseLost(lease) }
    }

    @discardableResult
    public func planShards(_ stage: WorkStage, policy: LeasePolicy, retryFailed: Bool,
                           site: @Sendable (String) -> String) throws -> Int {
        try pool.write { db in
            let args: StatementArguments = ["stage": stage.name, "parameter": stage.parameter]
            let rows = try Row.fetchAll(db, sql: Self.unplanned(stage, retryFailed: retryFailed), arguments: args)
                .map { (item: $0["item"] as String, url: $0["url"] as String?) }
            guard !rows.isEmpty else { return 0 }
            let cuts = LeasePolicy.cut(rows, size: policy.shardSize) { r in r.url.map(site) }
            let shard = try db.cachedStatement(sql: """
                INSERT INTO shards (stage, parameter, site, state, items, created_at) VALUES (?, ?, ?, 'ready', ?, \(Self.now))
                """)
            let item = try db.cachedStatement(sql: "INSERT INTO shard_items (shard_id, item) VALUES (?, ?)")
            for cut in cuts {
                try shard.execute(arguments: [stage.name, stage.parameter, cut.group, cut.items.count])
                let id = db.lastInsertedRowID
                for r in cut.items { try item.execute(arguments: [id, r.item]) }
            }
            return cuts.count
        }
    }

    public func claimShard(_ stage: WorkStage, worker: WorkerID, policy: LeasePolicy) throws -> ShardLease? {
        try pool.write { db in
            let args: StatementArguments = ["stage": stage.name, "parameter": stage.parameter]
            try Self.failExhausted(db, stage: stage, policy: policy)
            // A fetch shard waits while a live lease holds another of its site's shards, so the
            // per-site limits of one worker hold across all of them.
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.id, s.site, s.attempts, s.items FROM shards s
                WHERE s.stage = :stage AND s.parameter = :parameter
                  AND (s.state = 'ready' OR (s.state = 'leased' AND s.lease_until < \(Self.now)))
                  AND (s.site IS NULL OR NOT EXISTS (
                        SELECT 1 FROM shards o WHERE o.stage = s.stage AND o.parameter = s.parameter AND o.site = s.site
                          AND o.id != s.id AND o.state = 'leased' AND o.lease_until >= \(Self.now)))
                ORDER BY s.id LIMIT 1
                """, arguments: args) else { return nil }
            let token = UUID().uuidString
            let id: Int64 = row["id"]
            try db.execute(sql: """
                UPDATE shards SET state = 'leased', token = ?, worker = ?, leased_at = \(Self.now),
                    lease_until = \(Self.now) + ?, lease_seconds = ?, attempts = attempts + 1
                WHERE id = ?
                """, arguments: [token, worker.key, policy.seconds, policy.seconds, id])
            return ShardLease(shard: id, stage: stage, token: token, attempt: (row["attempts"] as Int) + 1,
                              site: row["site"], items: row["items"])
        }
    }

    /// Shards whose lease ran out on their last allowed attempt are failed, not claimed again:
    /// their workers died or stalled on them every time.
    static func failExhausted(_ db: Database, stage: WorkStage, policy: LeasePolicy) throws {
        try db.execute(sql: """
            UPDATE shards SET state = 'failed', token = NULL,
                error = 'lease expired on attempt ' || attempts || ' of ' || :max || ' (last worker ' || COALESCE(worker, '?') || ')'
            WHERE stage = :stage AND parameter = :parameter AND state = 'leased'
              AND lease_until < \(now) AND attempts >= :max
            """, arguments: ["stage": stage.name, "parameter": stage.parameter, "max": policy.maxAttempts])
    }

    public func renewLeases(_ leases: [ShardLease], worker: WorkerID, policy: LeasePolicy) throws -> [ShardLease] {
        try pool.write { db in
            try db.execute(sql: "UPDATE workers SET heartbeat_at = \(Self.now) WHERE key = ?", arguments: [worker.key])
            var lost: [ShardLease] = []
            for l in leases {
                try db.execute(sql: """
                    UPDATE shards SET lease_until = \(Self.now) + lease_seconds WHERE id = ? AND token = ? AND state = 'leased'
                    """, arguments: [l.shard, l.token])
                if db.changesCount == 0 { lost.append(l) }
            }
            return lost
        }
    }

    @discardableResult
    public func completeShard(_ lease: ShardLease) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE shards SET state = 'done', token = NULL, lease_until = NULL, done_at = \(Self.now), error = NULL
                WHERE id = ? AND token = ? AND state = 'leased'
                """, arguments: [lease.shard, lease.token])
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: "DELETE FROM shard_items WHERE shard_id = ?", arguments: [lease.shard])
            return true
        }
    }

    public func releaseShard(_ lease: ShardLease) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE shards SET state = 'ready', token = NULL, lease_until = NULL, attempts = MAX(0, attempts - 1)
                WHERE id = ? AND token = ? AND state = 'leased'
                """, arguments: [lease.shard, lease.token])
        }
    }

    public func failShard(_ lease: ShardLease, error: String, policy: LeasePolicy) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE shards SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'ready' END,
                    token = NULL, lease_until = NULL, error = ?
                WHERE id = ? AND token = ? AND state = 'leased'
                """, arguments: [policy.maxAttempts, error, lease.shard, lease.token])
        }
    }

    @discardableResult
    public func resetFailedShards(_ stage: WorkStage) throws -> Int {
        try pool.write { db in
            // Their items become plannable again (and are planned afresh, in the current order).
            try db.execute(sql: "DELETE FROM shards WHERE stage = ? AND parameter = ? AND state = 'failed'",
                           arguments: [stage.name, stage.parameter])
            return db.changesCount
        }
    }

    public func leaseHolders() throws -> [WorkerID] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT DISTINCT w.host, w.pid, w.started FROM shards s JOIN workers w ON w.key = s.worker
                WHERE s.state = 'leased' ORDER BY w.host, w.pid
                """).map { WorkerID(host: $0["host"], pid: $0["pid"], started: $0["started"]) }
        }
    }

    public func expireLeases(of worker: WorkerID) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE shards SET lease_until = 0 WHERE worker = ? AND state = 'leased'", arguments: [worker.key])
        }
    }

    public func registerWorker(_ worker: WorkerID, stages: String) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO workers (key, host, pid, started, stages, started_at, heartbeat_at)
                VALUES (?, ?, ?, ?, ?, \(Self.now), \(Self.now))
                ON CONFLICT (key) DO UPDATE SET stages = excluded.stages, heartbeat_at = excluded.heartbeat_at
                """, arguments: [worker.key, worker.host, worker.pid, worker.started, stages])
        }
    }

    public func retireWorker(_ worker: WorkerID) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM workers WHERE key = ?", arguments: [worker.key]) }
    }

    public func queueStatus(liveWithin: Double) throws -> QueueStatus {
        try pool.read { db in
            var q = QueueStatus()
            for r in try Row.fetchAll(db, sql: """
                SELECT stage, parameter, state, COUNT(*) AS n, SUM(items) AS items,
                       SUM(state = 'leased' AND lease_until < \(Self.now)) AS expired,
                       \(Self.now) - MIN(CASE WHEN state = 'leased' AND lease_until >= \(Self.now) THEN leased_at END) AS oldest
                FROM shards GROUP BY stage, parameter, state
                """) {
                guard let stage = WorkStage(name: r["stage"], parameter: r["parameter"]),
                      let state = ShardState(rawValue: r["state"]) else { continue }
                var c = q.stages[stage.description] ?? ShardCounts()
                let n: Int = r["n"]
                switch state {
                case .ready: c.ready = n; c.openItems += r["items"] as Int
                case .leased:
                    c.leased = n; c.openItems += r["items"] as Int
                    c.expired = r["expired"]
                    c.oldestLeaseSeconds = r["oldest"]
                case .done: c.done = n
                case .failed: c.failed = n
                }
                q.stages[stage.description] = c
            }
            q.workers = try Row.fetchAll(db, sql: """
                SELECT w.*, datetime(w.started_at, 'unixepoch') AS started_text, datetime(w.heartbeat_at, 'unixepoch') AS heartbeat_text,
                       \(Self.now) - w.heartbeat_at AS silent,
                       (SELECT COUNT(*) FROM shards s WHERE s.worker = w.key AND s.state = 'leased') AS leases
                FROM workers w WHERE w.heartbeat_at >= \(Self.now) - ? ORDER BY w.host, w.pid
                """, arguments: [liveWithin]).map { r in
                WorkerRecord(worker: WorkerID(host: r["host"], pid: r["pid"], started: r["started"]), stages: r["stages"],
                             startedAt: r["started_text"], heartbeatAt: r["heartbeat_text"], silentSeconds: r["silent"],
                             leases: r["leases"])
            }
            q.failed = try Row.fetchAll(db, sql: """
                SELECT id, stage, parameter, attempts, error FROM shards WHERE state = 'failed' ORDER BY id
                """).map { r in
                let name: String = r["stage"], error: String? = r["error"]
                let stage = WorkStage(name: name, parameter: r["parameter"])?.description ?? name
                return FailedShard(shard: r["id"], stage: stage, attempts: r["attempts"], error: error ?? "")
            }
            return q
        }
    }

    public func shards() throws -> [ShardRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, stage, parameter, state, items, attempts FROM shards ORDER BY id").map { r in
                let name: String = r["stage"]
                return ShardRecord(shard: r["id"], stage: WorkStage(name: name, parameter: r["parameter"])?.description ?? name,
                                   state: r["state"], items: r["items"], attempts: r["attempts"])
            }
        }
    }
}
