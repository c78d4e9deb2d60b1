import Catalogs
@testable import CurateCore
import Fetch
import Foundation
import Imaging
import Testing
@testable import Dedup

/// The stage on a real workspace: shared photos plus recompressed and resized copies,
/// fetched through file:// URLs.
@Suite(.enabled(if: DedupData.available, "skipped: ../shared/datasets/facial-expressions-3class is absent"))
struct DedupStageTests {
    @Test func copiesClusterWithTheirOriginalAndRerunsOnlyHashNewImages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curate-dedup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let originals = try DedupData.images(12)
        var entries: [URLEntry] = originals.enumerated().map { i, f in
            URLEntry(url: f.absoluteString, label: "happy", listFile: "orig.txt", line: i + 1)
        }
        // Two copies of the first photo: recompressed at quality 30, and half size.
        let photo = try ImageDecoder.decode([UInt8](Data(contentsOf: originals[0])))
        let q30 = dir.appendingPathComponent("q30.jpg")
        try Data(ImageEncoder.jpeg(photo, quality: 30)).write(to: q30)
        let half = dir.appendingPathComponent("half.jpg")
        try Data(ImageEncoder.jpeg(photo.resized(width: photo.width / 2, height: photo.height / 2, filter: .bilinear), quality: 90)).write(to: half)
        entries.append(URLEntry(url: q30.absoluteString, label: "happy", listFile: "copies.txt", line: 1))
        entries.append(URLEntry(url: half.absoluteString, label: "sad", listFile: "copies.txt", line: 2))

        let ws = Workspace(dir.appendingPathComponent("ws"))
        let catalog = try ws.openCatalog()
        _ = try catalog.addURLs(entries)
        _ = try FetchStage(workspace: ws, catalog: catalog, settings: FetchSettings()).run(retryFailed: false)

        let first = try DedupStage(workspace: ws, catalog: catalog).run(threshold: 8)
        #expect(first.hashed == 14)
        let rows = try catalog.imageExportRows()
        let byURL = Dictionary(uniqueKeysWithValues: rows.flatMap { r in r.urls.map { ($0, r) } })
        let orig = try #require(byURL[originals[0].absoluteString])
        let c1 = try #require(byURL[q30.absoluteString]), c2 = try #require(byURL[half.absoluteString])
        #expect(orig.cluster != nil && orig.cluster == c1.cluster && orig.cluster == c2.cluster)
        // Same pixel count as the recompressed copy, but fetched first; the half-size copy is smaller.
        #expect(orig.canonical && !c1.canonical && !c2.canonical)
        // The half-size copy was labelled sad: the cluster is a label conflict.
        let listing = try catalog.clusterListings()
        let cluster = try #require(listing.first { $0.id == orig.cluster })
        #expect(cluster.conflict && cluster.labels == ["happy", "sad"])
        #expect(try catalog.status().images.conflicts >= 1)
        #expect(rows.allSatisfy { $0.phash?.count == 16 && $0.dhash?.count == 16 })

        // A rerun hashes nothing and finds the same clusters.
        let again = try DedupStage(workspace: ws, catalog: catalog).run(threshold: 8)
        #expect(again.hashed == 0)
        #expect(again.clusters == first.clusters && again.imagesInClusters == first.imagesInClusters)
        #expect(try catalog.imageExportRows() == rows)

        // New fetches: only they are hashed, and clusters are updated.
        let q50 = dir.appendingPathComponent("q50.jpg")
        try Data(ImageEncoder.jpeg(photo, quality: 50)).write(to: q50)
        _ = try catalog.addURLs([URLEntry(url: q50.absoluteString, label: "happy", listFile: "more.txt", line: 1)])
        _ = try FetchStage(workspace: ws, catalog: catalog, settings: FetchSettings()).run(retryFailed: false)
        let third = try DedupStage(workspace: ws, catalog: catalog).run(threshold: 8)
        #expect(third.hashed == 1)
        #expect(try catalog.imageExportRows().first { $0.urls == [q50.absoluteString] }?.cluster == orig.cluster)
    }

    @Test func exportWritesEveryDocumentedFieldWithNullForNoCluster() throws {
        let row = ImageExportRow(sha256: "ab", path: "images/ab/ab.jpg", format: .jpeg, width: 1, height: 2, orientation: 6, bytes: 3,
                                 urls: ["http://x/y.jpg"], labels: ["happy"], phash: nil, dhash: nil, cluster: nil, canonical: true)
        let line = try JSONLines.encode([row])
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        for key in ["sha256", "urls", "labels", "width", "height", "orientation", "phash", "dhash", "cluster", "canonical"] {
            #expect(obj.keys.contains(key), "missing \(key)")
        }
        #expect(obj["cluster"] is NSNull)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
    }
}

enum DedupData {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/datasets/facial-expressions-3class")
    static var available: Bool { FileManager.default.fileExists(atPath: dir.appendingPathComponent("labels.csv").path) }

    static func images(_ n: Int) throws -> [URL] {
        let happy = dir.appendingPathComponent("images/happy")
        return try FileManager.default.contentsOfDirectory(atPath: happy.path).sorted().prefix(n)
            .map { happy.appendingPathComponent($0) }
    }
}
