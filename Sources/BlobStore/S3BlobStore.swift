import CCurl
import CurateCore
import Foundation

/// Blobs in an S3 bucket, through libcurl with its own SigV4 signing (`CURLOPT_AWS_SIGV4`), so
/// no SDK. A put is `PUT` with `If-None-Match: *`: the server refuses to overwrite (412), which
/// here means the content-addressed key is there already, so the put is done. Path-style URLs
/// (`endpoint/bucket/key`), which every S3 server, SeaweedFS and MinIO included, accepts.
public struct S3BlobStore: BlobStore {
    public let location: S3Location
    let credentials: S3Credentials
    /// Per request; a blob is a photo or a crop, so a minute is generous.
    var timeoutSeconds = 60

    public init(_ location: S3Location, credentials: S3Credentials) {
        self.location = location; self.credentials = credentials
    }

    public var description: String { location.description }

    public func put(_ key: String, _ bytes: [UInt8]) throws -> PutOutcome {
        try BlobKey.check(key)
        let r = try request("PUT", location.url(key), body: bytes, headers: ["If-None-Match: *", "Content-Type: application/octet-stream"])
        switch r.status {
        case 200, 201, 204: return .stored
        case 412: return .alreadyPresent
        default: throw failure("PUT", key, r)
        }
    }

    public func get(_ key: String) throws -> [UInt8] {
        try BlobKey.check(key)
        let r = try request("GET", location.url(key))
        guard r.status == 200 else { throw failure("GET", key, r) }
        return r.body
    }

    public func exists(_ key: String) throws -> Bool {
        try BlobKey.check(key)
        let r = try request("HEAD", location.url(key))
        switch r.status {
        case 200: return true
        case 404: return false
        default: throw failure("HEAD", key, r)
        }
    }

    /// Creates the bucket (`curate init --store s3://…`, tests); an existing one of ours is fine.
    public func createBucket() throws {
        let r = try request("PUT", [location.endpoint, location.bucket].joined(separator: "/"), body: [])
        guard [200, 409].contains(r.status) else { throw failure("PUT bucket", location.bucket, r) }
        if r.status == 409, !r.body.isEmpty, !String(decoding: r.body, as: UTF8.self).contains("BucketAlreadyOwnedByYou") {
            throw failure("PUT bucket", location.bucket, r)
        }
    }

    struct Response { var status: Int; var body: [UInt8] }

    /// One signed request, synchronously (the stages call from their own worker threads).
    func request(_ method: String, _ url: String, body: [UInt8]? = nil, headers: [String] = []) throws -> Response {
        guard let h = curl_easy_init() else { throw CurateError("curl_easy_init failed") }
        defer { curl_easy_cleanup(h) }
        var list: UnsafeMutablePointer<curl_slist>?
        // The payload's hash, signed: S3 checks the body against it. (Given no such header,
        // libcurl 7.88 signs a posted body's hash but does not send it, which S3 servers reject.)
        let digest = ContentHash.sha256Hex(body ?? [])
        for header in headers + ["x-amz-content-sha256: \(digest)"] { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        let sink = ResponseSink()
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        errorBuffer[0] = 0
        curate_setopt_str(h, CURLOPT_URL, url)
        curate_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        curate_setopt_str(h, CURLOPT_PROTOCOLS_STR, "http,https")
        curate_setopt_long(h, CURLOPT_TIMEOUT, timeoutSeconds)
        curate_setopt_str(h, CURLOPT_AWS_SIGV4, "aws:amz:\(location.region):s3")
        curate_setopt_str(h, CURLOPT_USERNAME, credentials.accessKey)
        curate_setopt_str(h, CURLOPT_PASSWORD, credentials.secretKey)
        curate_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer)
        curate_setopt_slist(h, CURLOPT_HTTPHEADER, list)
        curate_setopt_write(h, CURLOPT_WRITEFUNCTION) { ptr, size, count, data in
            let n = size * count
            guard let ptr, let data else { return n }
            Unmanaged<ResponseSink>.fromOpaque(data).takeUnretainedValue().bytes.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: n))
            return n
        }
        curate_setopt_ptr(h, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        if method == "HEAD" { curate_setopt_long(h, CURLOPT_NOBODY, 1) }
        else if method != "GET" { curate_setopt_str(h, CURLOPT_CUSTOMREQUEST, method) }
        // The body as POSTFIELDS (with the method overridden): libcurl then hashes it into the
        // signature, where a streamed upload would be sent unsigned.
        let payload = body ?? []
        let code: CURLcode = payload.withUnsafeBufferPointer { p in
            if body != nil {
                curate_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(p.count))
                if let base = p.baseAddress, p.count > 0 {
                    curate_setopt_ptr(h, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                } else {
                    curate_setopt_str(h, CURLOPT_POSTFIELDS, "")
                }
            }
            return curl_easy_perform(h)
        }
        guard code == CURLE_OK else {
            let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
            throw CurateError("S3 store \(location): \(method) \(url) failed: \(detail)")
        }
        var status = 0
        curate_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, body: sink.bytes)
    }

    /// The server's refusal, with its S3 error code when it sent one.
    func failure(_ what: String, _ key: String, _ r: Response) -> CurateError {
        let text = String(decoding: r.body, as: UTF8.self)
        let code = text.range(of: "<Code>").flatMap { a in text.range(of: "</Code>").map { String(text[a.upperBound..<$0.lowerBound]) } }
        var message = "S3 store \(location): \(what) \(key): HTTP \(r.status)" + (code.map { " \($0)" } ?? "")
        if r.status == 403 { message += " (refused: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket's policy)" }
        return CurateError(message)
    }
}

/// Collects a response body (libcurl's write callback gets it through an opaque pointer).
final class ResponseSink { var bytes: [UInt8] = [] }
