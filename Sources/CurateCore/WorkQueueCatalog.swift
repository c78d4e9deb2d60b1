/// The work queue: per-item stages cut their to-do list into shards that processes lease, so many
/// processes (on one machine over SQLite, on many over PostgreSQL) share a stage without doing an
/// item twice. The queue lives in the catalog, next to the results, so a result and the check
/// that its lease still holds commit in one transaction.
///
/// Items are not copied into the queue: a shard names its items, and each stage's to-do query,
/// narrowed to a shard, returns those still to do (so a shard claimed again after its worker
/// died resumes where that worker's last commit left off).
public protocol WorkQueueCatalog: Sendable {
    /// Cuts every item `stage` still has to do, and no open (ready or leased) or failed shard
    /// holds, into new shards of at most `policy.shardSize` items (a fetch shard holds one site's
    /// URLs: `site` names a URL's site). Returns how many shards it made. Safe to call from many
    /// processes at once: planning is serialised, and an item is planned once.
    @discardableResult
    func planShards(_ stage: WorkStage, policy: LeasePolicy, retryFailed: Bool,
                    site: @Sendable (String) -> String) throws -> Int

    /// Leases the oldest claimable shard of `stage` (ready, or leased with an expired lease; a
    /// fetch shard only while no live lease holds another shard of its site), or nil. A shard
    /// whose lease expired `policy.maxAttempts` times is marked failed instead of claimed.
    func claimShard(_ stage: WorkStage, worker: WorkerID, policy: LeasePolicy) throws -> ShardLease?

    /// Extends the leases still held and the worker's heartbeat; returns the leases it lost.
    func renewLeases(_ leases: [ShardLease], worker: WorkerID, policy: LeasePolicy) throws -> [ShardLease]

    /// Marks the shard done if the lease still holds (its results are already committed under it).
    /// Returns false when the lease was lost.
    @discardableResult
    func completeShard(_ lease: ShardLease) throws -> Bool

    /// Gives the shard back unfinished (Ctrl-C): ready again, and this attempt does not count.
    func releaseShard(_ lease: ShardLease) throws

    /// The worker hit an error on the shard: ready again for another attempt, or failed (with the
    /// error) once it has had `policy.maxAttempts`.
    func failShard(_ lease: ShardLease, error: String, policy: LeasePolicy) throws

    /// Makes failed shards of `stage` plannable again (`--retry-failed`); returns how many.
    @discardableResult
    func resetFailedShards(_ stage: WorkStage) throws -> Int

    /// Shards per queue by state, the workers heard from within `liveWithin` seconds, failed shards.
    func queueStatus(liveWithin: Double) throws -> QueueStatus

    /// The workers holding leases now (live or not: a killed one keeps its leases until they expire).
    func leaseHolders() throws -> [WorkerID]
    /// Ends `worker`'s leases at once (it is known to be dead): its shards are claimable now.
    func expireLeases(of worker: WorkerID) throws

    /// Records that the worker runs (or still runs) `stages`: `curate status` lists live workers.
    func registerWorker(_ worker: WorkerID, stages: String) throws
    /// The worker stopped cleanly: it leaves the list (a killed one ages out instead).
    func retireWorker(_ worker: WorkerID) throws
}

/// What `curate status` shows about the queue.
public struct QueueStatus: Sendable, Equatable, Encodable {
    public var stages: [String: ShardCounts] = [:]
    public var workers: [WorkerRecord] = []
    public var failed: [FailedShard] = []
    public init() {}

    public func counts(_ stage: WorkStage) -> ShardCounts { stages[stage.description] ?? ShardCounts() }
}

/// A commit made under a lease that no longer holds: its results were not recorded.
public struct LeaseLost: Error, CustomStringConvertible {
    public var lease: ShardLease
    public init(_ lease: ShardLease) { self.lease = lease }
    public var description: String {
        "lost the lease on \(lease.stage) shard \(lease.shard) (it expired and another worker took it); its last results were not recorded"
    }
}
