import CurateCore
import Foundation
import Imaging

/// Turns a received body into a stored image or a failure reason: hash, header check,
/// then write-to-temp and rename into the content-addressed store.
struct BodyStore: Sendable {
    let workspace: Workspace
    let maxPixels: Int

    enum Checked {
        case image(ImageRecord, ImageHeader)
        case rejected(reason: String, detail: String, header: ImageHeader?)
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
        // The same bytes always land at the same path, so an existing file is already right.
        try workspace.writeBlob(body, to: rel)
        Fault.hit(.killAfterBlobWrite)
        let rec = ImageRecord(sha256: sha256, path: rel, format: header.format,
                              width: header.width, height: header.height, bytes: body.count,
                              orientation: header.orientation.rawValue)
        return .image(rec, header)
    }
}
