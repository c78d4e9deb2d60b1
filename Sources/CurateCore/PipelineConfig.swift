import Foundation
import Yams

/// A pipeline definition (`Pipelines/*.yml`): the label set and each stage's settings.
/// A key no section knows is an error naming it (and the closest known key).
public struct PipelineConfig: Decodable, Sendable {
    public var name: String
    public var labels: LabelSet
    public var fetch: FetchSettings
    public var dedup: DedupSettings
    public var faces = FaceSettings()
    public var split = SplitSettings()
    public var score = ScoreSettings()

    enum CodingKeys: String, CodingKey, CaseIterable { case name, labels, fetch, dedup, faces, split, score }

    public init(name: String = "pipeline", labels: LabelSet, fetch: FetchSettings = FetchSettings(),
                dedup: DedupSettings = DedupSettings()) {
        self.name = name
        self.labels = labels
        self.fetch = fetch
        self.dedup = dedup
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? "pipeline"
        labels = try LabelSet(c.decode([LabelSpec].self, forKey: .labels))
        fetch = try c.decodeIfPresent(FetchSettings.self, forKey: .fetch) ?? FetchSettings()
        dedup = try c.decodeIfPresent(DedupSettings.self, forKey: .dedup) ?? DedupSettings()
        faces = try c.decodeIfPresent(FaceSettings.self, forKey: .faces) ?? FaceSettings()
        split = try c.decodeIfPresent(SplitSettings.self, forKey: .split) ?? SplitSettings()
        score = try c.decodeIfPresent(ScoreSettings.self, forKey: .score) ?? ScoreSettings()
    }

    public static func load(_ url: URL) throws -> PipelineConfig { try PipelineSource.file(url).load() }

    static func ownError(_ error: Error) -> CurateError? {
        if let e = error as? CurateError { return e }
        if case let DecodingError.dataCorrupted(context) = error, let inner = context.underlyingError { return ownError(inner) }
        return nil
    }

    public static func parse(_ yaml: String, source: String = "<string>") throws -> PipelineConfig {
        do {
            return try YAMLDecoder().decode(PipelineConfig.self, from: yaml)
        } catch {
            // A section's own error (an unknown key, a bad value) reaches here wrapped by the decoder.
            if let e = ownError(error) { throw CurateError("\(source): \(e.message)") }
            throw CurateError("\(source): invalid pipeline file: \(error)")
        }
    }
}

/// Settings of `curate fetch`; every key is optional in the pipeline file.
public struct FetchSettings: Decodable, Sendable, Equatable {
    public var concurrency = 32
    public var perHost = 4
    /// Requests per second started per site (registrable domain); 0: no limit but `per_host`.
    public var perHostRate = 0.0
    /// Requests a site may receive at once before the rate applies.
    public var perHostBurst = 2.0
    public var connectTimeout = 10.0
    public var timeout = 30.0
    public var maxRedirects = 5
    /// Attempts after the first, for 429, 5xx, time-outs and dropped connections.
    public var retries = 3
    /// First back-off in seconds; doubles each retry, with ±50% jitter.
    public var backoff = 1.0
    /// Longest wait before a retry; a Retry-After beyond it ends the URL as failed.
    public var maxBackoff = 60.0
    public var maxBytes = 20 * 1024 * 1024
    public var maxPixels = 100_000_000
    public var userAgent = "curate/0.1 (+dataset curation; libcurl)"
    /// Reservations honoured: a response carrying one ends its URL as `opt_out` before the body.
    public var optOuts: Set<OptOutDirective> = Set(OptOutDirective.allCases)

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case concurrency, perHost = "per_host", perHostRate = "per_host_rate", perHostBurst = "per_host_burst", connectTimeout = "connect_timeout", timeout
        case maxRedirects = "max_redirects", retries, backoff, maxBackoff = "max_backoff"
        case maxBytes = "max_bytes", maxPixels = "max_pixels", userAgent = "user_agent", optOuts = "opt_outs"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "fetch")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FetchSettings()
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? d.concurrency
        perHost = try c.decodeIfPresent(Int.self, forKey: .perHost) ?? d.perHost
        perHostRate = try c.decodeIfPresent(Double.self, forKey: .perHostRate) ?? d.perHostRate
        perHostBurst = try c.decodeIfPresent(Double.self, forKey: .perHostBurst) ?? d.perHostBurst
        connectTimeout = try c.decodeIfPresent(Double.self, forKey: .connectTimeout) ?? d.connectTimeout
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout) ?? d.timeout
        maxRedirects = try c.decodeIfPresent(Int.self, forKey: .maxRedirects) ?? d.maxRedirects
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? d.retries
        backoff = try c.decodeIfPresent(Double.self, forKey: .backoff) ?? d.backoff
        maxBackoff = try c.decodeIfPresent(Double.self, forKey: .maxBackoff) ?? d.maxBackoff
        maxBytes = try c.decodeIfPresent(Int.self, forKey: .maxBytes) ?? d.maxBytes
        maxPixels = try c.decodeIfPresent(Int.self, forKey: .maxPixels) ?? d.maxPixels
        userAgent = try c.decodeIfPresent(String.self, forKey: .userAgent) ?? d.userAgent
        if let names = try c.decodeIfPresent([String].self, forKey: .optOuts) {
            optOuts = Set(try names.map { name in
                guard let d = OptOutDirective(rawValue: name) else {
                    throw CurateError("fetch.opt_outs: unknown directive '\(name)' (known: \(OptOutDirective.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return d
            })
        }
        try validate()
    }

    public func validate() throws {
        func need(_ ok: Bool, _ what: String) throws { if !ok { throw CurateError("fetch.\(what)") } }
        try need(concurrency >= 1, "concurrency must be at least 1")
        try need(perHost >= 1, "per_host must be at least 1")
        try need(perHostRate >= 0 && perHostRate.isFinite, "per_host_rate must be 0 (no limit) or a positive number of requests per second")
        try need(perHostBurst >= 1, "per_host_burst must be at least 1")
        try need(timeout > 0 && connectTimeout > 0, "timeout and connect_timeout must be positive")
        try need(maxRedirects >= 0, "max_redirects must not be negative")
        try need(retries >= 0, "retries must not be negative")
        try need(backoff >= 0 && maxBackoff >= 0, "backoff and max_backoff must not be negative")
        try need(maxBytes > 0, "max_bytes must be positive")
        try need(maxPixels > 0, "max_pixels must be positive")
    }
}

