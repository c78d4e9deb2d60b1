import Foundation
import Testing
import TestSupport
@testable import Imaging

/// Every format cut short or with bytes overwritten is refused with a reason (or, where the
/// damage misses the pixels' structure, decodes at its shown size) — never a crash.
@Suite(.enabled(if: Variants.available, Variants.skipReason))
struct MalformedImageTests {
    @Test func aVariantCutAnywhereBeforeItsEndIsTruncatedOrCorrupt() throws {
        let v = try Variants.shared()
        for e in v.entries where e.source.hasPrefix("Jason") && !e.file.hasSuffix("trailing.jpg") {
            let bytes = try v.bytes(e.file)
            for fraction in [0.02, 0.2, 0.5, 0.9, 0.995] {
                let cut = Array(bytes.prefix(Int(Double(bytes.count) * fraction)))
                do {
                    _ = try ImageDecoder.decode(cut)
                    Issue.record("\(e.file) cut to \(fraction) decoded")
                } catch let error as ImageProbeError {
                    #expect(["truncated_image", "corrupt_image"].contains(error.reason), "\(e.file) at \(fraction): \(error)")
                }
            }
        }
    }

    @Test func overwrittenBytesGiveAReasonOrAnImageNeverACrash() throws {
        let v = try Variants.shared()
        var rng = SplitMix(13)
        var refused = 0, decoded = 0
        for e in v.entries where e.source.hasPrefix("Jason") {
            let bytes = try v.bytes(e.file)
            for _ in 0..<20 {
                var b = bytes
                for _ in 0..<8 { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
                do {
                    let img = try ImageDecoder.decode(b)
                    #expect(img.pixels.count == img.width * img.height * img.channels)
                    decoded += 1
                } catch is ImageProbeError {
                    refused += 1
                }
            }
        }
        print("overwritten variants: \(decoded) decoded, \(refused) refused with a reason")
    }

    @Test func aBombIsRefusedFromTheHeaderInEveryFormat() throws {
        let v = try Variants.shared()
        for e in v.entries where e.source.hasPrefix("Jason") && e.file.contains("-original") == false {
            let bytes = try v.bytes(e.file)
            // A limit below the photo's size stands in for a huge header.
            let format = bytes.withUnsafeBytes { ImageFormat.sniff($0)! }
            let stored = try bytes.withUnsafeBytes { try ImageProbe.storedHeader($0, maxPixels: .max) }
            #expect(throws: ImageProbeError.tooManyPixels(format, width: stored.width, height: stored.height, limit: 1000)) {
                try ImageDecoder.decode(bytes, maxPixels: 1000)
            }
        }
    }
}
