import Catalogs
import CurateCore
import Foundation
import Testing

/// What every catalog backend must do, whatever stores it: URLs, outcomes, provenance and
/// status. The stage-by-stage half is in CatalogContractTests+Stages.swift.
struct CatalogContractTests {
    func image(_ sha: String) -> ImageRecord { Seed.image(sha) }

    @Test(arguments: Backend.allCases) func addingTheSameListTwiceAddsNothing(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            let e = [URLEntry(url: "http://a/1", label: "happy", listFile: "l", line: 1),
                     URLEntry(url: "http://a/2", label: "sad", listFile: "l", line: 2)]
            #expect(try cat.addURLs(e) == { var s = AddSummary(); s.newURLs = 2; s.newLabels = 2; return s }())
            #expect(try cat.addURLs(e) == AddSummary())
            #expect(try cat.status().urls.total == 2)
        }
    }

    @Test(arguments: Backend.allCases) func textWithQuotesEscapesAndOtherScriptsComesBackAsWritten(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            let odd = "l\"q'\\b\n\tz é 表情 😀 \u{1}"
            _ = try cat.addURLs([URLEntry(url: "http://a/\(odd)", label: odd, listFile: odd, line: 1)])
            let id = try #require(try cat.urlsToFetch(retryFailed: false).first).id
            var o = FetchOutcome(urlID: id, attempts: 1, elapsedSeconds: 0.25)
            o.error = .http(500); o.errorDetail = odd; o.contentType = odd
            try cat.record([o])
            let p = try #require(try cat.provenance(url: "http://a/\(odd)"))
            #expect(p.labels == [URLLabel(label: odd, listFile: odd)])
            #expect(p.errorDetail == odd && p.contentType == odd && p.elapsedSeconds == 0.25)
        }
    }

    @Test(arguments: Backend.allCases) func oneURLWithTwoLabelsKeepsBoth(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            _ = try cat.addURLs([URLEntry(url: "http://a/1", label: "happy", listFile: "happy.txt", line: 1),
                                 URLEntry(url: "http://a/1", label: "sad", listFile: "sad.txt", line: 9)])
            let p = try #require(try cat.provenance(url: "http://a/1"))
            #expect(Set(p.labels) == [URLLabel(label: "happy", listFile: "happy.txt"), URLLabel(label: "sad", listFile: "sad.txt")])
            #expect(try cat.urlsToFetch(retryFailed: false).count == 1)
        }
    }

    @Test(arguments: Backend.allCases) func recordingOutcomesUpdatesStatusAndCountsDuplicates(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            _ = try cat.addURLs((1...4).map { URLEntry(url: "http://a/\($0)", label: $0 == 4 ? "sad" : "happy", listFile: "l", line: $0) })
            let ids = try cat.urlsToFetch(retryFailed: false).map(\.id)
            var ok1 = FetchOutcome(urlID: ids[0], attempts: 1, elapsedSeconds: 0.1)
            ok1.image = image("aa11"); ok1.sha256 = "aa11"; ok1.httpStatus = 200
            var ok2 = FetchOutcome(urlID: ids[1], attempts: 1, elapsedSeconds: 0.1)
            ok2.image = image("aa11"); ok2.sha256 = "aa11"   // same bytes, second URL
            var bad = FetchOutcome(urlID: ids[2], attempts: 4, elapsedSeconds: 9)
            bad.error = .http(503)
            #expect(try cat.record([ok1, ok2, bad]) == 1)

            let s = try cat.status()
            #expect(s.urls.total == 4 && s.urls.fetched == 2 && s.urls.failed == 1 && s.urls.pending == 1)
            #expect(s.failures == ["http_503": 1])
            #expect(s.images.total == 1)
            #expect(s.labels == ["happy": 1])
            #expect(try cat.urlsToFetch(retryFailed: false).map(\.id) == [ids[3]])
            #expect(try cat.urlsToFetch(retryFailed: true).map(\.id) == [ids[2], ids[3]])
            #expect(try cat.provenance(url: "http://a/3")?.attempts == 4)
        }
    }

    @Test(arguments: Backend.allCases) func imagesAreScannedAndNumberedInListOrderWhateverOrderDownloadsFinished(_ backend: Backend) throws {
        // Two runs of the same list whose downloads finish in opposite orders: the same scan
        // order, so the same face ids.
        func scanOrder(reversed: Bool) throws -> [String] {
            var order: [String] = []
            try backend.withCatalog { cat, _ throws in
                _ = try cat.addURLs((1...5).map { URLEntry(url: "http://a/\($0)", label: "happy", listFile: "l", line: $0) })
                var outcomes = try cat.urlsToFetch(retryFailed: false).enumerated().map { i, u in
                    var o = FetchOutcome(urlID: u.id, attempts: 1, elapsedSeconds: 0)
                    o.image = image("sha\(9 - i)"); o.sha256 = "sha\(9 - i)"
                    return o
                }
                if reversed { outcomes.reverse() }
                for o in outcomes { try cat.record([o]) }   // stored one by one, as they finish
                order = try cat.imagesToScan().map(\.sha256)
                try cat.recordFaceScans(order.map { sha in
                    FaceScan(imageSHA256: sha, faces: [FaceRecord(imageSHA256: sha, index: 0, box: [0, 0, 1, 1], probability: 1,
                                                                  landmarks: [], cropPath: "c", method: .aligned)], settings: "")
                })
                order = try cat.faceExportRows().map { "\($0.faceID):\($0.imageSHA256)" }
            }
            return order
        }
        let forward = try scanOrder(reversed: false)
        #expect(forward == ["1:sha9", "2:sha8", "3:sha7", "4:sha6", "5:sha5"])
        #expect(try scanOrder(reversed: true) == forward)
    }

    @Test(arguments: Backend.allCases) func oneImageReachedUnderTwoLabelsIsALabelConflictWithItsSources(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            _ = try cat.addURLs([URLEntry(url: "http://a/1", label: "happy", listFile: "happy.txt", line: 3),
                                 URLEntry(url: "http://b/1", label: "sad", listFile: "sad.txt", line: 7),
                                 URLEntry(url: "http://c/2", label: "sad", listFile: "sad.txt", line: 8)])
            let ids = try cat.urlsToFetch(retryFailed: false).map(\.id)
            var outcomes: [FetchOutcome] = []
            for (id, sha) in zip(ids, ["same", "same", "other"]) {
                var o = FetchOutcome(urlID: id, attempts: 1, elapsedSeconds: 0)
                o.image = image(sha); o.sha256 = sha
                outcomes.append(o)
            }
            try cat.record(outcomes)
            let conflicts = try cat.labelConflicts()
            #expect(conflicts.count == 1)
            #expect(conflicts.first?.cluster == nil && conflicts.first?.labels == ["happy", "sad"])
            #expect(conflicts.first?.members.map(\.sha256) == ["same"])
            #expect(conflicts.first?.members.first?.sources == [
                LabelConflict.Source(url: "http://a/1", label: "happy", listFile: "happy.txt", line: 3),
                LabelConflict.Source(url: "http://b/1", label: "sad", listFile: "sad.txt", line: 7)])
            #expect(try cat.status().images.conflicts == 1)
        }
    }

    @Test(arguments: Backend.allCases) func statusJSONHasTheDocumentedShape(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            let json = try cat.status().json()
            let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            #expect(Set(obj.keys) == ["urls", "failures", "images", "labels", "faces", "splits", "excluded", "scored", "flagged", "reviewed"])
            #expect(Set((obj["images"] as! [String: Int]).keys) == ["total", "hashed", "in_clusters", "clusters", "conflicts"])
            #expect(Set((obj["faces"] as! [String: Any]).keys).isSuperset(of: ["total", "images_with_faces", "images_without_face", "rejected"]))
            #expect(Set((obj["urls"] as! [String: Int]).keys) == ["total", "fetched", "failed", "pending"])
        }
    }

    @Test(arguments: Backend.allCases) func reopeningAMigratedCatalogKeepsItsData(_ backend: Backend) throws {
        try backend.withCatalog { cat, ws throws in
            _ = try cat.addURLs([URLEntry(url: "http://a/1", label: "happy", listFile: "l", line: 1)])
            let again = try backend.reopen(ws)
            #expect(try again.status().urls.total == 1)
        }
    }
}

extension CatalogContractTests {
    @Test(arguments: Backend.allCases)
    func theFirstRecordedStoreStays(_ backend: Backend) throws {
        try backend.withCatalog { cat, ws throws in
            #expect(try cat.recordedStore() == nil)
            #expect(try cat.recordStore("s3://a?endpoint=http://h:1") == "s3://a?endpoint=http://h:1")
            #expect(try cat.recordStore("file:///other") == "s3://a?endpoint=http://h:1")
            #expect(try backend.reopen(ws).recordedStore() == "s3://a?endpoint=http://h:1")
        }
    }
}
