import CurateCore
import Fetch
import Foundation
import Imaging

/// A photo named on the command line: a local file, a file:// URL, or an http(s) URL fetched
/// with the same libcurl engine as `curate fetch`.
public struct PredictInput: Sendable {
    public var name: String
    /// The URL `curate fetch` would record for it (file:// for local files).
    public var url: String
    public var bytes: [UInt8]
    public var image: PixelImage

    public static func load(_ arg: String, fetch: FetchSettings) throws -> PredictInput {
        let bytes: [UInt8], url: String
        if let u = URL(string: arg), let scheme = u.scheme?.lowercased(), ["http", "https"].contains(scheme) {
            bytes = try Download.bytes(arg, settings: fetch)
            url = arg
        } else {
            let file = arg.hasPrefix("file://") ? (URL(string: arg)?.path ?? arg) : arg
            let full = URL(fileURLWithPath: file).standardizedFileURL
            guard let data = FileManager.default.contents(atPath: full.path) else {
                throw CurateError("cannot read \(arg): no such readable file")
            }
            bytes = [UInt8](data)
            url = full.absoluteString
        }
        let image: PixelImage
        do { image = try ImageDecoder.decode(bytes, maxPixels: fetch.maxPixels) } catch {
            throw CurateError("\(arg) is not a readable JPEG or PNG image (\(error))")
        }
        return PredictInput(name: arg, url: url, bytes: bytes, image: image)
    }
}
