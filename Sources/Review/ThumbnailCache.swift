import CurateCore
import Imaging

/// Source-photo thumbnails for the review cards (JPEG, longest side 360 px), kept in memory:
/// the reviewer pages back and forth over the same photos.
actor ThumbnailCache {
    private var cache: [String: [UInt8]] = [:]
    private var order: [String] = []
    private let capacity = 512

    func thumbnail(of path: String, in workspace: Workspace, key: String) throws -> [UInt8] {
        if let hit = cache[key] { return hit }
        let jpeg = try Thumbnail.jpeg(try workspace.readBlob(path), longest: 360)
        cache[key] = jpeg
        order.append(key)
        if order.count > capacity { cache[order.removeFirst()] = nil }
        return jpeg
    }
}
