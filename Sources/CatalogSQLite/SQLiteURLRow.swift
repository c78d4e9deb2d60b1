import CurateCore
import Foundation
import GRDB

/// One `urls` row as GRDB decodes it, mapped once to the model's provenance.
struct URLRow: Decodable, FetchableRecord {
    var id: Int64
    var url: String
    var state: URLState
    var finalURL: String?
    var httpStatus: Int?
    var contentType: String?
    var bytes: Int?
    var sha256: String?
    var format: ImageFormat?
    var width: Int?
    var height: Int?
    var attempts: Int
    var elapsedSeconds: Double?
    var fetchedAt: Date?
    var error: String?
    var errorDetail: String?

    enum CodingKeys: String, CodingKey {
        case id, url, state, finalURL = "final_url", httpStatus = "http_status", contentType = "content_type", bytes, sha256
        case format, width, height, attempts, elapsedSeconds = "elapsed_s", fetchedAt = "fetched_at", error
        case errorDetail = "error_detail"
    }

    func provenance(labels: [URLLabel]) -> URLProvenance {
        URLProvenance(id: id, url: url, state: state, finalURL: finalURL, httpStatus: httpStatus, contentType: contentType,
                      bytes: bytes, sha256: sha256, format: format, width: width, height: height, attempts: attempts,
                      elapsedSeconds: elapsedSeconds, fetchedAt: fetchedAt, error: error.map(FetchFailure.init(rawValue:)), errorDetail: errorDetail, labels: labels)
    }
}

/// One `url_labels` row.
struct URLLabelRow: Decodable, FetchableRecord {
    var urlID: Int64
    var label: String
    var listFile: String

    enum CodingKeys: String, CodingKey { case urlID = "url_id", label, listFile = "list_file" }
}

// Typed values stored as their codes (the columns hold the same strings as before).
extension URLState: DatabaseValueConvertible {}
extension FetchFailure: DatabaseValueConvertible {}
extension SplitName: DatabaseValueConvertible {}
extension Exclusion: DatabaseValueConvertible {}
extension ImageFormat: DatabaseValueConvertible {}
extension CropMethod: DatabaseValueConvertible {}
