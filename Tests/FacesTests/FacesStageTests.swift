import Catalogs
import CurateCore
import Foundation
import Imaging
import Testing
@testable import Faces

/// The stage on a workspace holding shared fixture photos (a group, single faces, a cat).
@Suite(.enabled(if: Golden.available, "skipped: ../shared fixtures or Data/models (scripts/models.sh) are absent"))
struct FacesStageTests {
    @Test func everyFaceIsCroppedAndRecordedAndARerunDoesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curate-faces-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = Workspace(dir)
        let catalog = try ws.openCatalog()
        try ws.prepareForWriting()
        // Store three fixture photos as fetch would (content-addressed, one image row each).
        var outcomes: [FetchOutcome] = []
        var shas: [String: String] = [:]
        for (i, name) in ["multiface.jpg", "chelsea.png", "paul_rudd.jpg"].enumerated() {
            let bytes = try [UInt8](Data(contentsOf: Golden.shared.appendingPathComponent("fixtures/images/\(name)")))
            let h = try ImageProbe.probe(bytes, maxPixels: 100_000_000)
            let sha = "\(i)" + String(repeating: "a", count: 63)
            let rel = Workspace.imageRelativePath(sha256: sha, ext: h.format.fileExtension)
            try FileManager.default.createDirectory(at: ws.url(relative: rel).deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: ws.url(relative: rel))
            _ = try catalog.addURLs([URLEntry(url: "file:///\(name)", label: "happy", listFile: "l", line: i + 1)])
            var o = FetchOutcome(urlID: Int64(i + 1), attempts: 1, elapsedSeconds: 0)
            o.sha256 = sha
            o.image = ImageRecord(sha256: sha, path: rel, format: h.format, width: h.width, height: h.height, bytes: bytes.count)
            outcomes.append(o)
            shas[name] = sha
        }
        try catalog.record(outcomes)

        let stage = try FacesStage(workspace: ws, catalog: catalog, settings: FaceSettings(), modelsDir: Golden.models)
        let summary = try stage.run()
        #expect(summary.scanned == 3)
        let group = try catalog.faces(ofImage: shas["multiface.jpg"]!)
        #expect(group.count == 6, "the reference finds 6 faces with p ≥ 0.9")
        #expect(try catalog.faces(ofImage: shas["chelsea.png"]!).isEmpty)
        #expect(try catalog.faces(ofImage: shas["paul_rudd.jpg"]!).count == 1)
        for f in group {
            let crop = try ImageDecoder.decode([UInt8](Data(contentsOf: ws.url(relative: f.cropPath))))
            #expect(crop.width == 160 && crop.height == 160 && crop.channels == 3)
            #expect(f.landmarks.count == 5 && f.probability >= 0.9)
        }
        let status = try catalog.status().faces
        #expect(status.imagesScanned == 3 && status.imagesWithFaces == 2 && status.imagesWithoutFace == 1 && status.total == 7)
        let rows = try catalog.faceExportRows()
        #expect(rows.count == 7 && rows.allSatisfy { $0.label == "happy" && $0.url != nil && $0.crop.hasSuffix(".png") })

        #expect(try stage.run().scanned == 0)
        #expect(try catalog.status().faces == status)
    }
}
