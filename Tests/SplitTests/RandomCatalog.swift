import Catalogs
import CurateCore
import Foundation
import TestSupport

/// Builds catalogs the way the stages would leave them (fetched images with labels, face scans,
/// near-duplicate clusters), with random shapes: multi-face photos, photos without faces,
/// duplicate copies, and photos whose sources disagree on the label.
struct RandomCatalog {
    static let labels = ["angry", "happy", "sad"]
    let dir: URL
    let catalog: any CatalogBackend
    var rng: SplitMix
    var imageCount = 0
    /// Expected exclusions, tallied as images are made.
    var expected: [String: Int] = [:]
    var clusters: [ClusterRecord] = []

    init(seed: UInt64) throws {
        dir = try makeTempDir("split")
        catalog = try CatalogFactory.open(.sqlite(path: dir.appendingPathComponent("catalog.sqlite").path), .create)
        rng = SplitMix(seed)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// Adds `n` photos (plus copies of some) and records their scans and the clusters.
    mutating func add(_ n: Int) throws {
        var scans: [FaceScan] = []
        for _ in 0..<n {
            let label = Self.labels[Int(rng.next() % 3)]
            let conflict = rng.next() % 100 < 4
            let sha = try fetch(labels: conflict ? [label, Self.labels[(Self.labels.firstIndex(of: label)! + 1) % 3]] : [label])
            let r = rng.next() % 100
            let faces = r < 10 ? 0 : r < 80 ? 1 : r < 95 ? Int(2 + rng.next() % 2) : Int(4 + rng.next() % 5)
            scans.append(scan(sha, faces: faces))
            if faces == 0 { expected["no_face", default: 0] += 1 }
            else if conflict { expected["label_conflict", default: 0] += faces }

            // Some photos have near-duplicate copies, once in a while labelled differently.
            if rng.next() % 100 < 8 {
                let copyConflict = rng.next() % 100 < 20
                let copyLabel = copyConflict ? Self.labels[(Self.labels.firstIndex(of: label)! + 2) % 3] : label
                let copy = try fetch(labels: [copyLabel])
                expected["duplicate", default: 0] += 1
                // Scanned before dedup marked it a copy: its faces exist but must stay out.
                if rng.next() % 2 == 0 { scans.append(scan(copy, faces: faces)) }
                let labels = Array(Set([label, copyLabel] + (conflict ? [Self.labels[(Self.labels.firstIndex(of: label)! + 1) % 3]] : []))).sorted()
                clusters.append(ClusterRecord(id: Int64(clusters.count + 1), members: [sha, copy], canonical: sha, labels: labels))
                if labels.count > 1 && !conflict && faces > 0 { expected["label_conflict", default: 0] += faces }
            }
        }
        try catalog.recordFaceScans(scans)
        try catalog.replaceClusters(clusters, threshold: 4)
    }

    /// One fetched image with a URL per label; returns its sha256.
    mutating func fetch(labels: [String]) throws -> String {
        imageCount += 1
        let sha = String(format: "%064x", imageCount)
        let urls = labels.enumerated().map { i, l in URLEntry(url: "https://example.test/\(sha.suffix(8))-\(i).jpg", label: l, listFile: "\(l).txt", line: imageCount) }
        _ = try catalog.addURLs(urls)
        let pending = try catalog.urlsToFetch(retryFailed: false)
        try catalog.record(pending.map { p in
            var o = FetchOutcome(urlID: p.id, attempts: 1, elapsedSeconds: 0.01)
            o.sha256 = sha
            o.image = ImageRecord(sha256: sha, path: "images/\(sha).jpg", format: .jpeg, width: 100, height: 100, bytes: 1000)
            return o
        })
        return sha
    }

    func scan(_ sha: String, faces: Int) -> FaceScan {
        FaceScan(imageSHA256: sha, faces: (0..<faces).map { i in
            FaceRecord(imageSHA256: sha, index: i, box: [1, 2, 30, 40], probability: 0.99,
                       landmarks: Array(repeating: [5, 6], count: 5), cropPath: "faces/\(sha)-\(i).png", method: .aligned)
        }, settings: "test")
    }
}