/// Settings of `curate dedup`.
public struct DedupSettings: Decodable, Sendable, Equatable {
    /// Largest pHash Hamming distance (bits of 64) at which two images are near duplicates.
    public var threshold = 4

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case threshold }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "dedup")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        threshold = try c.decodeIfPresent(Int.self, forKey: .threshold) ?? DedupSettings().threshold
        guard (0...32).contains(threshold) else { throw CurateError("dedup.threshold must be between 0 and 32") }
    }
}

/// Settings of `curate faces`: MTCNN's (facenet-pytorch's defaults) and the crops'.
public struct FaceSettings: Decodable, Sendable, Equatable {
    public typealias Crop = CropMethod
    public var minFaceSize = 20.0
    public var thresholds: [Double] = [0.6, 0.7, 0.7]
    public var factor = 0.709
    /// Faces below this detection probability are not kept.
    public var minProbability = 0.9
    public var crop = Crop.aligned
    public var size = 160
    /// Margin in output pixels, for `crop: margin` (facenet-pytorch's `extract_face`).
    public var margin = 20
    /// Keep only the largest face of each image.
    public var largest = false
    /// Which detected faces are left out, and why (see `QualityGate`).
    public var quality = QualityGate()

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case minFaceSize = "min_face_size", thresholds, factor, minProbability = "min_probability", crop, size, margin, largest
        case quality
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "faces")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FaceSettings()
        minFaceSize = try c.decodeIfPresent(Double.self, forKey: .minFaceSize) ?? d.minFaceSize
        thresholds = try c.decodeIfPresent([Double].self, forKey: .thresholds) ?? d.thresholds
        factor = try c.decodeIfPresent(Double.self, forKey: .factor) ?? d.factor
        minProbability = try c.decodeIfPresent(Double.self, forKey: .minProbability) ?? d.minProbability
        crop = try c.decodeIfPresent(Crop.self, forKey: .crop) ?? d.crop
        size = try c.decodeIfPresent(Int.self, forKey: .size) ?? d.size
        margin = try c.decodeIfPresent(Int.self, forKey: .margin) ?? d.margin
        largest = try c.decodeIfPresent(Bool.self, forKey: .largest) ?? d.largest
        quality = try c.decodeIfPresent(QualityGate.self, forKey: .quality) ?? d.quality
        try validate()
    }

    public func validate() throws {
        guard minFaceSize >= 12 else { throw CurateError("faces.min_face_size must be at least 12") }
        guard thresholds.count == 3, thresholds.allSatisfy({ (0...1).contains($0) }) else {
            throw CurateError("faces.thresholds must be three probabilities (P-, R-, O-Net)")
        }
        guard factor > 0 && factor < 1 else { throw CurateError("faces.factor must be between 0 and 1") }
        guard size >= 16 && size <= 1024 else { throw CurateError("faces.size must be between 16 and 1024") }
        guard margin >= 0 && margin < size else { throw CurateError("faces.margin must be between 0 and size") }
    }
}
