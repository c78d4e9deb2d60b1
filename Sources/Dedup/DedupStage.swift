import CurateCore
import Dispatch
import Foundation
import Imaging

public struct DedupSummary: Sendable {
    public var hashed = 0
    public var hashFailures: [String: Int] = [:]
    public var hashSeconds = 0.0
    public var totalHashed = 0
    public var clusters = 0
    public var imagesInClusters = 0
    public var conflicts = 0
    public var threshold = 0
    public var clusterSeconds = 0.0
    public var hashRate: Double { hashSeconds > 0 ? Double(hashed) / hashSeconds : 0 }
}

/// `curate dedup`: hashes images that have no hashes yet, then rebuilds near-duplicate
/// clusters over all hashed images (cheap: an index query per image), picks each
/// cluster's canonical member, and records label conflicts. Nothing is deleted.
public struct DedupStage: Sendable {
    let workspace: Workspace
    let catalog: any DedupCatalog
    let progress: StageProgress?
    /// Images hashed between commits: bounds the work lost to a kill.
    let batchSize = 1024

    public init(workspace: Workspace, catalog: any DedupCatalog, progress: StageProgress? = nil) {
        self.workspace = workspace; self.catalog = catalog; self.progress = progress
    }

    /// Hashes what is left to hash, then clusters. `partial` clusters even while other processes
    /// still hold hashing work (their images join the clusters on the next dedup).
    public func run(threshold: Int, partial: Bool = false, policy: LeasePolicy = LeasePolicy(),
                    keeper: LeaseKeeper? = nil) throws -> DedupSummary {
        try catalog.status().require(.images, for: "dedup")
        guard (0...32).contains(threshold) else { throw CurateError("threshold must be between 0 and 32 bits, got \(threshold)") }
        var s = try hash(policy: policy, keeper: keeper)
        if Interrupt.requested { return s }
        try cluster(threshold: threshold, partial: partial, into: &s)
        return s
    }

    /// The per-item half: leases hashing shards until none is claimable (`curate worker` runs
    /// only this), committing every `batchSize` images under the lease.
    public func hash(policy: LeasePolicy = LeasePolicy(), keeper: LeaseKeeper? = nil) throws -> DedupSummary {
        var s = DedupSummary()
        let own = keeper == nil
        let keeper = try keeper ?? LeaseKeeper(queue: catalog, policy: policy, stages: WorkStage.hash.name)
        defer { if own { keeper.finish() } }
        let run = LeasedRun(queue: catalog, stage: .hash, policy: policy, keeper: keeper)
        let planned = try run.plan(retryFailed: false)
        progress?.start(total: planned)
        let t0 = Date()
        _ = try run.run { lease in
            let todo = try catalog.imagesToHash(shard: lease.shard)
            for start in stride(from: 0, to: todo.count, by: batchSize) {
                if Interrupt.requested { return }
                if keeper.isLost(lease) { throw LeaseLost(lease) }
                let batch = Array(todo[start..<min(todo.count, start + batchSize)])
                let hashes = hash(batch)
                try catalog.recordHashes(hashes, lease: lease)
                s.hashed += hashes.count
                for h in hashes { if let e = h.error { s.hashFailures[e, default: 0] += 1 } }
                progress?.update(done: s.hashed, detail: "")
            }
        }
        progress?.finish()
        s.hashSeconds = Date().timeIntervalSince(t0)
        return s
    }

    /// The global half: rebuilds the clusters over every hashed image, in one transaction.
    func cluster(threshold: Int, partial: Bool, into s: inout DedupSummary) throws {
        s.threshold = threshold
        let open = try catalog.queueStatus(liveWithin: 0).counts(.hash)
        if open.unfinished > 0 && !partial {
            throw CurateError("""
                \(counted(open.unfinished, "hashing shard")) (\(counted(open.openItems, "image"))) still in progress in other processes: \
                wait for them (curate status shows them), or pass --partial to cluster what is hashed now
                """)
        }
        let t1 = Date()
        let images = try catalog.hashedImages()
        let clusters = Self.clusters(images, threshold: threshold)
        try catalog.replaceClusters(clusters, threshold: threshold)
        s.clusterSeconds = Date().timeIntervalSince(t1)
        s.totalHashed = images.count
        s.clusters = clusters.count
        s.imagesInClusters = clusters.reduce(0) { $0 + $1.members.count }
        s.conflicts = try catalog.status().images.conflicts
    }

    /// Decodes and hashes in parallel on every core.
    func hash(_ batch: [ImageToHash]) -> [ImageHashes] {
        parallelMap(batch) { item in
            do {
                let bytes = try workspace.readBlob(item.path)
                let h = try PerceptualHash.compute(bytes)
                return ImageHashes(sha256: item.sha256, phash: h.phash, dhash: h.dhash)
            } catch let e as ImageProbeError {
                return ImageHashes(sha256: item.sha256, phash: nil, dhash: nil, error: e.reason)
            } catch {
                return ImageHashes(sha256: item.sha256, phash: nil, dhash: nil, error: "unreadable_file")
            }
        }
    }

    /// Connected components of "pHash distance ≤ threshold". The canonical member has the
    /// most pixels, then comes first in the URL lists, then has the smallest sha256 (a stable tie-break).
    public static func clusters(_ images: [HashedImage], threshold: Int) -> [ClusterRecord] {
        let index = HammingIndex(images.map(\.phash))
        var uf = UnionFind(images.count)
        for (a, b) in index.pairs(radius: threshold) { uf.union(a, b) }
        return uf.components().map { comp in
            let members = comp.map { images[Int($0)] }
            let best = members.min { a, b in
                if a.pixels != b.pixels { return a.pixels > b.pixels }
                if a.listOrder != b.listOrder { return a.listOrder < b.listOrder }
                return a.sha256 < b.sha256
            }!
            return ClusterRecord(id: members.map(\.listOrder).min()!, members: members.map(\.sha256),
                                 canonical: best.sha256, labels: Array(Set(members.flatMap(\.labels))).sorted())
        }
    }
}
