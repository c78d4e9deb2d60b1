// libFuzzer entry over curate's image code, built by scripts/fuzz.sh (not by SwiftPM: it is
// compiled together with the Imaging sources, with -sanitize=fuzzer,address). The target is
// chosen by $CURATE_FUZZ_TARGET: probe (sniff, container walk, header, pixel limit), jpeg,
// png, webp, avif, gif (each: full decode with orientation, inputs forced to that format's
// signature so the fuzzer does not waste runs on other formats), exif (the orientation
// parser). Every input must give an image or an ImageProbeError: anything else (a crash, an
// ASan report, a leak, a wrong-sized buffer) is a finding.
import Foundation

let target = ProcessInfo.processInfo.environment["CURATE_FUZZ_TARGET"] ?? "probe"
let signatures: [String: [UInt8]] = [
    "jpeg": [0xFF, 0xD8, 0xFF], "png": [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
    "gif": Array("GIF89a".utf8), "webp": Array("RIFF".utf8), "avif": [0, 0, 0, 0x1C] + Array("ftypavif".utf8),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch target {
    case "exif":
        let o = bytes.withUnsafeBytes { Orientation.fromEXIF($0) }
        precondition((1...8).contains(o.rawValue))
        return 0
    case "probe":
        if let h = try? ImageProbe.probe(bytes, maxPixels: 4_000_000) { precondition(h.width > 0 && h.height > 0) }
        return 0
    default:
        guard let sig = signatures[target] else { fatalError("unknown CURATE_FUZZ_TARGET \(target)") }
        if target == "webp", bytes.count >= 12 { bytes.replaceSubrange(8..<12, with: Array("WEBP".utf8)) }
        if bytes.count >= sig.count { bytes.replaceSubrange(0..<sig.count, with: sig) } else { bytes = sig + bytes }
        do {
            // A small pixel limit keeps runs fast; the limit check itself is what is exercised.
            let img = try ImageDecoder.decode(bytes, maxPixels: 262_144)
            precondition(img.pixels.count == img.width * img.height * img.channels && img.width > 0)
        } catch is ImageProbeError {
        } catch {
            fatalError("not an ImageProbeError: \(error)")
        }
        return 0
    }
}
