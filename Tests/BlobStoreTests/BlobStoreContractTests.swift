import CurateCore
import Foundation
import Testing
import TestSupport
@testable import BlobStore

/// What every store must do, on a folder and on a real S3 server (SeaweedFS, started here).
struct BlobStoreContractTests {
    /// Puts, gets and existence; a second put of a key is `alreadyPresent` and changes nothing;
    /// bytes come back exactly, an empty blob and a 1 MiB one included.
    func contract(_ store: any BlobStore) throws {
        let big = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let key = "images/ab/" + String(repeating: "ab", count: 32) + ".jpg"
        #expect(try !store.exists(key))
        #expect(try store.put(key, big) == .stored)
        #expect(try store.exists(key))
        #expect(try store.get(key) == big)
        #expect(try store.put(key, big) == .alreadyPresent)
        #expect(try store.get(key) == big)
        #expect(try store.put("faces/empty.png", []) == .stored)
        #expect(try store.get("faces/empty.png") == [])
        #expect(throws: CurateError.self) { try store.get("faces/missing.png") }
        for bad in ["", "/etc/passwd", "images/../../x", "images//x", "./x"] {
            #expect(throws: CurateError.self) { try store.put(bad, [1]) }
        }
    }

    @Test func aFolderKeepsTheContract() throws {
        let dir = try makeTempDir("blobs")
        defer { try? FileManager.default.removeItem(at: dir) }
        try contract(DirectoryBlobStore(root: dir))
        // Nothing left in the temp folder: every write was renamed into place.
        let tmp = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("tmp").path)) ?? []
        #expect(tmp.isEmpty)
    }

    @Test(.enabled(if: SeaweedS3.available, Comment(rawValue: SeaweedS3.skipReason)))
    func anS3BucketKeepsTheContractAndRefusesAWrongSecret() throws {
        let server = try SeaweedS3()
        let store = try server.bucket("curate-test", prefix: "run/1")
        let location = store.location
        try contract(store)

        let wrong = S3BlobStore(location, credentials: S3Credentials(accessKey: server.accessKey, secretKey: "not-the-secret"))
        let key = "images/ab/" + String(repeating: "ab", count: 32) + ".jpg"
        do {
            _ = try wrong.get(key)
            Issue.record("a request signed with the wrong secret was served")
        } catch let e as CurateError {
            #expect(e.description.contains("403"), "\(e)")
        }
        #expect(throws: CurateError.self) { try wrong.put("images/cd/x.jpg", [1, 2, 3]) }
        #expect(try !store.exists("images/cd/x.jpg"))
        // Unreachable server: a clear error, not a hang.
        let closed = S3BlobStore(S3Location(endpoint: "http://127.0.0.1:9", bucket: "b"),
                                 credentials: S3Credentials(accessKey: "a", secretKey: "b"))
        #expect(throws: CurateError.self) { try closed.exists("images/x") }
    }
}

struct BlobStoreLocationTests {
    @Test func urlsNameTheStoreAndBadOnesSayWhy() throws {
        #expect(try BlobStoreLocation.resolve(option: nil, environment: [:]) == .workspace)
        #expect(try BlobStoreLocation.resolve(option: nil, environment: ["CURATE_STORE": "file:///mnt/blobs"]) == .directory(URL(fileURLWithPath: "/mnt/blobs")))
        #expect(try BlobStoreLocation.parse("s3://bucket/a/b/?endpoint=http://10.0.0.5:8333/")
                == .s3(S3Location(endpoint: "http://10.0.0.5:8333", bucket: "bucket", prefix: "a/b", region: "us-east-1")))
        #expect(try BlobStoreLocation.parse("s3://bucket?endpoint=https://s3.example.org&region=eu-west-3")
                == .s3(S3Location(endpoint: "https://s3.example.org", bucket: "bucket", prefix: "", region: "eu-west-3")))
        for bad in ["s3://bucket/p", "s3://bucket?endpoint=ftp://x", "s3:///p?endpoint=http://h:1", "gs://b/p", "file://otherhost/x",
                    "s3://b?endpoint=http://h:1&acl=public"] {
            #expect(throws: CurateError.self, "\(bad)") { try BlobStoreLocation.parse(bad) }
        }
        let s3 = try BlobStoreLocation.parse("s3://b?endpoint=http://h:1")
        #expect(throws: CurateError.self) { try s3.open(workspace: Workspace(URL(fileURLWithPath: "/tmp")), environment: [:]) }
    }

    @Test func keysBecomePathStyleURLsWithEncodedSegments() {
        let l = S3Location(endpoint: "http://h:1", bucket: "b", prefix: "run 1")
        #expect(l.url("images/ab/x y.jpg") == "http://h:1/b/run%201/images/ab/x%20y.jpg")
        #expect(S3Location(endpoint: "http://h:1", bucket: "b").url("faces/f.png") == "http://h:1/b/faces/f.png")
    }
}
