import Dispatch
import Foundation

extension WorkerID {
    /// This process: its host (as temp files name it), pid and start time.
    public static let current = WorkerID(host: TempName.host, pid: getpid(),
                                         started: String(Int(Date().timeIntervalSince1970 * 1000)))
}

/// The leases one process holds, renewed on a timer thread of their own: a stage busy on a long
/// batch (a large photo through MTCNN, a slow site) keeps its leases without checking in. A
/// lease the catalog says is gone is remembered as lost, so the stage drops that shard's work.
public final class LeaseKeeper: @unchecked Sendable {
    private let queue: any WorkQueueCatalog
    public let worker: WorkerID
    public let policy: LeasePolicy
    private let lock = NSLock()
    private var held: [Int64: ShardLease] = [:]
    private var lostShards: Set<Int64> = []
    private let timer: DispatchSourceTimer

    public init(queue: any WorkQueueCatalog, worker: WorkerID = .current, policy: LeasePolicy, stages: String) throws {
        self.queue = queue; self.worker = worker; self.policy = policy
        try queue.registerWorker(worker, stages: stages)
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "curate.leases"))
        timer.schedule(deadline: .now() + policy.renewEvery, repeating: policy.renewEvery)
        timer.setEventHandler { [weak self] in self?.renew() }
        timer.resume()
    }

    deinit { timer.cancel() }

    public func hold(_ lease: ShardLease) {
        lock.lock(); held[lease.shard] = lease; lock.unlock()
    }

    public func drop(_ lease: ShardLease) {
        lock.lock(); held[lease.shard] = nil; lock.unlock()
    }

    public func isLost(_ lease: ShardLease) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return lostShards.contains(lease.shard)
    }

    /// Renews now (the timer does it every third of a lease).
    public func renew() {
        lock.lock(); let leases = Array(held.values); lock.unlock()
        // A failed renewal (the database briefly unreachable) is retried on the next tick; the
        // leases last three ticks.
        guard let lost = try? queue.renewLeases(leases, worker: worker, policy: policy) else { return }
        lock.lock()
        for l in lost { lostShards.insert(l.shard); held[l.shard] = nil }
        lock.unlock()
    }

    /// Stops renewing and takes the worker off the live list.
    public func finish() {
        timer.cancel()
        try? queue.retireWorker(worker)
    }
}

/// What a stage's leased run did with the queue.
public struct LeasedRunSummary: Sendable, Equatable {
    public var shards = 0
    /// Shards whose lease was lost mid-way (their last results were not recorded; another worker redoes them).
    public var lost = 0
    /// Shards given back unfinished on Ctrl-C.
    public var released = 0
    public init() {}
}

/// The loop every per-item stage runs: plan the stage's new items into shards, then claim a shard,
/// do its items, mark it done, until none is claimable (other workers may still hold some).
/// Ctrl-C gives the current shard back; an error fails it (another attempt, or `failed` after
/// the last) and stops the run.
public struct LeasedRun: Sendable {
    public let queue: any WorkQueueCatalog
    public let stage: WorkStage
    public let policy: LeasePolicy
    public let keeper: LeaseKeeper

    public init(queue: any WorkQueueCatalog, stage: WorkStage, policy: LeasePolicy, keeper: LeaseKeeper) {
        self.queue = queue; self.stage = stage; self.policy = policy; self.keeper = keeper
    }

    /// Plans this stage's new items; returns the items now waiting in its open shards (for progress).
    public func plan(retryFailed: Bool, site: @Sendable (String) -> String = { _ in "" }) throws -> Int {
        try Self.reapDeadLocalHolders(queue)
        if retryFailed { try queue.resetFailedShards(stage) }
        try queue.planShards(stage, policy: policy, retryFailed: retryFailed, site: site)
        return try queue.queueStatus(liveWithin: policy.seconds).counts(stage).openItems
    }

    /// Leases held by processes of this host that no longer run (killed, or the machine
    /// restarted) end now rather than when they expire: this host can tell, other hosts cannot.
    public static func reapDeadLocalHolders(_ queue: any WorkQueueCatalog) throws {
        for w in try queue.leaseHolders() where w.host == WorkerID.current.host && w != WorkerID.current {
            if w.pid == getpid() || kill(w.pid, 0) == 0 || errno == EPERM { continue }
            try queue.expireLeases(of: w)
        }
    }

    /// Claims one shard and holds it in the keeper (nil when none is claimable).
    public func claim() throws -> ShardLease? {
        guard let lease = try queue.claimShard(stage, worker: keeper.worker, policy: policy) else { return nil }
        keeper.hold(lease)
        return lease
    }

    /// Ends a shard: done when the body finished it, given back when interrupted, failed on error.
    /// A lost lease is counted, not thrown: the shard is another worker's now.
    public func finish(_ lease: ShardLease, _ result: Result<Void, Error>, into s: inout LeasedRunSummary) throws {
        defer { keeper.drop(lease) }
        switch result {
        case .success where Interrupt.requested:
            try queue.releaseShard(lease)
            s.released += 1
        case .success:
            if try queue.completeShard(lease) { s.shards += 1 } else { s.lost += 1 }
        case .failure(let e as LeaseLost):
            _ = e
            s.lost += 1
        case .failure(let e):
            try? queue.failShard(lease, error: "\(e)", policy: policy)
            throw e
        }
    }

    /// Runs `body` on shard after shard until none is claimable or Ctrl-C.
    public func run(_ body: (ShardLease) throws -> Void) throws -> LeasedRunSummary {
        var s = LeasedRunSummary()
        while !Interrupt.requested, let lease = try claim() {
            try finish(lease, Result { try body(lease) }, into: &s)
        }
        return s
    }
}
