import BlobStore
import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport

/// Four `curate worker` processes share one catalog (SQLite, or PostgreSQL as machines would) and
/// one blob store (a folder as a shared mount, or an S3 bucket); one is killed (SIGKILL, right
/// after it stored a face crop and before the row naming it committed). The dataset comes out as
/// a single `curate` process makes it.
@Suite(.enabled(if: hasDataset && hasModels, "skipped: needs ../shared and Data/models (scripts/models.sh)"))
struct ManyWorkersTests {
    @Test func fourWorkersOneKilledOverASharedFolderMakeTheSingleProcessDataset() throws {
        try fourWorkersOneKilled(s3: nil)
    }

    @Test(.enabled(if: SeaweedS3.available, Comment(rawValue: SeaweedS3.skipReason)))
    func fourWorkersOneKilledOverS3MakeTheSingleProcessDataset() throws {
        try fourWorkersOneKilled(s3: try SeaweedS3())
    }

    @Test(.enabled(if: PostgresServer.available, Comment(rawValue: PostgresServer.skipReason)))
    func fourWorkersOneKilledOnPostgreSQLOverASharedFolderMakeTheSingleProcessDataset() throws {
        try fourWorkersOneKilled(s3: nil, postgres: try PostgresServer.shared().createDatabase())
    }

    @Test(.enabled(if: PostgresServer.available && SeaweedS3.available,
                   Comment(rawValue: PostgresServer.skipReason + " " + SeaweedS3.skipReason)))
    func fourWorkersOneKilledOnPostgreSQLOverS3MakeTheSingleProcessDataset() throws {
        try fourWorkersOneKilled(s3: try SeaweedS3(), postgres: try PostgresServer.shared().createDatabase())
    }

