import ArgumentParser
import Catalogs
import CurateCore
import Foundation

/// What the catalog itself sustains, without network or pixels: `queue-fill` records N synthetic
/// URLs (on many sites) and plans their fetch shards; then any number of `queue-drain` processes
/// (on any machines) lease shards, record a fetched outcome per URL in batches under the lease,
/// and complete them, as `curate worker --stages fetch` does. The script divides items by wall time.
struct QueueFill: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue-fill")
    @Option(help: "Catalog URL (postgres://… or sqlite:PATH); made if missing.") var catalog: String
    @Option var items = 100_000
    @Option var sites = 50
    @Option var shardSize = 1_000

    func run() throws {
        let location = try CatalogLocation(parsing: catalog)
        let cat = try CatalogFactory.open(location, .initialize)
        let t0 = Date()
        for start in stride(from: 0, to: items, by: 10_000) {
            _ = try cat.addURLs((start..<min(start + 10_000, items)).map { i in
                URLEntry(url: "http://site\(i % sites).example/\(i).jpg", label: ["angry", "happy", "sad"][i % 3],
                         listFile: "bench.txt", line: i + 1)
            })
        }
        let added = Date().timeIntervalSince(t0)
        let shards = try cat.planShards(.fetch, policy: LeasePolicy(shardSize: shardSize), retryFailed: false) { url in
            URL(string: url)?.host ?? url
        }
        print(String(format: "queue-fill: %d URLs recorded in %.2f s (%.0f/s), %d shards planned in %.2f s",
                     items, added, Double(items) / added, shards, Date().timeIntervalSince(t0) - added))
    }
}

struct QueueDrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue-drain")
    @Option var catalog: String
    @Option(help: "Outcomes per commit (the fetch stage commits every 64 or so).") var batch = 100

    func run() throws {
        let cat = try CatalogFactory.open(try CatalogLocation(parsing: catalog), .existing)
        let me = WorkerID.current
        try cat.registerWorker(me, stages: "bench")
        let policy = LeasePolicy(seconds: 60)
        var done = 0, shards = 0
        let t0 = Date()
        while let lease = try cat.claimShard(.fetch, worker: me, policy: policy) {
            let pending = try cat.urlsToFetch(retryFailed: false, shard: lease.shard)
            for start in stride(from: 0, to: pending.count, by: batch) {
                let outcomes = pending[start..<min(start + batch, pending.count)].map { u in
                    // A distinct image per URL (content hash from the id): the rows a real fetch writes.
                    let sha = ContentHash.sha256Hex(Array("bench\(u.id)".utf8))
                    var o = FetchOutcome(urlID: u.id, attempts: 1, elapsedSeconds: 0.01)
                    o.image = ImageRecord(sha256: sha, path: Workspace.imageRelativePath(sha256: sha, ext: "jpg"),
                                          format: .jpeg, width: 640, height: 480, bytes: 50_000)
                    o.sha256 = sha; o.httpStatus = 200; o.format = .jpeg; o.width = 640; o.height = 480; o.bytes = 50_000
                    return o
                }
                try cat.record(outcomes, lease: lease)
            }
            try cat.completeShard(lease)
            done += pending.count
            shards += 1
        }
        try cat.retireWorker(me)
        let s = Date().timeIntervalSince(t0)
        print(String(format: "queue-drain: %d items in %d shards, %.2f s, %.0f items/s", done, shards, s, Double(done) / max(s, 1e-9)))
    }
}
