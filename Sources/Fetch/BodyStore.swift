import Crypto
import CurateCore
import Foundation
import Imaging

/// Turns a received body into a stored image or a failure reason: hash, header check,
/// then write-to-temp and rename into the content-addressed store.
struct BodyStore: Sendable {
    let workspace: Workspace
    let maxPixels: Int
    private let counter = Counter()

    enum Checked {
        case image(ImageRecord, ImageHeader)
        case rejected(reason: String, detail: String, header: ImageHeader?)
    }

    static func sha256Hex(_ body: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in SHA256.hash(data: body) {
            out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    func check(_ body: [UInt8], sha256: String) throws -> Checked {
        let header: ImageHeader
        do {
            header = try ImageProbe.probe(body, maxPixels: maxPixels)
        } catch let error as ImageProbeError {
            var dims: ImageHeader?
            switch error {
            case .tooManyPixels(let f, let w, let h, _): dims = ImageHeader(format: f, width: w, height: h)
            case .unsupportedFormat(let f): dims = ImageHeader(format: f, width: 0, height: 0)
            default: break
            }
            return .rejected(reason: error.reason, detail: error.description, header: dims)
        }
        let rel = Workspace.imageRelativePath(sha256: sha256, ext: header.format.fileExtension)
        try store(body, at: workspace.url(relative: rel))
        let rec = ImageRecord(sha256: sha256, path: rel, format: header.format.rawValue,
                              width: header.width, height: header.height, bytes: body.count)
        return .image(rec, header)
    }

    /// The same bytes always land at the same path, so an existing file is already right
    /// (it was renamed into place whole); otherwise write a temp file and rename it.
    private func store(_ body: [UInt8], at dest: URL) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: dest.path) { return }
        let dir = dest.deletingLastPathComponent()
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = workspace.temporaryFile(counter.next())
        do {
            try Data(body).write(to: tmp)
            guard rename(tmp.path, dest.path) == 0 else {
                throw CurateError("cannot move \(tmp.path) to \(dest.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? fm.removeItem(at: tmp)
            throw error
        }
    }
}

/// A thread-safe counter for unique temp names.
final class Counter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func next() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
}