    /// The blobs in a folder (`s3` nil) or in a bucket of that server; the catalog in the
    /// workspace (SQLite) or in that PostgreSQL database, made by `curate init`.
    func fourWorkersOneKilled(s3: SeaweedS3?, postgres: String? = nil) throws {
        let tmp = try makeTempDir("workers")
        defer { try? FileManager.default.removeItem(at: tmp) }
        var env = ProcessInfo.processInfo.environment
        var bucket: S3BlobStore?
        if let s3 {
            env["AWS_ACCESS_KEY_ID"] = s3.accessKey
            env["AWS_SECRET_ACCESS_KEY"] = s3.secretKey
            bucket = try s3.bucket("workers")
        }
        let list = tmp.appendingPathComponent("photos.tsv")
        let rows = try datasetRows().enumerated().filter { $0.offset % 6 == 0 }.map(\.element)
        let faults = (1...4).map { "sad\tfile:///nonexistent/curate-missing-\($0).jpg" }
        try (rows.map { "\($0.label)\t\(datasetDir.appendingPathComponent($0.path).absoluteString)" } + faults)
            .joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let models = ["--models", repoRoot.appendingPathComponent("Data/models").path]
        let pipeline = ["--pipeline", repoRoot.appendingPathComponent("Pipelines/emotions.yml").path]
        let blobs = tmp.appendingPathComponent("blobs")
        let store = s3.map { "s3://workers?endpoint=\($0.endpoint)" } ?? blobs.absoluteString
        let many = ["--workspace", tmp.appendingPathComponent("ws-many").path, "--store", store] + pipeline
            + (postgres.map { ["--catalog", $0] } ?? [])
        let one = ["--workspace", tmp.appendingPathComponent("ws-one").path] + pipeline

        @discardableResult
        func curate(_ args: [String], _ common: [String]) throws -> String {
            let r = try runProgram(try curateBinary(), args + common, environment: env)
            #expect(r.status == 0, "curate \(args.joined(separator: " ")): \(r.err)")
            return r.out
        }
        /// `count` workers at once (the first with `fault` armed, started a moment before the others
        /// so that it surely claims a shard); returns their exit statuses.
        func workers(_ count: Int, stages: String, fault: String? = nil) throws -> [Int32] {
            let procs = try (0..<count).map { i -> Process in
                let p = Process()
                p.executableURL = try curateBinary()
                p.arguments = ["worker", "--stages", stages, "--until-idle", "--shard-size", "8", "--lease", "5"] + models + many
                var workerEnv = env
                if i == 0, let fault { workerEnv["CURATE_FAULT"] = fault }
                p.environment = workerEnv
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                if i == 0 && fault != nil { Thread.sleep(forTimeInterval: 0.3) }
                return p
            }
            return procs.map { $0.waitUntilExit(); return $0.terminationStatus }
        }

        // Many processes: the lists recorded once, then each per-item phase in four workers and
        // each global step once (faces scan only the copies dedup keeps, as a single run does).
        // Fetch shards of one site are fetched one at a time (per-site limits hold across workers).
        if postgres != nil { try curate(["init"], many) }
        try curate(["fetch", "--enqueue", list.path], many)
        #expect(try workers(4, stages: "fetch,hash") == [0, 0, 0, 0])
        try curate(["dedup"], many)
        // The first faces worker dies right after storing its first crop, before recording it.
        let scanned = try workers(4, stages: "faces", fault: "kill-after-blob-write:1")
        #expect(scanned[0] == SIGKILL && scanned.dropFirst().allSatisfy { $0 == 0 }, "exit statuses \(scanned)")
        // Started after the others ended: finds nothing left, or takes over what the killed one held.
        #expect(try workers(1, stages: "faces") == [0])
        try curate(["split"], many)
        #expect(try workers(4, stages: "score") == [0, 0, 0, 0])
        try curate(["score"] + models, many)

        // One process, the same list.
        for step in [["fetch", list.path], ["dedup"], ["faces"] + models, ["split"], ["score"] + models] {
            let r = try runProgram(try curateBinary(), step + one)
            // fetch exits 0 with failed URLs recorded (the missing files); anything else must succeed.
            #expect(r.status == 0, "curate \(step.joined(separator: " ")): \(r.err)")
        }

        // Every URL terminal, the missing files failed.
        let catalog = try postgres.map { try CatalogFactory.open(try CatalogLocation(parsing: $0), .existing) }
            ?? Workspace(tmp.appendingPathComponent("ws-many")).openExistingCatalog()
        let provenance = try catalog.allProvenance()
        #expect(provenance.count == rows.count + faults.count)
        #expect(provenance.allSatisfy { $0.state == .fetched || $0.state == .failed })
        #expect(provenance.filter { $0.state == .failed }.count == faults.count)
        // Only the killed worker's shard was tried twice; every shard is done.
        let shards = try catalog.shards()
        #expect(shards.allSatisfy { $0.state == "done" }, "\(shards.filter { $0.state != "done" })")
        #expect(shards.filter { $0.attempts > 1 }.count == 1, "\(shards.filter { $0.attempts > 1 })")
        #expect(shards.filter { $0.stage == "fetch" }.count > 4)
        // Every blob's name is its bytes' sha256; no partial files anywhere.
        let fm = FileManager.default
        if let bucket {
            // S3 has no partial objects; read back each photo and crop the catalog names.
            var checked = 0
            for f in try catalog.faceExportRows() {
                let bytes = try bucket.get(f.crop)
                #expect(f.crop.hasSuffix(ContentHash.sha256Hex(bytes) + ".png"), "\(f.crop)")
                let photo = Workspace.imageRelativePath(sha256: f.imageSHA256, ext: "jpg")
                #expect(ContentHash.sha256Hex(try bucket.get(photo)) == f.imageSHA256)
                checked += 1
            }
            #expect(checked > rows.count / 2)
            #expect(!fm.fileExists(atPath: tmp.appendingPathComponent("ws-many/images").path))
        } else {
            var checked = 0
            for dir in ["images", "faces"] {
                for sub in try fm.contentsOfDirectory(atPath: blobs.appendingPathComponent(dir).path) {
                    for name in try fm.contentsOfDirectory(atPath: blobs.appendingPathComponent("\(dir)/\(sub)").path) {
                        let bytes = try [UInt8](Data(contentsOf: blobs.appendingPathComponent("\(dir)/\(sub)/\(name)")))
                        #expect(name.split(separator: ".")[0] == ContentHash.sha256Hex(bytes), "\(dir)/\(sub)/\(name)")
                        checked += 1
                    }
                }
            }
            #expect(checked > rows.count)
            #expect(((try? fm.contentsOfDirectory(atPath: blobs.appendingPathComponent("tmp").path)) ?? []).isEmpty)
        }
        #expect(((try? fm.contentsOfDirectory(atPath: tmp.appendingPathComponent("ws-many/tmp").path)) ?? []).isEmpty)

        // The face export, content-keyed, equals the single process's.
        func faces(_ common: [String]) throws -> [String] {
            try curate(["export", "--format", "jsonl"], common).split(separator: "\n").map { line in
                faceExportKey(try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])
            }.sorted()
        }
        let manyFaces = try faces(many)
        #expect(manyFaces.count > rows.count / 2)
        #expect(manyFaces == (try faces(one)))
    }
}
