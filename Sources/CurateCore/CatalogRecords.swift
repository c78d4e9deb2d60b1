import Foundation

/// One URL as a list gave it: the label it carries and where it came from.
public struct URLEntry: Sendable, Equatable {
    public var url: String
    public var label: String
    public var listFile: String
    public var line: Int
    public init(url: String, label: String, listFile: String, line: Int) {
        self.url = url; self.label = label; self.listFile = listFile; self.line = line
    }
}

public struct AddSummary: Sendable, Equatable {
    /// URLs the catalog did not know before.
    public var newURLs = 0
    /// (url, label, list) associations the catalog did not know before.
    public var newLabels = 0
    public init() {}
}

/// A URL waiting to be fetched.
public struct PendingURL: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public init(id: Int64, url: String) { self.id = id; self.url = url }
}

/// A stored image: one row per distinct body (sha256).
public struct ImageRecord: Sendable, Equatable {
    public var sha256: String
    public var path: String
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    public var bytes: Int
    /// EXIF orientation (1–8); width and height are the size after it is applied.
    public var orientation: Int?
    public init(sha256: String, path: String, format: ImageFormat, width: Int, height: Int, bytes: Int,
                orientation: Int? = nil) {
        self.sha256 = sha256; self.path = path; self.format = format
        self.width = width; self.height = height; self.bytes = bytes; self.orientation = orientation
    }
}

/// The terminal result of fetching one URL: provenance, and either an image or a reason.
public struct FetchOutcome: Sendable, Equatable {
    public var urlID: Int64
    public var finalURL: String?
    public var httpStatus: Int?
    public var contentType: String?
    /// Body bytes received (also for failures).
    public var bytes: Int?
    /// sha256 of the body received (also for bodies that are not images).
    public var sha256: String?
    public var format: ImageFormat?
    public var width: Int?
    public var height: Int?
    public var attempts: Int
    public var elapsedSeconds: Double
    public var fetchedAt: Date
    /// The stored image, when the body is a usable image.
    public var image: ImageRecord?
    /// Why it failed, when it did.
    public var error: FetchFailure?
    public var errorDetail: String?

    public init(urlID: Int64, attempts: Int, elapsedSeconds: Double, fetchedAt: Date = Date()) {
        self.urlID = urlID; self.attempts = attempts
        self.elapsedSeconds = elapsedSeconds; self.fetchedAt = fetchedAt
    }
}

/// Everything `curate status` reports; later stages add their sections.
public struct CatalogStatus: Sendable, Equatable, Encodable {
    public struct URLCounts: Sendable, Equatable, Encodable {
        public var total = 0, fetched = 0, failed = 0, pending = 0
    }
    public struct ImageCounts: Sendable, Equatable, Encodable {
        public var total = 0
        public var hashed = 0
        /// Images in a near-duplicate cluster (canonical members included).
        public var inClusters = 0
        public var clusters = 0
        /// Clusters whose members carry different labels, plus single images that do.
        public var conflicts = 0
        enum CodingKeys: String, CodingKey { case total, hashed, inClusters = "in_clusters", clusters, conflicts }
    }
    public struct FaceCounts: Sendable, Equatable, Encodable {
        /// Faces detected (the quality gate's rejects included).
        public var total = 0
        public var imagesScanned = 0, imagesWithFaces = 0, imagesWithoutFace = 0, failed = 0
        /// Faces the quality gate left out, by reason.
        public var rejected: [String: Int] = [:]
        enum CodingKeys: String, CodingKey {
            case total, imagesScanned = "images_scanned", imagesWithFaces = "images_with_faces"
            case imagesWithoutFace = "images_without_face", failed, rejected
        }
    }
    public var urls = URLCounts()
    public var faces = FaceCounts()
    public var failures: [String: Int] = [:]
    public var images = ImageCounts()
    /// Distinct fetched images carrying each label.
    public var labels: [String: Int] = [:]
    /// Faces per split and label, as `curate split` last assigned them.
    public var splits: [String: [String: Int]] = [:]
    /// What the last split left out, by reason.
    public var excluded: [String: Int] = [:]
    /// Faces with mislabel scores, and those flagged by confident learning.
    public var scored = 0
    public var flagged = 0
    /// Faces with a live review decision, by action (relabel, accept, reject).
    public var reviewed: [String: Int] = [:]
    public init() {}
}

/// The provenance of one URL, as stored.
public struct URLProvenance: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var state: URLState
    public var finalURL: String?
    public var httpStatus: Int?
    public var contentType: String?
    public var bytes: Int?
    public var sha256: String?
    public var format: ImageFormat?
    public var width: Int?
    public var height: Int?
    public var attempts: Int
    public var elapsedSeconds: Double?
    public var fetchedAt: Date?
    public var error: FetchFailure?
    public var errorDetail: String?
    /// (label, list file) pairs this URL was given.
    public var labels: [URLLabel]

    public init(id: Int64, url: String, state: URLState, finalURL: String? = nil, httpStatus: Int? = nil,
                contentType: String? = nil, bytes: Int? = nil, sha256: String? = nil, format: ImageFormat? = nil,
                width: Int? = nil, height: Int? = nil, attempts: Int, elapsedSeconds: Double? = nil,
                fetchedAt: Date? = nil, error: FetchFailure? = nil, errorDetail: String? = nil, labels: [URLLabel]) {
        self.id = id
        self.url = url
        self.state = state
        self.finalURL = finalURL
        self.httpStatus = httpStatus
        self.contentType = contentType
        self.bytes = bytes
        self.sha256 = sha256
        self.format = format
        self.width = width
        self.height = height
        self.attempts = attempts
        self.elapsedSeconds = elapsedSeconds
        self.fetchedAt = fetchedAt
        self.error = error
        self.errorDetail = errorDetail
        self.labels = labels
    }
}

public struct URLLabel: Sendable, Equatable, Hashable {
    public var label: String
    public var listFile: String
    public init(label: String, listFile: String) { self.label = label; self.listFile = listFile }
}
