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

    public func run(threshold: Int) throws -> DedupSummary {
        try catalog.status().require(.images, for: "dedup")
        guard (0...32).contains(threshold) else { throw CurateError("threshold must be between 0 and 32 bits, got \(threshold)") }
        var s = DedupSummary()
        s.threshold = threshold
        let todo = try catalog.imagesToHash()
        progress?.start(total: todo.count)
        let t0 = Date()
        for start in stride(from: 0, to: todo.count, by: batchSize) {
            let batch = Array(todo[start..<min(todo.count, start + batchSize)])
            let hashes = hash(batch)
            try catalog.recordHashes(hashes)
            s.hashed += hashes.count
            for h in hashes { if let e = h.error { s.hashFailures[e, default: 0] += 1 } }
            progress?.update(done: start + batch.count, detail: "")
        }
        progress?.finish()
        s.hashSeconds = Date().timeIntervalSince(t0)

        let t1 = Date()
        let images = try catalog.hashedImages()
        let clusters = Self.clusters(images, threshold: threshold)
        try catalog.replaceClusters(clusters, threshold: threshold)
        s.clusterSeconds = Date().timeIntervalSince(t1)
        s.totalHashed = images.count
        s.clusters = clusters.count
        s.imagesInClusters = clusters.reduce(0) { $0 + $1.members.count }
        s.conflicts = try catalog.status().images.conflicts
        return s
    }

    /// Decodes and hashes in parallel on every core.
    func hash(_ batch: [ImageToHash]) -> [ImageHashes] {
        parallelMap(batch) { item in
            do {
                let bytes = try workspace.readFile(item.path)
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
