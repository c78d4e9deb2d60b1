import Catalogs
import CurateCore
import Foundation
import Imaging
import Predict
import Testing
import TestSupport

let fixtureImages = sharedDir.appendingPathComponent("fixtures/images")
let hasFixtures = FileManager.default.fileExists(atPath: fixtureImages.appendingPathComponent("multiface.jpg").path)

/// `curate predict` with the binary on the shared fixtures.
@Suite(.enabled(if: hasFixtures && hasModels, "skipped: ../shared/fixtures or Data/models (scripts/models.sh) is absent"))
struct PredictCommandTests {
    let pipeline = ["--pipeline", repoRoot.appendingPathComponent("Pipelines/emotions.yml").path,
                    "--models", repoRoot.appendingPathComponent("Data/models").path]

    func predict(_ args: [String]) throws -> (status: Int32, results: [[String: Any]], err: String) {
        let r = try runCurate(["predict", "--json"] + args + pipeline)
        let results = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]]) ?? []
        return (r.status, results, r.err)
    }

    func faces(_ result: [String: Any]) -> [FacePrediction] {
        let data = try! JSONSerialization.data(withJSONObject: result["faces"]!)
        return try! JSONDecoder().decode([FacePrediction].self, from: data)
    }

    @Test func astronautIsOneHappyFace() throws {
        let r = try predict([fixtureImages.appendingPathComponent("astronaut.png").path])
        #expect(r.status == 0, "\(r.err)")
        let f = faces(try #require(r.results.first))
        #expect(f.count == 1)
        #expect(f.first?.predicted == "happy")
        #expect(Set(f.first?.probs.keys ?? [:].keys) == ["angry", "happy", "sad"])
        // The table names the face and its label too.
        let table = try runCurate(["predict", fixtureImages.appendingPathComponent("astronaut.png").path] + pipeline)
        #expect(table.status == 0 && table.out.contains("1 face") && table.out.contains("happy"))
    }

    @Test func photosWithoutFacesGiveAnEmptyResultAndExitZero() throws {
        let r = try predict(["chelsea.png", "coffee.png"].map { fixtureImages.appendingPathComponent($0).path })
        #expect(r.status == 0)
        #expect(r.results.count == 2 && r.results.allSatisfy { faces($0).isEmpty })
        let table = try runCurate(["predict", fixtureImages.appendingPathComponent("chelsea.png").path] + pipeline)
        #expect(table.status == 0 && table.out.contains("no face found"))
    }

    @Test func multifaceBoxesMatchTheReference() throws {
        let r = try predict([fixtureImages.appendingPathComponent("multiface.jpg").path])
        let found = faces(try #require(r.results.first))
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: sharedDir.appendingPathComponent("fixtures/mtcnn-golden-fixtures.json"))) as! [String: Any]
        let reference = ((golden["images"] as! [String: Any])["multiface.jpg"] as! [String: Any])["faces"] as! [[String: Any]]
        #expect(found.count == 6 && reference.count == 6)
        for ref in reference {
            let box = (ref["box"] as! [NSNumber]).map(\.floatValue)
            let best = found.map { iou($0.box, box) }.max() ?? 0
            #expect(best > 0.99, "reference box \(box): best IoU \(best)")
        }
    }

    @Test func drawnCopyDecodesAndDiffersOnlyNearTheBoxes() throws {
        let dir = try makeTempDir("predict-draw")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, out) in [("multiface.jpg", "multi.png"), ("astronaut.png", "astro.jpg")] {
            let input = fixtureImages.appendingPathComponent(name)
            let target = dir.appendingPathComponent(out)
            let r = try predict([input.path, "--draw", target.path])
            #expect(r.status == 0, "\(r.err)")
            let found = faces(try #require(r.results.first))
            var original = try ImageDecoder.decode([UInt8](Data(contentsOf: input)))
            let drawn = try ImageDecoder.decode([UInt8](Data(contentsOf: target)))
            // A JPEG copy is compared with the same encoder's copy of the unmarked photo: blocks
            // are coded independently, so only blocks touching a mark may differ.
            if out.hasSuffix(".jpg") { original = try ImageDecoder.decode(ImageEncoder.jpeg(original.rgb(), quality: 92)) }
            #expect(drawn.width == original.width && drawn.height == original.height && drawn.channels == 3)
            let layouts = found.map { Annotation.layout($0, width: original.width, height: original.height) }
            // Near a box: its outline or its text block, grown by a JPEG block's reach (a 16-pixel
            // 4:2:0 block, and one more pixel for chroma upsampling).
            let grow = out.hasSuffix(".jpg") ? 17 : 0
            func near(_ x: Int, _ y: Int) -> Bool {
                layouts.contains { l in
                    [l.box, l.block].contains { r in x >= r.x0 - grow && x < r.x1 + grow && y >= r.y0 - grow && y < r.y1 + grow }
                }
            }
            let o = original.rgb()
            var changedFar = 0, changedNear = 0
            for y in 0..<o.height {
                for x in 0..<o.width {
                    let i = (y * o.width + x) * 3
                    let diff = (0..<3).map { abs(Int(o.pixels[i + $0]) - Int(drawn.pixels[i + $0])) }.max()!
                    guard diff > 0 else { continue }
                    if near(x, y) { changedNear += 1 } else { changedFar += 1 }
                }
            }
            #expect(changedFar == 0, "\(name): \(changedFar) pixels changed away from the boxes")
            #expect(changedNear > 100 * found.count, "\(name): marks missing")
            // The marks take a small part of the photo, and each box outline is red.
            let area = layouts.map { l in (l.block.x1 - l.block.x0) * (l.block.y1 - l.block.y0) }.reduce(0, +)
            #expect(Double(area) < 0.3 * Double(o.width * o.height))
            if grow == 0 {
                for l in layouts {
                    let x = min(max(l.box.x0, 0), o.width - 1) + l.thickness / 2
                    let y = min(max((l.box.y0 + l.box.y1) / 2, 0), o.height - 1)
                    let i = (y * o.width + x) * 3
                    #expect(drawn.pixels[i] > 200 && drawn.pixels[i + 1] < 60 && drawn.pixels[i + 2] < 60)
                }
            }
        }
    }

    @Test func unreadableInputsFailClearlyWhileOthersAreStillPredicted() throws {
        let dir = try makeTempDir("predict-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("notes.jpg")
        try "not an image".write(to: text, atomically: true, encoding: .utf8)
        let r = try predict([dir.appendingPathComponent("missing.png").path, text.path,
                             fixtureImages.appendingPathComponent("astronaut.png").path])
        #expect(r.status == 1)
        #expect(r.err.contains("missing.png") && r.err.contains("no such readable file"))
        #expect(r.err.contains("notes.jpg") && r.err.contains("not a readable JPEG or PNG"))
        #expect(r.results.count == 1 && faces(r.results[0]).count == 1)
        // A bad --draw target is refused before any work.
        let bad = try runCurate(["predict", fixtureImages.appendingPathComponent("astronaut.png").path, "--draw", dir.appendingPathComponent("x.gif").path] + pipeline)
        #expect(bad.status != 0 && bad.err.contains("--draw"))
    }

    @Test func urlsAreFetchedAndAddStoresThePhotoOnce() throws {
        let server = try FaultServer(root: fixtureImages)
        let ws = try makeTempDir("predict-add")
        defer { try? FileManager.default.removeItem(at: ws) }
        let url = "\(server.base)/astronaut.png"
        let common = ["--workspace", ws.path]
        // Nothing is stored without --add.
        let plain = try predict([url] + common)
        let first = try #require(plain.results.first)
        #expect(plain.status == 0 && faces(first).first?.predicted == "happy")
        #expect(!FileManager.default.fileExists(atPath: ws.appendingPathComponent("catalog.sqlite").path))
        for _ in 0..<2 {
            let r = try predict([url, fixtureImages.appendingPathComponent("chelsea.png").path, "--add", "happy"] + common)
            #expect(r.status == 0, "\(r.err)")
        }
        let status = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing).status()
        #expect(status.urls.total == 2 && status.urls.fetched == 2 && status.images.total == 2)
        #expect(status.labels == ["happy": 2])
        let prov = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing).provenance(url: url)
        #expect(prov?.state == .fetched && prov?.httpStatus == 200)
    }
}

func iou(_ a: [Float], _ b: [Float]) -> Float {
    let w = max(0, min(a[2], b[2]) - max(a[0], b[0])), h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    let inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)
}
