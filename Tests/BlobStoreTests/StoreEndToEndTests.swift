import CurateCore
import Foundation
import Testing
import TestSupport
@testable import BlobStore

/// The pipeline with its photos and crops in S3 (a real SeaweedFS) gives the dataset the
/// workspace folder gives: fetch → dedup → faces → split → score → export on 45 shared photos.
@Suite(.enabled(if: hasDataset && hasModels && SeaweedS3.available,
                "skipped: needs ../shared, Data/models (scripts/models.sh) and SeaweedFS (scripts/seaweedfs.sh)"))
struct StoreEndToEndTests {
    @Test func anS3StoreMakesTheSameDatasetAsTheWorkspaceFolder() throws {
        let server = try SeaweedS3()
        let tmp = try makeTempDir("e2e-store")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let bucket = try server.bucket("curate-e2e", prefix: "scrape")

        let list = tmp.appendingPathComponent("photos.tsv")
        let rows = try datasetRows().enumerated().filter { $0.offset % 12 == 0 }.map(\.element)
        try rows.map { "\($0.label)\t\(datasetDir.appendingPathComponent($0.path).absoluteString)" }
            .joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let models = ["--models", repoRoot.appendingPathComponent("Data/models").path]
        var env = ProcessInfo.processInfo.environment
        env["AWS_ACCESS_KEY_ID"] = server.accessKey
        env["AWS_SECRET_ACCESS_KEY"] = server.secretKey

        /// The whole pipeline in `ws`; returns the face export, one object per face.
        func pipeline(_ ws: URL, store: [String]) throws -> [[String: Any]] {
            let common = ["--workspace", ws.path, "--pipeline", repoRoot.appendingPathComponent("Pipelines/emotions.yml").path] + store
            func curate(_ args: [String]) throws -> String {
                let r = try runProgram(try curateBinary(), args + common, environment: env)
                #expect(r.status == 0, "curate \(args.joined(separator: " ")) \(store): \(r.err)")
                return r.out
            }
            for step in [["fetch", list.path], ["dedup"], ["faces"] + models, ["split"], ["score"] + models] { _ = try curate(step) }
            return try curate(["export", "--format", "jsonl"]).split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
        }
        let inS3 = try pipeline(tmp.appendingPathComponent("ws-s3"), store: ["--store", "s3://curate-e2e/scrape?endpoint=\(server.endpoint)"])
        let inFolder = try pipeline(tmp.appendingPathComponent("ws-folder"), store: [])

        // Content-keyed: the same faces, labels, splits and scores either way.
        #expect(inS3.count >= 30)
        #expect(inS3.map(faceExportKey).sorted() == inFolder.map(faceExportKey).sorted())
        // The photos and crops are in the bucket, named by their bytes, and not in the workspace.
        let fm = FileManager.default
        #expect(!fm.fileExists(atPath: tmp.appendingPathComponent("ws-s3/images").path))
        #expect(!fm.fileExists(atPath: tmp.appendingPathComponent("ws-s3/faces").path))
        for f in inS3 {
            let crop = f["crop"] as! String
            let bytes = try bucket.get(crop)
            #expect(crop == "faces/\(ContentHash.sha256Hex(bytes).prefix(2))/\(ContentHash.sha256Hex(bytes)).png")
            let photo = f["image_sha256"] as! String
            #expect(try bucket.exists(Workspace.imageRelativePath(sha256: photo, ext: "jpg")))
        }
        // A wrong secret: the command fails with S3's refusal, and says so.
        var wrong = env
        wrong["AWS_SECRET_ACCESS_KEY"] = "wrong"
        let r = try runProgram(try curateBinary(), ["export", "--format", "imagefolder", "--out", tmp.appendingPathComponent("out").path,
                                                    "--workspace", tmp.appendingPathComponent("ws-s3").path,
                                                    "--store", "s3://curate-e2e/scrape?endpoint=\(server.endpoint)"], environment: wrong)
        #expect(r.status != 0 && r.err.contains("403"), "\(r.err)")
    }
}

/// The catalog remembers its store: later commands use it without `--store` and refuse another.
@Suite(.enabled(if: hasDataset, "skipped: ../shared dataset is absent"))
struct RecordedStoreTests {
    @Test func laterCommandsUseTheRecordedStoreAndRefuseAnother() throws {
        let tmp = try makeTempDir("recorded-store")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let list = tmp.appendingPathComponent("photos.tsv")
        let rows = try datasetRows().prefix(3)
        try rows.map { "\($0.label)\t\(datasetDir.appendingPathComponent($0.path).absoluteString)" }
            .joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let ws = ["--workspace", tmp.appendingPathComponent("ws").path]
        let blobs = tmp.appendingPathComponent("blobs")
        var env = ProcessInfo.processInfo.environment
        env["CURATE_STORE"] = nil
        func curate(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
            try runProgram(try curateBinary(), args + ws, environment: env)
        }
        #expect(try curate(["fetch", list.path, "--store", blobs.absoluteString]).status == 0)
        // No --store: the recorded one. Hashing reads every photo, so it must find them there.
        let dedup = try curate(["dedup"])
        #expect(dedup.status == 0, "\(dedup.err)")
        let images = try FileManager.default.subpathsOfDirectory(atPath: blobs.appendingPathComponent("images").path)
        #expect(images.filter { $0.hasSuffix(".jpg") }.count == 3)
        #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("ws/images").path))
        // The same store again is fine; another is refused, naming both, and changes nothing.
        #expect(try curate(["dedup", "--store", blobs.absoluteString]).status == 0)
        let other = try curate(["dedup", "--store", tmp.appendingPathComponent("elsewhere").absoluteString])
        #expect(other.status != 0 && other.err.contains("another store") && other.err.contains(blobs.path), "\(other.err)")
    }
}
