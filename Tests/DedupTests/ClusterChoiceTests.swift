import CurateCore
import Foundation
import Testing
@testable import Dedup

struct ClusterChoiceTests {
    func img(_ order: Int64, _ sha: String, _ hash: UInt64, pixels: Int, _ labels: [String]) -> HashedImage {
        HashedImage(listOrder: order, sha256: sha, phash: hash, pixels: pixels, labels: labels)
    }

    @Test func canonicalHasMostPixelsThenComesFirstInTheLists() {
        let images = [
            img(5, "a", 0b1111, pixels: 100, ["happy"]),
            img(9, "b", 0b1110, pixels: 400, ["happy"]),   // biggest
            img(3, "c", 0b0111, pixels: 400, ["happy"]),   // as big, earlier in the lists
            img(7, "far", ~0, pixels: 1000, ["sad"]),
        ]
        let clusters = DedupStage.clusters(images, threshold: 2)
        #expect(clusters.count == 1)
        #expect(clusters[0].members.sorted() == ["a", "b", "c"])
        #expect(clusters[0].canonical == "c")
        #expect(clusters[0].id == 3, "a cluster is named by its first member's place in the lists")
        // Whatever order the images come in (fetch stores them as downloads finish).
        #expect(DedupStage.clusters(images.reversed(), threshold: 2).map(\.id) == [3])
        #expect(!clusters[0].conflict)
    }

    @Test func membersWithDifferentLabelsAreAConflict() {
        let images = [img(1, "a", 0, pixels: 1, ["happy"]), img(2, "b", 1, pixels: 1, ["sad"])]
        let c = DedupStage.clusters(images, threshold: 1)
        #expect(c.first?.labels == ["happy", "sad"])
        #expect(c.first?.conflict == true)
        #expect(DedupStage.clusters(images, threshold: 0).isEmpty)
    }
}
