import CurateCore
import Dispatch
import Foundation

/// What one `curate fetch` run did.
public struct FetchSummary: Sendable {
    public var attempted = 0
    public var fetched = 0
    public var failed = 0
    public var failures: [String: Int] = [:]
    /// Fetched bodies identical to an image already stored (same sha256).
    public var duplicates = 0
    public var bytes = 0
    public var seconds = 0.0
    /// Stopped by Ctrl-C / SIGTERM: the URLs not reached stay pending.
    public var interrupted = false
    /// Requests and pauses per site (registrable domain).
    public var hosts: [String: HostStats] = [:]
    public var imagesPerSecond: Double { seconds > 0 ? Double(fetched) / seconds : 0 }
}

/// `curate fetch`: downloads every pending URL, checks and stores each body, and commits
/// provenance in batches of 256 or every second, whichever comes first. A file is renamed into
/// place before the row that names it commits, so a killed run leaves at worst an
/// unreferenced file, never a dangling row. On Ctrl-C it stops starting transfers, drops those
/// in flight (still pending), and commits every finished one.
public final class FetchStage: @unchecked Sendable {
    let workspace: Workspace
    let catalog: any FetchCatalog
    let settings: FetchSettings
    let store: BodyStore
    let progress: StageProgress?

    /// Outcomes processed but not yet committed; guarded by `lock`.
    private var buffer: [FetchOutcome] = []
    private var summary = FetchSummary()
    private var commitError: Error?
    private let lock = NSLock()
    private let commitQueue = DispatchQueue(label: "curate.fetch.commit")
    private let workers = DispatchQueue(label: "curate.fetch.check", attributes: .concurrent)
    private let group = DispatchGroup()
    private let batchSize = 256
    /// The leased shards of a queued run (nil for `only` runs); set before the engine starts.
    private var shards: FetchShards?

    public init(workspace: Workspace, catalog: any FetchCatalog, settings: FetchSettings, progress: StageProgress? = nil) throws {
        try settings.validate()
        self.workspace = workspace
        self.catalog = catalog
        self.settings = settings
        self.store = BodyStore(workspace: workspace, maxPixels: settings.maxPixels)
        self.progress = progress
    }

    /// Fetches pending URLs (and failed ones when `retryFailed`): leased from the work queue a
    /// site's shard at a time, several sites at once, so many processes share one list. With
    /// `only`, just those URLs, directly (the interactive "add this image" paths).
    public func run(retryFailed: Bool, only: Set<String>? = nil, policy: LeasePolicy = LeasePolicy(),
                    keeper: LeaseKeeper? = nil) throws -> FetchSummary {
        try workspace.prepareForWriting()
        let start = Date()
        let engine = CurlMultiEngine(settings: settings)
        let ticker = startTicker()
        defer { ticker.cancel() }
        var attempted = 0
        if let only {
            let jobs = try catalog.urlsToFetch(retryFailed: retryFailed).filter { only.contains($0.url) }
            attempted = jobs.count
            progress?.start(total: jobs.count)
            drive(engine, jobs, refill: nil)
            flush(force: true)
            commitQueue.sync {}
        } else {
            let own = keeper == nil
            let keeper = try keeper ?? LeaseKeeper(queue: catalog, policy: policy, stages: WorkStage.fetch.name)
            defer { if own { keeper.finish() } }
            let leased = LeasedRun(queue: catalog, stage: .fetch, policy: policy, keeper: keeper)
            let planned = try leased.plan(retryFailed: retryFailed, site: { HostPacing.site($0) })
            progress?.start(total: planned)
            let shards = FetchShards(leased: leased, catalog: catalog, retryFailed: retryFailed,
                                     maxHeld: max(1, settings.concurrency / max(1, settings.perHost)))
            self.shards = shards
            drive(engine, [], refill: { idle in
                if idle { self.flush(force: true); self.commitQueue.sync {} }
                return (try? shards.refill(idle: idle)) ?? []
            })
            flush(force: true)
            commitQueue.sync {}
            attempted = shards.attempted
            try shards.finish()
        }
        progress?.finish()
        if let commitError { throw commitError }
        lock.lock(); defer { lock.unlock() }
        summary.attempted = attempted
        summary.interrupted = Interrupt.requested
        summary.seconds = Date().timeIntervalSince(start)
        summary.hosts = engine.pacing.stats
        return summary
    }

