import CCurl
import Imaging
import Foundation

/// The result of one HTTP(S)/file transfer that ended, successfully or not.
struct TransferResult {
    var curlCode: CURLcode
    var curlError: String
    var httpStatus: Int
    var finalURL: String?
    var contentType: String?
    var retryAfter: Double?
    var body: [UInt8]
    var tooLarge: Bool
    /// A reservation the response carried (the directive and the header line); the body was not read.
    var optOut: (directive: OptOutDirective, header: String)?
}

/// One easy handle and the body it collects. Lives on the engine's thread only.
final class CurlTransfer {
    let handle: UnsafeMutableRawPointer
    var body: [UInt8] = []
    let maxBytes: Int
    var tooLarge = false
    var optOut: (directive: OptOutDirective, header: String)?
    let optOuts: Set<OptOutDirective>
    let agent: String
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// Request headers; libcurl reads the list for the handle's whole life.
    private var headers: UnsafeMutablePointer<curl_slist>?

    init?(url: String, settings: CurlSettings) {
        guard let h = curl_easy_init() else { return nil }
        handle = h
        maxBytes = settings.maxBytes
        optOuts = settings.optOuts
        agent = OptOut.agentToken(settings.userAgent)
        curate_setopt_str(h, CURLOPT_URL, url)
        curate_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        curate_setopt_long(h, CURLOPT_FOLLOWLOCATION, 1)
        curate_setopt_long(h, CURLOPT_MAXREDIRS, settings.maxRedirects)
        curate_setopt_str(h, CURLOPT_PROTOCOLS_STR, "http,https,file")
        // A redirect must never lead a web URL onto the local file system.
        curate_setopt_str(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        curate_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMs)
        curate_setopt_long(h, CURLOPT_TIMEOUT_MS, settings.timeoutMs)
        curate_setopt_off(h, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(settings.maxBytes))
        curate_setopt_str(h, CURLOPT_USERAGENT, settings.userAgent)
        curate_setopt_str(h, CURLOPT_ACCEPT_ENCODING, "")
        // Servers that negotiate (image CDNs) then send a format curate decodes.
        headers = curl_slist_append(nil, "Accept: \(ImageFormat.acceptHeader)")
        curate_setopt_slist(h, CURLOPT_HTTPHEADER, headers)
        curate_setopt_write(h, CURLOPT_WRITEFUNCTION, curateWriteBody)
        errorBuffer[0] = 0
        curate_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer)
        curate_setopt_ptr(h, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
        if !optOuts.isEmpty {
            // Headers are read as they arrive, so a reserved image is refused before its body.
            curate_setopt_write(h, CURLOPT_HEADERFUNCTION, curateReadHeader)
            curate_setopt_ptr(h, CURLOPT_HEADERDATA, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    /// One header line; false stops the transfer (a reservation was found).
    func header(_ line: String) -> Bool {
        guard let colon = line.firstIndex(of: ":") else { return true }   // a status line or the blank end
        let name = String(line[..<colon]), value = String(line[line.index(after: colon)...])
        guard let d = OptOut.directive(header: name, value: value, agent: agent, honoured: optOuts) else { return true }
        optOut = (d, "\(name):\(value)".trimmingCharacters(in: .whitespacesAndNewlines))
        return false
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
        errorBuffer.deallocate()
    }

    func append(_ p: UnsafeRawBufferPointer) -> Bool {
        if body.count + p.count > maxBytes { tooLarge = true; return false }
        body.append(contentsOf: p)
        return true
    }

    func finish(code: CURLcode) -> TransferResult {
        var status = 0
        curate_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var eff: UnsafeMutablePointer<CChar>?
        curate_getinfo_str(handle, CURLINFO_EFFECTIVE_URL, &eff)
        var ctype: UnsafeMutablePointer<CChar>?
        curate_getinfo_str(handle, CURLINFO_CONTENT_TYPE, &ctype)
        var retryAfter: curl_off_t = 0
        curate_getinfo_off(handle, CURLINFO_RETRY_AFTER, &retryAfter)
        let err = String(cString: errorBuffer)
        return TransferResult(
            curlCode: code,
            curlError: err.isEmpty ? String(cString: curl_easy_strerror(code)) : err,
            httpStatus: status,
            finalURL: eff.map { String(cString: $0) },
            contentType: ctype.map { String(cString: $0) },
            retryAfter: retryAfter > 0 ? Double(retryAfter) : nil,
            body: body,
            tooLarge: tooLarge || code == CURLE_FILESIZE_EXCEEDED,
            optOut: optOut)
    }
}

/// libcurl's write callback: appends to the transfer's body; returning less than
/// offered aborts the transfer, which is how the size limit is enforced mid-stream.
private func curateWriteBody(_ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ n: Int, _ ud: UnsafeMutableRawPointer?) -> Int {
    guard let ptr, let ud else { return 0 }
    let t = Unmanaged<CurlTransfer>.fromOpaque(ud).takeUnretainedValue()
    return t.append(UnsafeRawBufferPointer(start: ptr, count: size * n)) ? size * n : 0
}

/// libcurl's header callback: one line per call; returning less than offered aborts.
private func curateReadHeader(_ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ n: Int, _ ud: UnsafeMutableRawPointer?) -> Int {
    guard let ptr, let ud else { return 0 }
    let t = Unmanaged<CurlTransfer>.fromOpaque(ud).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: size * n), as: UTF8.self)
    return t.header(line) ? size * n : 0
}

struct CurlSettings {
    var optOuts: Set<OptOutDirective> = []
    var maxBytes: Int
    var maxRedirects: Int
    var connectTimeoutMs: Int
    var timeoutMs: Int
    var userAgent: String
}
