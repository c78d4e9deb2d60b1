import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport

/// The backends the contract runs on; each test gets a fresh, empty catalog of each, opened
/// through the factory as the commands open theirs (PostgreSQL: a fresh database on the test
/// server, made by `curate init`'s mode).
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    /// PostgreSQL only where its server can run here (`scripts/setup.sh` installs it); said once when not.
    static var allCases: [Backend] {
        guard PostgresServer.available else {
            _ = skipNotice
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }

    private static let skipNotice: Void = {
        FileHandle.standardError.write(Data("CatalogTests: the PostgreSQL backend is skipped: \(PostgresServer.skipReason)\n".utf8))
    }()

    var testDescription: String { rawValue }

    func withCatalog(_ body: (any CatalogBackend, Workspace) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curate-contract-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = Workspace(dir)
        switch self {
        case .sqlite: try body(try ws.openCatalog(), ws)
        case .postgres:
            let url = try PostgresServer.shared().createDatabase()
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try url.write(to: dir.appendingPathComponent("catalog-url"), atomically: true, encoding: .utf8)
            try body(try ws.openCatalog(at: try CatalogLocation(parsing: url), mode: .initialize), ws)
        }
    }

    /// A second connection to the same catalog, as the next command would open it.
    func reopen(_ ws: Workspace) throws -> any CatalogBackend {
        switch self {
        case .sqlite: try ws.openExistingCatalog()
        case .postgres:
            try ws.openExistingCatalog(at: try CatalogLocation(parsing: String(contentsOf: ws.root.appendingPathComponent("catalog-url"), encoding: .utf8)))
        }
    }
}

/// Records a catalog's state through its own stage methods, as the stages would.
struct Seed {
    let cat: any CatalogBackend

    static func image(_ sha: String, width: Int = 10, height: Int = 20) -> ImageRecord {
        ImageRecord(sha256: sha, path: Workspace.imageRelativePath(sha256: sha, ext: "jpg"), format: .jpeg,
                    width: width, height: height, bytes: 99)
    }

    /// One URL per (sha, label), fetched in list order; returns the URL ids.
    @discardableResult
    func fetched(_ items: [(sha: String, label: String)]) throws -> [Int64] {
        _ = try cat.addURLs(items.enumerated().map { i, it in
            URLEntry(url: "http://h/\(i + 1)", label: it.label, listFile: "\(it.label).txt", line: i + 1)
        })
        let pending = try cat.urlsToFetch(retryFailed: false)
        try cat.record(zip(pending, items).map { u, it in
            var o = FetchOutcome(urlID: u.id, attempts: 1, elapsedSeconds: 0.1)
            o.image = Self.image(it.sha); o.sha256 = it.sha; o.httpStatus = 200
            return o
        })
        return pending.map(\.id)
    }

    func face(_ sha: String, _ index: Int = 0) -> FaceRecord {
        FaceRecord(imageSHA256: sha, index: index, box: [1, 2, 30, 40], probability: 0.99,
                   landmarks: [[5, 6], [7, 8], [9, 10], [11, 12], [13, 14]], cropPath: "faces/\(sha)-\(index).png", method: .aligned,
                   quality: FaceQuality(size: 30, inside: 1, sharpness: 50, brightness: 120))
    }

    /// Scans every image still to scan, with `faces[sha]` faces each (default one).
    func scanned(faces: [String: Int] = [:]) throws {
        try cat.recordFaceScans(try cat.imagesToScan().map { img in
            FaceScan(imageSHA256: img.sha256, faces: (0..<(faces[img.sha256] ?? 1)).map { face(img.sha256, $0) }, settings: "s")
        })
    }

    /// Face ids by image sha256.
    func faceIDs() throws -> [String: [Int64]] {
        Dictionary(grouping: try cat.faceExportRows(), by: \.imageSHA256).mapValues { $0.map(\.faceID) }
    }

    /// Every face with stored outputs of `model` (all mass on `predicted`'s index `top`).
    func probs(_ ids: [Int64], model: String, top: [Int64: Int] = [:]) throws {
        try cat.recordFaceProbs(ids.map { id in
            var p: [Float] = [0.1, 0.1, 0.1]
            p[top[id] ?? 0] = 0.8
            return FaceProbs(faceID: id, probs: p, features: [1, 2])
        }, model: model)
    }
}
