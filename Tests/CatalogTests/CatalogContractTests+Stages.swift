import Catalogs
import CurateCore
import Foundation
import Testing

/// What every backend must do stage by stage: hashing and clusters, face scans and the gate,
/// the split, model outputs and rankings, the review history, and the export's reads.
struct CatalogStageContractTests {
    @Test(arguments: Backend.allCases) func hashingTakesEachImageOnceAndClustersHideCopiesFromTheScan(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            let seed = Seed(cat: cat)
            try seed.fetched([("a", "happy"), ("b", "sad"), ("c", "happy")])
            #expect(try cat.imagesToHash().map(\.sha256) == ["a", "b", "c"])
            try cat.recordHashes([ImageHashes(sha256: "a", phash: 1, dhash: 2), ImageHashes(sha256: "b", phash: 3, dhash: 4),
                                  ImageHashes(sha256: "c", phash: nil, dhash: nil, error: "corrupt")])
            #expect(try cat.imagesToHash().isEmpty, "a hashing error is an outcome too")
            let hashed = try cat.hashedImages()
            #expect(hashed.map(\.sha256) == ["a", "b"] && hashed.map(\.phash) == [1, 3])
            #expect(hashed.map(\.labels) == [["happy"], ["sad"]])

            try cat.replaceClusters([ClusterRecord(id: 1, members: ["a", "b"], canonical: "a", labels: ["happy", "sad"])], threshold: 4)
            #expect(try cat.imagesToScan().map(\.sha256) == ["a", "c"], "b is a copy of a")
            let listing = try cat.clusterListings()
            #expect(listing.count == 1 && listing[0].conflict && listing[0].members.map(\.sha256).sorted() == ["a", "b"])
            #expect(try cat.status().images.clusters == 1 && cat.status().images.inClusters == 2)
            #expect(try cat.labelConflicts().map(\.cluster) == [1])

            try cat.replaceClusters([], threshold: 4)   // replaced, not added to
            #expect(try cat.clusterListings().isEmpty && cat.imagesToScan().count == 3)
        }
    }

    @Test(arguments: Backend.allCases) func aRescanReplacesAnImagesFacesAndTheGateOutcomeIsStored(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            let seed = Seed(cat: cat)
            try seed.fetched([("a", "happy"), ("b", "sad")])
            try seed.scanned(faces: ["a": 2, "b": 0])
            #expect(try cat.imagesToScan().isEmpty)
            #expect(try cat.faces(ofImage: "a").map(\.index) == [0, 1])
            #expect(try cat.imagesWithoutFaces().map(\.sha256) == ["b"])
            let s = try cat.status().faces
            #expect(s.total == 2 && s.imagesScanned == 2 && s.imagesWithFaces == 1 && s.imagesWithoutFace == 1)

            try cat.recordFaceScans([FaceScan(imageSHA256: "a", faces: [seed.face("a")], settings: "s2")])
            #expect(try cat.faces(ofImage: "a").count == 1)

            let gate = try cat.facesToGate()
            #expect(gate.count == 1 && gate[0].quality == FaceQuality(size: 30, inside: 1, sharpness: 50, brightness: 120))
            try cat.recordFaceGate([FaceGateUpdate(faceID: gate[0].faceID, quality: FaceQuality(size: 10, inside: 1, sharpness: 50, brightness: 120),
                                                   rejected: .tooSmall)])
            #expect(try cat.facesToGate().first?.rejected == .tooSmall)
            #expect(try cat.status().faces.rejected == ["too_small": 1])
            #expect(try cat.faceExportRows().first?.rejected == .tooSmall)
        }
    }

    @Test(arguments: Backend.allCases) func aSplitIsReplacedWholeAndCountedPerSplitAndLabel(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            let seed = Seed(cat: cat)
            try seed.fetched([("a", "happy"), ("b", "sad"), ("c", "sad")])
            try seed.scanned(faces: ["c": 0])
            let inputs = try cat.splitInputs()
            #expect(inputs.state == nil && inputs.images.map(\.sha256) == ["a", "b", "c"])
            #expect(inputs.images.map(\.scan) == [.faces(1), .faces(1), .faces(0)])
            #expect(inputs.images.map(\.labels) == [["happy"], ["sad"], ["sad"]])
            let ids = try seed.faceIDs()
            let rows = [FaceSplitRow(faceID: ids["a"]![0], split: .train, group: "a", label: "happy", excluded: nil),
                        FaceSplitRow(faceID: ids["b"]![0], split: .test, group: "b", label: "sad", excluded: nil)]
            try cat.recordSplit(SplitRecord(rows: rows, state: SplitState(ratio: "80/10/10", seed: 7), excluded: ["no_face": 1]))
            #expect(try cat.splitInputs().state == SplitState(ratio: "80/10/10", seed: 7))
            let st = try cat.status()
            #expect(st.splits == ["train": ["happy": 1], "test": ["sad": 1]] && st.excluded == ["no_face": 1])
            #expect(try cat.faceExportRows().map(\.split) == [.train, .test])

            try cat.recordSplit(SplitRecord(rows: [rows[0]], state: SplitState(ratio: "50/25/25", seed: 8), excluded: [:]))
            #expect(try cat.status().splits == ["train": ["happy": 1]])
        }
    }

    @Test(arguments: Backend.allCases) func modelOutputsAreStoredPerModelAndScoresReplaceTheRanking(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            let seed = Seed(cat: cat)
            try seed.fetched([("a", "happy"), ("b", "sad")])
            try seed.scanned()
            let ids = try seed.faceIDs()
            let (a, b) = (ids["a"]![0], ids["b"]![0])
            #expect(try cat.facesToScore(model: "m1").map(\.faceID) == [a, b])
            #expect(try cat.facesToScore(model: "m1").first?.landmarks.count == 5)
            try seed.probs([a], model: "m1")
            #expect(try cat.facesToScore(model: "m1").map(\.faceID) == [b])
            #expect(try cat.facesToScore(model: "m2").count == 2, "outputs are per model")
            let rows = try cat.scoringRows(model: "m1")
            #expect(rows.map(\.faceID) == [a] && rows[0].probs == [0.8, 0.1, 0.1] && rows[0].features == [1, 2])
            #expect(rows[0].label == "happy" && rows[0].sources == ["happy"])

            func score(_ id: Int64, flagged: Bool, sc: Float) -> FaceScore {
                FaceScore(faceID: id, probs: ["happy": 0.5, "sad": 0.5], label: "happy", predicted: "sad",
                          selfConfidence: sc, margin: -0.1, flagged: flagged)
            }
            try cat.replaceFaceScores([score(a, flagged: true, sc: 0.2), score(b, flagged: false, sc: 0.1)], model: "m1")
            #expect(try cat.status().scored == 2 && cat.status().flagged == 1)
            try cat.replaceFaceScores([score(b, flagged: false, sc: 0.1)], model: "m1")
            #expect(try cat.status().scored == 1 && cat.status().flagged == 0)
        }
    }

    @Test(arguments: Backend.allCases) func theQueueListsFlaggedFacesFirstAndReviewsCanBeUndoneInOrder(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            let seed = Seed(cat: cat)
            try seed.fetched([("a", "happy"), ("b", "happy"), ("c", "happy")])
            try seed.scanned()
            let ids = try seed.faceIDs()
            let (a, b, c) = (ids["a"]![0], ids["b"]![0], ids["c"]![0])
            try cat.replaceFaceScores([(a, false, Float(0.1)), (b, true, 0.5), (c, false, 0.05)].map { id, flagged, sc in
                FaceScore(faceID: id, probs: ["happy": sc, "sad": 1 - sc], label: "happy", predicted: "sad",
                          selfConfidence: sc, margin: sc - 0.5, flagged: flagged)
            }, model: "m")
            let page = try cat.reviewQueue(ReviewQuery(limit: 2))
            #expect(page.total == 3 && page.items.map(\.faceID) == [b, c])
            #expect(try cat.reviewQueue(ReviewQuery(after: c, limit: 10)).items.map(\.faceID) == [a], "pages continue after a face")

            let relabel = try cat.recordReview(faceID: b, action: .relabel, label: "sad", reviewer: "ann")
            #expect(relabel.oldLabel == "happy" && relabel.newLabel == "sad")
            _ = try cat.recordReview(faceID: c, action: .accept, label: nil, reviewer: "ann")
            #expect(try cat.reviewQueue(ReviewQuery()).items.map(\.faceID) == [a], "reviewed faces leave the queue")
            #expect(try cat.reviewItem(faceID: b)?.label == "sad")
            #expect(try cat.faceExportRows().first { $0.faceID == b }?.label == "sad")
            #expect(try cat.status().reviewed == ["relabel": 1, "accept": 1])

            #expect(try cat.undoLastReview(reviewer: "bob") == nil, "only one's own decisions")
            #expect(try cat.undoLastReview(reviewer: "ann")?.faceID == c)
            let undone = try cat.undoLastReview(reviewer: "ann")
            #expect(undone?.faceID == b && undone?.action == .undo && undone?.newLabel == "happy")
            #expect(try cat.undoLastReview(reviewer: "ann") == nil)
            #expect(try cat.reviewQueue(ReviewQuery()).items.map(\.faceID) == [b, c, a])
            #expect(try cat.reviewHistory().map(\.action) == [.relabel, .accept, .undo, .undo])
        }
    }

    @Test(arguments: Backend.allCases) func failedURLsAreListedByReasonInListOrder(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            _ = try cat.addURLs((1...3).map { URLEntry(url: "http://h/\($0)", label: "happy", listFile: "l", line: $0) })
            let ids = try cat.urlsToFetch(retryFailed: false).map(\.id)
            try cat.record(zip(ids, ["http_404", "timeout", "http_404"]).map { id, reason in
                var o = FetchOutcome(urlID: id, attempts: 2, elapsedSeconds: 1)
                o.error = FetchFailure(rawValue: reason)
                return o
            })
            #expect(try cat.failedURLs(reason: nil).map(\.url) == ["http://h/1", "http://h/2", "http://h/3"])
            #expect(try cat.failedURLs(reason: .http(404)).map(\.url) == ["http://h/1", "http://h/3"])
            #expect(try cat.status().failures == ["http_404": 2, "timeout": 1])
        }
    }
}
