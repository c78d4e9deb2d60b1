import CurateCore
import Foundation
import Testing
@testable import Dedup

struct ClusterChoiceTests {
    func img(_ id: Int64, _ sha: String, _ hash: UInt64, pixels: Int, at t: Double, _ labels: [String]) -> HashedImage {
        HashedImage(rowID: id, sha256: sha, phash: hash, pixels: pixels, firstFetchedAt: Date(timeIntervalSince1970: t), labels: labels)
    }

    @Test func canonicalHasMostPixelsThenWasFetchedFirst() {
        let images = [
            img(5, "a", 0b1111, pixels: 100, at: 3, ["happy"]),
            img(2, "b", 0b1110, pixels: 400, at: 9, ["happy"]),   // biggest
            img(9, "c", 0b0111, pixels: 400, at: 1, ["happy"]),   // as big, fetched earlier
            img(7, "far", ~0, pixels: 1000, at: 0, ["sad"]),
        ]
        let clusters = DedupStage.clusters(images, threshold: 2)
        #expect(clusters.count == 1)
        #expect(clusters[0].members.sorted() == ["a", "b", "c"])
        #expect(clusters[0].canonical == "c")
        #expect(clusters[0].id == 2, "a cluster is named by its smallest row id")
        #expect(!clusters[0].conflict)
    }

    @Test func membersWithDifferentLabelsAreAConflict() {
        let images = [img(1, "a", 0, pixels: 1, at: 0, ["happy"]), img(2, "b", 1, pixels: 1, at: 0, ["sad"])]
        let c = DedupStage.clusters(images, threshold: 1)
        #expect(c.first?.labels == ["happy", "sad"])
        #expect(c.first?.conflict == true)
        #expect(DedupStage.clusters(images, threshold: 0).isEmpty)
    }
}
