import CurateCore
import Foundation

/// One `urls` row as a backend decodes it, mapped once to the model's provenance.
public struct URLRow: Decodable {
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
    public var error: String?
    public var errorDetail: String?

    public enum CodingKeys: String, CodingKey {
        case id, url, state, finalURL = "final_url", httpStatus = "http_status", contentType = "content_type", bytes, sha256
        case format, width, height, attempts, elapsedSeconds = "elapsed_s", fetchedAt = "fetched_at", error
        case errorDetail = "error_detail"
    }

    public func provenance(labels: [URLLabel]) -> URLProvenance {
        URLProvenance(id: id, url: url, state: state, finalURL: finalURL, httpStatus: httpStatus, contentType: contentType,
                      bytes: bytes, sha256: sha256, format: format, width: width, height: height, attempts: attempts,
                      elapsedSeconds: elapsedSeconds, fetchedAt: fetchedAt, error: error.map(FetchFailure.init(rawValue:)), errorDetail: errorDetail, labels: labels)
    }
}

/// One `url_labels` row.
public struct URLLabelRow: Decodable {
    public var urlID: Int64
    public var label: String
    public var listFile: String

    public enum CodingKeys: String, CodingKey { case urlID = "url_id", label, listFile = "list_file" }
}

