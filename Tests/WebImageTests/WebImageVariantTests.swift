import Dispatch
import Foundation
import Testing
import TestSupport
@testable import Dedup
@testable import Faces
@testable import Imaging

/// Shared photos turned into what the web serves (WebP, AVIF, GIF, CMYK, progressive, gray,
/// 16-bit, palette, RGBA, gAMA, EXIF orientations 2–8, trailing bytes) by Pillow at test
/// time, and checked against what Pillow + imagehash see in the same files.
@Suite(.serialized, .enabled(if: Variants.available, Variants.skipReason))
struct WebImageVariantTests {
    @Test func everyVariantDecodesAtPillowsShownSizeWithPillowsPixels() throws {
        let v = try Variants.shared()
        var report: [String] = []
        for e in v.entries {
            let bytes = try v.bytes(e.file)
            let header = try ImageProbe.probe(bytes, maxPixels: 100_000_000)
            #expect(header.width == e.width && header.height == e.height, "\(e.file): \(header.width)x\(header.height), Pillow \(e.width)x\(e.height)")
            #expect(header.orientation.rawValue == e.orientation || e.format == "AVIF", "\(e.file): orientation \(header.orientation)")
            let image = try ImageDecoder.decode(bytes).rgb()
            #expect(image.width == e.width && image.height == e.height, "\(e.file)")
            let ref = try v.bytes(e.pixels)
            guard ref.count == image.pixels.count else { Issue.record("\(e.file): size differs"); continue }
            var worst = 0, total = 0
            for i in 0..<ref.count { let d = abs(Int(ref[i]) - Int(image.pixels[i])); worst = max(worst, d); total += d }
            let mean = Double(total) / Double(ref.count)
            report.append("\(e.file): max \(worst) mean \(String(format: "%.3f", mean))")
            if e.exact {
                #expect(worst == 0, "\(e.file) (\(e.note)): differs from Pillow by up to \(worst)")
            } else {
                // Another libwebp/libavif build may round YUV→RGB differently, never by much.
                #expect(mean < 1.5 && worst <= 48, "\(e.file) (\(e.note)): mean \(mean), max \(worst)")
            }
        }
        print("variants vs Pillow:\n  " + report.joined(separator: "\n  "))
    }

    /// The agreement rule of `PerceptualHashAgreementTests`, against
    /// `imagehash.phash(ImageOps.exif_transpose(im))`.
    @Test func pHashAgreesWithImagehashOnTheUprightImage() throws {
        let v = try Variants.shared()
        var same = 0, worst = 0, diffs: [String] = []
        for e in v.entries {
            let h = try PerceptualHash.compute(try v.bytes(e.file))
            let d = PerceptualHash.distance(h.phash, PerceptualHash.parse(hex: e.phash)!)
            if d == 0 { same += 1 } else { diffs.append("\(e.file): \(d)") }
            worst = max(worst, d)
        }
        print("variant pHash agreement: identical \(same)/\(v.entries.count), worst \(worst): \(diffs)")
        #expect(Double(same) / Double(v.entries.count) >= 0.95, "\(diffs)")
        #expect(worst <= 2, "\(diffs)")
    }

    /// The same face, in the shown frame, as in the upright original.
    @Test(.enabled(if: hasModels, "skipped: Data/models is absent (scripts/models.sh)"))
    func everyVariantGivesTheUprightOriginalsFaces() throws {
        let v = try Variants.shared()
        let mtcnn = try MTCNN(modelsDir: repoRoot.appendingPathComponent("Data/models"))
        let entries = v.entries
        let found = Locked([String: [DetectedFace]]())
        DispatchQueue.concurrentPerform(iterations: entries.count) { i in
            let faces = (try? mtcnn.detect(ImageDecoder.decode(v.bytes(entries[i].file))))?.filter { $0.probability >= 0.9 } ?? []
            found.mutate { $0[entries[i].file] = faces }
        }
        let all = found.value
        for e in entries where !e.file.contains("-original") {
            let originals = all.first { $0.key.hasPrefix(e.source.split(separator: ".")[0] + "-original") }!.value
            let mine = all[e.file]!
            // Pillow clips a 16-bit gray PNG to white: there is nothing to find, in Python either.
            if e.file.hasSuffix("gray16.png") { continue }
            #expect(mine.count == originals.count, "\(e.file): \(mine.count) faces, the original has \(originals.count)")
            for o in originals {
                let best = mine.map { iou($0.box, o.box) }.max() ?? 0
                #expect(best >= 0.9, "\(e.file) (\(e.note)): best IoU \(best)")
            }
        }
    }

    func iou(_ a: [Float], _ b: [Float]) -> Float {
        let w = max(0, min(a[2], b[2]) - max(a[0], b[0])), h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
        let i = w * h
        return i / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i)
    }
}

final class Locked<T>: @unchecked Sendable {
    private var v: T
    private let lock = NSLock()
    init(_ v: T) { self.v = v }
    var value: T { lock.lock(); defer { lock.unlock() }; return v }
    func mutate(_ f: (inout T) -> Void) { lock.lock(); f(&v); lock.unlock() }
}

/// The variants of two shared photos (one dataset photo, one larger fixture), made once per
/// test run by `make_variants.py` in the test venv.
struct Variants: Sendable {
    struct Entry: Decodable, Sendable {
        var file: String, source: String, width: Int, height: Int, mode: String, format: String
        var orientation: Int, phash: String, exact: Bool, pixels: String, note: String
    }
    let dir: URL
    let entries: [Entry]
    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: dir.appendingPathComponent(name))) }

    static let sources = [datasetDir.appendingPathComponent("images/happy/Jason_Kidd_0010.jpg"),
                          sharedDir.appendingPathComponent("fixtures/images/kate_siegel.jpg")]
    static var available: Bool {
        testPython != nil && sources.allSatisfy { FileManager.default.fileExists(atPath: $0.path) }
    }
    static let skipReason: Comment = "skipped: needs Data/cache/venv-test (scripts/test-venv.sh) and ../shared"

    nonisolated(unsafe) private static var made: Variants?
    private static let lock = NSLock()

    static func shared() throws -> Variants {
        lock.lock(); defer { lock.unlock() }
        if let made { return made }
        let dir = try makeTempDir("variants")
        let script = repoRoot.appendingPathComponent("Tests/WebImageTests/make_variants.py")
        let r = try runProgram(URL(fileURLWithPath: testPython!), [script.path, dir.path] + sources.map(\.path))
        guard r.status == 0 else { throw NSError(domain: "Variants", code: 1, userInfo: [NSLocalizedDescriptionKey: r.err]) }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        let v = Variants(dir: dir, entries: entries)
        made = v
        return v
    }
}
