import Foundation
import Hummingbird

extension Response {
    /// Pages and plain-text answers: never cached (they carry the session's data).
    static func text(_ s: String, status: HTTPResponse.Status = .ok, type: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: type, .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    static func html(_ s: String) -> Response { .text(s, type: "text/html; charset=utf-8") }

    /// Crops and thumbnails: the reviewer pages back and forth over the same ones.
    static func bytes(_ b: [UInt8], type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "private, max-age=300"],
                 body: .init(byteBuffer: ByteBuffer(bytes: b)))
    }
}

/// How the routes' `ResponseEncodable` values (and Hummingbird's error bodies) become JSON:
/// sorted keys and unescaped slashes, so answers are stable and URLs and paths read as they are,
/// dates in ISO 8601, and never cached.
struct ReviewJSONEncoder: ResponseEncoder {
    func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return .text(String(decoding: try encoder.encode(value), as: UTF8.self), type: "application/json")
    }
}
