import Foundation

/// A stored image waiting for its perceptual hashes.
public struct ImageToHash: Sendable, Equatable {
    public var sha256: String
    public var path: String

    public init(sha256: String, path: String) {
        self.sha256 = sha256
        self.path = path
    }
}

/// The hashes of one image, or why it could not be hashed (e.g. a corrupt body).
public struct ImageHashes: Sendable, Equatable {
    public var sha256: String
    public var phash: UInt64?
    public var dhash: UInt64?
    public var error: String?
    public init(sha256: String, phash: UInt64?, dhash: UInt64?, error: String? = nil) {
        self.sha256 = sha256; self.phash = phash; self.dhash = dhash; self.error = error
    }
}

/// What clustering needs of a hashed image.
public struct HashedImage: Sendable, Equatable {
    /// Where it first appears in the URL lists (its first URL's id), so the same lists give
    /// the same clusters and ids whatever order downloads finished in.
    public var listOrder: Int64
    public var sha256: String
    public var phash: UInt64
    public var pixels: Int
    public var labels: [String]
    public init(listOrder: Int64, sha256: String, phash: UInt64, pixels: Int, labels: [String]) {
        self.listOrder = listOrder; self.sha256 = sha256; self.phash = phash; self.pixels = pixels
        self.labels = labels
    }
}

/// One near-duplicate cluster: id (its first member's place in the URL lists), members, the canonical
/// member, and the distinct labels its members carry.
public struct ClusterRecord: Sendable, Equatable {
    public var id: Int64
    public var members: [String]
    public var canonical: String
    public var labels: [String]
    public var conflict: Bool { labels.count > 1 }
    public init(id: Int64, members: [String], canonical: String, labels: [String]) {
        self.id = id; self.members = members; self.canonical = canonical; self.labels = labels
    }
}

/// One image as `curate export --level image` writes it.
public struct ImageExportRow: Sendable, Equatable, Encodable {
    public var sha256: String
    public var path: String
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    /// EXIF orientation (null for images recorded before curate read it).
    public var orientation: Int?
    public var bytes: Int
    public var urls: [String]
    public var labels: [String]
    public var phash: String?
    public var dhash: String?
    public var cluster: Int64?
    public var canonical: Bool

    public init(sha256: String, path: String, format: ImageFormat, width: Int, height: Int, orientation: Int? = nil,
                bytes: Int, urls: [String], labels: [String], phash: String? = nil, dhash: String? = nil,
                cluster: Int64? = nil, canonical: Bool) {
        self.sha256 = sha256
        self.path = path
        self.format = format
        self.width = width
        self.height = height
        self.orientation = orientation
        self.bytes = bytes
        self.urls = urls
        self.labels = labels
        self.phash = phash
        self.dhash = dhash
        self.cluster = cluster
        self.canonical = canonical
    }

    enum CodingKeys: String, CodingKey {
        case sha256, path, format, width, height, orientation, bytes, urls, labels, phash, dhash, cluster, canonical
    }

    /// Explicit so absent values are written as null rather than left out.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sha256, forKey: .sha256); try c.encode(path, forKey: .path)
        try c.encode(format, forKey: .format); try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height); try c.encode(orientation, forKey: .orientation)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(urls, forKey: .urls); try c.encode(labels, forKey: .labels)
        try c.encode(phash, forKey: .phash); try c.encode(dhash, forKey: .dhash)
        try c.encode(cluster, forKey: .cluster); try c.encode(canonical, forKey: .canonical)
    }
}

/// A cluster with its members' sources, for `curate dedup --list`.
public struct ClusterListing: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var sha256: String
        /// Workspace-relative path of the stored file.
        public var path: String
        public var canonical: Bool
        public var width: Int
        public var height: Int
        public var phash: UInt64
        /// (url, labels given to it)
        public var sources: [(url: String, labels: [String])]

        public init(sha256: String, path: String, canonical: Bool, width: Int, height: Int, phash: UInt64,
                    sources: [(url: String, labels: [String])]) {
            self.sha256 = sha256
            self.path = path
            self.canonical = canonical
            self.width = width
            self.height = height
            self.phash = phash
            self.sources = sources
        }
        public static func == (a: Member, b: Member) -> Bool {
            a.sha256 == b.sha256 && a.canonical == b.canonical && a.sources.map(\.url) == b.sources.map(\.url)
        }
    }
    public var id: Int64
    public var labels: [String]
    public var conflict: Bool
    public var members: [Member]

    public init(id: Int64, labels: [String], conflict: Bool, members: [Member]) {
        self.id = id
        self.labels = labels
        self.conflict = conflict
        self.members = members
    }
}

/// A stored image with its first source URL and the labels its sources gave (report listings).
public struct ImageRef: Sendable, Equatable {
    public var sha256: String
    public var path: String
    public var url: String?
    public var labels: [String]
    public init(sha256: String, path: String, url: String?, labels: [String]) {
        self.sha256 = sha256; self.path = path; self.url = url; self.labels = labels
    }
}


/// 16 lowercase hex digits, first bit most significant (as imagehash prints).
public func hex16(_ h: UInt64) -> String {
    let s = String(h, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}