    /// A finished download waits at most a second for its row: a kill loses little.
    private func startTicker() -> DispatchSourceTimer {
        let ticker = DispatchSource.makeTimerSource(queue: commitQueue)
        ticker.schedule(deadline: .now() + 1, repeating: 1)
        ticker.setEventHandler { [weak self] in self?.flush(force: true) }
        ticker.resume()
        return ticker
    }

    /// Runs the engine, checking bodies on the worker queue as transfers end.
    private func drive(_ engine: CurlMultiEngine, _ jobs: [PendingURL], refill: ((Bool) -> [PendingURL])?) {
        // Bound the bodies waiting for checks, so memory stays flat on huge lists.
        let slots = DispatchSemaphore(value: max(4, ProcessInfo.processInfo.activeProcessorCount * 4))
        engine.run(jobs, refill: refill, shouldStop: { Interrupt.requested }) { t in
            slots.wait()
            workers.async(group: group) {
                defer { slots.signal() }
                self.accept(self.outcome(t))
            }
        }
        group.wait()
    }

    /// Checks the body of a finished transfer and builds its catalog outcome.
    func outcome(_ t: TerminalTransfer) -> FetchOutcome {
        let r = t.result
        var o = FetchOutcome(urlID: t.job.id, attempts: t.attempts, elapsedSeconds: t.elapsed)
        o.finalURL = r.finalURL
        o.httpStatus = r.httpStatus > 0 ? r.httpStatus : nil
        o.contentType = r.contentType
        o.bytes = r.body.count
        o.error = t.reason
        o.errorDetail = t.detail
        guard t.reason == nil else { return o }
        let sha = ContentHash.sha256Hex(r.body)
        o.sha256 = sha
        do {
            switch try store.check(r.body, sha256: sha) {
            case .image(let rec, let header):
                o.image = rec
                o.format = header.format
                o.width = header.width
                o.height = header.height
            case .rejected(let reason, let detail, let header):
                o.error = FetchFailure(rawValue: reason)
                o.errorDetail = detail
                o.format = header?.format
                o.width = header.flatMap { $0.width > 0 ? $0.width : nil }
                o.height = header.flatMap { $0.height > 0 ? $0.height : nil }
            }
        } catch {
            o.error = .storeError
            o.errorDetail = "\(error)"
        }
        return o
    }

    private func accept(_ o: FetchOutcome) {
        lock.lock()
        buffer.append(o)
        if let e = o.error {
            summary.failed += 1
            summary.failures[e.rawValue, default: 0] += 1
        } else {
            summary.fetched += 1
            summary.bytes += o.bytes ?? 0
        }
        let (done, ok, bad) = (summary.fetched + summary.failed, summary.fetched, summary.failed)
        lock.unlock()
        progress?.update(done: done, detail: "ok \(ok)  failed \(bad)")
        flush(force: false)
    }

    /// Hands a full batch (or, at the end, whatever is left) to the commit queue.
    private func flush(force: Bool) {
        lock.lock()
        guard force ? !buffer.isEmpty : buffer.count >= batchSize else { lock.unlock(); return }
        let batch = buffer
        buffer.removeAll(keepingCapacity: true)
        lock.unlock()
        commitQueue.async {
            // Each shard's outcomes commit under its own lease: one lost lease drops only its own.
            let groups = self.shards?.group(batch) ?? [(nil, batch)]
            for (lease, outcomes) in groups {
                do {
                    let dups = try self.catalog.record(outcomes, lease: lease)
                    self.lock.lock(); self.summary.duplicates += dups; self.lock.unlock()
                    if let lease { try self.shards?.recorded(outcomes.count, in: lease) }
                } catch let lost as LeaseLost {
                    self.shards?.lost(lost.lease)
                } catch {
                    self.lock.lock(); self.commitError = self.commitError ?? error; self.lock.unlock()
                }
            }
        }
    }
}

extension FetchStage {
    /// Records `entries` as a URL list would (provenance, labels) and fetches only them, retrying
    /// any that failed before: `predict --add` and the "try an image" page's "add to dataset".
    public static func addAndFetch(_ entries: [URLEntry], workspace: Workspace, catalog: any FetchCatalog,
                                   settings: FetchSettings) throws -> FetchSummary {
        _ = try catalog.addURLs(entries)
        let stage = try FetchStage(workspace: workspace, catalog: catalog, settings: settings)
        return try stage.run(retryFailed: true, only: Set(entries.map(\.url)))
    }
}
