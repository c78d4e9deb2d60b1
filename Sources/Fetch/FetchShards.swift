import CurateCore
import Foundation

/// The fetch shards one run holds: several at once (each one site's URLs, so different sites
/// download side by side while a site's own limits hold across every worker), refilled as they
/// finish. A shard is done once each of its URLs' outcomes has committed under its lease.
final class FetchShards: @unchecked Sendable {
    let leased: LeasedRun
    let catalog: any FetchCatalog
    let retryFailed: Bool
    let maxHeld: Int

    private let lock = NSLock()
    private var leaseOfURL: [Int64: ShardLease] = [:]
    /// Per held shard: its URLs whose outcome has not committed yet.
    private var remaining: [Int64: Int] = [:]
    private var held: [Int64: ShardLease] = [:]
    private var summary = LeasedRunSummary()
    private var lastEmptyClaim = -Double.infinity
    private(set) var attempted = 0

    init(leased: LeasedRun, catalog: any FetchCatalog, retryFailed: Bool, maxHeld: Int) {
        self.leased = leased; self.catalog = catalog; self.retryFailed = retryFailed; self.maxHeld = maxHeld
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// New jobs from newly claimed shards, up to `maxHeld` shards. While busy, a claim that found
    /// nothing is not retried for half a second (each try is a write transaction).
    func refill(idle: Bool) throws -> [PendingURL] {
        lock.lock()
        let room = maxHeld - held.count
        let wait = !idle && Self.now() - lastEmptyClaim < 0.5
        lock.unlock()
        guard room > 0, !wait, !Interrupt.requested else { return [] }
        var jobs: [PendingURL] = []
        for _ in 0..<room {
            guard let lease = try leased.claim() else { break }
            let urls = try catalog.urlsToFetch(retryFailed: retryFailed, shard: lease.shard)
            if urls.isEmpty {
                // A dead worker's shard whose URLs all committed before it died.
                lock.lock(); defer { lock.unlock() }
                try leased.finish(lease, .success(()), into: &summary)
                continue
            }
            lock.lock()
            held[lease.shard] = lease
            remaining[lease.shard] = urls.count
            for u in urls { leaseOfURL[u.id] = lease }
            attempted += urls.count
            lock.unlock()
            jobs += urls
        }
        if jobs.isEmpty { lock.lock(); lastEmptyClaim = Self.now(); lock.unlock() }
        return jobs
    }

    /// A batch of outcomes split by the shard (lease) each URL belongs to.
    func group(_ batch: [FetchOutcome]) -> [(ShardLease?, [FetchOutcome])] {
        lock.lock(); defer { lock.unlock() }
        var order: [Int64] = []
        var by: [Int64: (ShardLease, [FetchOutcome])] = [:]
        for o in batch {
            guard let lease = leaseOfURL[o.urlID] else { continue }   // its shard's lease was lost
            if by[lease.shard] == nil { order.append(lease.shard); by[lease.shard] = (lease, []) }
            by[lease.shard]!.1.append(o)
        }
        return order.map { (by[$0]!.0, by[$0]!.1) }
    }

    /// `n` of the shard's outcomes committed; the last one completes it.
    func recorded(_ n: Int, in lease: ShardLease) throws {
        lock.lock(); defer { lock.unlock() }
        guard let left = remaining[lease.shard] else { return }
        remaining[lease.shard] = left - n
        guard left - n <= 0 else { return }
        forget(lease)
        try leased.finish(lease, .success(()), into: &summary)
    }

    /// The shard's lease is gone (another worker has it): its outcomes are dropped from now on.
    func lost(_ lease: ShardLease) {
        lock.lock(); defer { lock.unlock() }
        forget(lease)
        summary.lost += 1
        leased.keeper.drop(lease)
    }

    private func forget(_ lease: ShardLease) {
        held[lease.shard] = nil
        remaining[lease.shard] = nil
        leaseOfURL = leaseOfURL.filter { $0.value.shard != lease.shard }
    }

    /// At the end of the run: gives back the shards not finished (Ctrl-C left URLs pending).
    func finish() throws {
        lock.lock(); defer { lock.unlock() }
        for lease in held.values {
            try leased.queue.releaseShard(lease)
            leased.keeper.drop(lease)
        }
        held.removeAll()
    }
}
