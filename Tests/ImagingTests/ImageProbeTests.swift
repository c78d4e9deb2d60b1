import Foundation
import Testing
@testable import Imaging

struct ImageProbeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures/images")
    static let hasFixtures = FileManager.default.fileExists(atPath: fixtures.appendingPathComponent("astronaut.png").path)

    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(name))) }

    @Test(.enabled(if: hasFixtures, "skipped: ../shared/fixtures/images is absent"))
    func realJPEGAndPNGHeadersGiveTheirSizes() throws {
        #expect(try ImageProbe.probe(bytes("astronaut.png"), maxPixels: 100_000_000) == ImageHeader(format: .png, width: 512, height: 512))
        let jpg = try ImageProbe.probe(bytes("t1.jpg"), maxPixels: 100_000_000)
        #expect(jpg.format == .jpeg && jpg.width > 0 && jpg.height > 0)
    }

    @Test(.enabled(if: hasFixtures, "skipped: ../shared/fixtures/images is absent"))
    func aBodyCutShortIsTruncated() throws {
        for name in ["t1.jpg", "astronaut.png"] {
            let b = try bytes(name)
            #expect(throws: ImageProbeError.self) { try ImageProbe.probe(Array(b.prefix(b.count / 2)), maxPixels: 100_000_000) }
            let e = try? ImageProbe.probe(Array(b.prefix(b.count / 2)), maxPixels: 100_000_000)
            #expect(e == nil)
        }
        let cut = try bytes("t1.jpg")
        do { _ = try ImageProbe.probe(Array(cut.prefix(cut.count - 100)), maxPixels: 100_000_000) } catch let e as ImageProbeError {
            #expect(e.reason == "truncated_image")
        }
    }

    /// Found by `make fuzz`: width × height overflowed Int for a 2^32-1 square header.
    @Test func aHeaderClaimingFourBillionSquaredIsABombNotAnOverflow() throws {
        let b = pngHeader(width: 0xFFFF_FFFF, height: 0xFFFF_FFFF)
        #expect(throws: ImageProbeError.tooManyPixels(.png, width: 0xFFFF_FFFF, height: 0xFFFF_FFFF, limit: 1000)) {
            try ImageProbe.probe(b, maxPixels: 1000)
        }
        #expect(ImageProbeError.tooManyPixels(.png, width: 0xFFFF_FFFF, height: 0xFFFF_FFFF, limit: 1000).description.contains("over the limit"))
    }

    @Test func aHugePNGHeaderIsRefusedBeforeDecoding() throws {
        do {
            _ = try ImageProbe.probe(pngHeader(width: 20000, height: 20000), maxPixels: 100_000_000)
            Issue.record("a 400-megapixel header must be refused")
        } catch let e as ImageProbeError {
            #expect(e == .tooManyPixels(.png, width: 20000, height: 20000, limit: 100_000_000))
            #expect(e.reason == "decompression_bomb")
        }
        #expect(try ImageProbe.probe(pngHeader(width: 300, height: 200), maxPixels: 100_000_000).width == 300)
    }

    @Test func htmlIsNotAnImageHEIFAndBMPAreUnsupportedAndStubsOfGIFOrWebPAreTruncated() {
        let html = Array("<!doctype html><html></html>".utf8)
        #expect(throws: ImageProbeError.notAnImage) { try ImageProbe.probe(html, maxPixels: 1000) }
        #expect(throws: ImageProbeError.truncated(.gif)) { try ImageProbe.probe(Array("GIF89a......".utf8), maxPixels: 1000) }
        let webp = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8 ".utf8)
        #expect(throws: ImageProbeError.self) { try ImageProbe.probe(webp, maxPixels: 1000) }
        let heic = [0, 0, 0, 0x18] + Array("ftypheic".utf8) + [UInt8](repeating: 0, count: 16)
        #expect(throws: ImageProbeError.unsupportedFormat(.heif)) { try ImageProbe.probe(heic, maxPixels: 1000) }
        let bmp = Array("BM".utf8) + [UInt8](repeating: 0, count: 60)
        #expect(throws: ImageProbeError.unsupportedFormat(.bmp)) { try ImageProbe.probe(bmp, maxPixels: 1000) }
        #expect(throws: ImageProbeError.notAnImage) { try ImageProbe.probe([], maxPixels: 1000) }
    }

    @Test func garbageAfterAJPEGSignatureIsCorruptNotACrash() {
        let junk: [UInt8] = [0xFF, 0xD8, 0xFF] + (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        #expect(throws: ImageProbeError.self) { try ImageProbe.probe(junk, maxPixels: 1000) }
    }
}

/// A minimal valid PNG (header, one IDAT, IEND) claiming the given size.
func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
    func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be(UInt32(data.count)) + body + be(crc32(body))
    }
    let ihdr = be(width) + be(height) + [8, 2, 0, 0, 0]
    let idat: [UInt8] = [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]  // zlib of one zero byte
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", [])
}

func crc32(_ data: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in data {
        c ^= UInt32(b)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }
    return ~c
}
