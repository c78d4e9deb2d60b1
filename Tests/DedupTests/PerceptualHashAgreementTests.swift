import Foundation
import Testing
@testable import Dedup

/// Agreement with imagehash 4.3.2 + Pillow 13 on every shared image
/// (`../shared/fixtures/imagehash-reference.json`, keyed by file sha256).
@Suite(.enabled(if: Reference.available, "skipped: ../shared/fixtures/imagehash-reference.json is absent"))
struct PerceptualHashAgreementTests {
    @Test func pHashIsIdenticalOnAtLeast95PercentAndNeverOver2BitsApart() throws {
        let (same, worst, n, diffs) = try Reference.compare(\.phash, \.phash)
        print("pHash agreement: identical \(same)/\(n), worst \(worst) bits, differing: \(diffs)")
        #expect(n >= 550)
        #expect(Double(same) / Double(n) >= 0.95, "identical on \(same)/\(n); differing: \(diffs.prefix(10))")
        #expect(worst <= 2, "worst \(worst) bits: \(diffs.prefix(10))")
    }

    @Test func dHashAgreesToo() throws {
        let (same, worst, n, diffs) = try Reference.compare(\.dhash, \.dhash)
        print("dHash agreement: identical \(same)/\(n), worst \(worst) bits, differing: \(diffs)")
        #expect(Double(same) / Double(n) >= 0.95, "identical on \(same)/\(n); differing: \(diffs.prefix(10))")
        #expect(worst <= 2, "worst \(worst) bits: \(diffs.prefix(10))")
    }
}

enum Reference {
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
    static let file = shared.appendingPathComponent("fixtures/imagehash-reference.json")
    static var available: Bool { FileManager.default.fileExists(atPath: file.path) }

    struct Entry: Decodable { var file: String; var phash: String; var dhash: String }
    struct Doc: Decodable { var by_sha256: [String: Entry] }

    /// (identical, worst bit distance, compared, descriptions of the differing files)
    static func compare(_ ref: KeyPath<Entry, String>, _ mine: KeyPath<PerceptualHash.Hashes, UInt64>) throws -> (Int, Int, Int, [String]) {
        let doc = try JSONDecoder().decode(Doc.self, from: Data(contentsOf: file))
        var same = 0, worst = 0, n = 0
        var diffs: [String] = []
        for (_, e) in doc.by_sha256.sorted(by: { $0.key < $1.key }) {
            let bytes = try [UInt8](Data(contentsOf: shared.appendingPathComponent(e.file)))
            let h = try PerceptualHash.compute(bytes)
            let d = PerceptualHash.distance(h[keyPath: mine], PerceptualHash.parse(hex: e[keyPath: ref])!)
            n += 1
            if d == 0 { same += 1 } else { diffs.append("\(e.file): \(d)") }
            worst = max(worst, d)
        }
        return (same, worst, n, diffs)
    }
}
