/// Why a URL ended without a stored image: the short, stable code the catalog stores and
/// `status --failures --reason` filters on.
public enum FetchFailure: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    /// The server answered with this status (400 and up).
    case http(Int)
    case timeout, dnsError, connectionFailed, connectionError, emptyReply, truncatedBody, tooManyRedirects
    case unsupportedScheme, fileNotFound, tlsError, badURL
    /// The body went over `fetch.max_bytes`, or arrived empty.
    case tooLarge, emptyBody
    /// What the image check refused (see Imaging's `ImageProbeError`).
    case notAnImage, unsupportedFormat, truncatedImage, corruptImage, decompressionBomb
    /// The body arrived but could not be written to the workspace.
    case storeError
    /// The site reserved the image against this use (`X-Robots-Tag: noai`, `tdm-reservation: 1`, …):
    /// the transfer was stopped at the headers.
    case optOut
    /// Another libcurl error, by its code.
    case curl(Int)
    /// A code this build does not know (written by a newer curate), kept as it is.
    case other(String)

    // Written as a switch both ways: `==` on a RawRepresentable compares raw values, so a table
    // looked up with `==` would recurse.
    public init(rawValue: String) {
        if let n = Self.number(rawValue, after: "http_"), n >= 100 { self = .http(n); return }
        if let n = Self.number(rawValue, after: "curl_") { self = .curl(n); return }
        switch rawValue {
        case "timeout": self = .timeout
        case "dns_error": self = .dnsError
        case "connection_failed": self = .connectionFailed
        case "connection_error": self = .connectionError
        case "empty_reply": self = .emptyReply
        case "truncated_body": self = .truncatedBody
        case "too_many_redirects": self = .tooManyRedirects
        case "unsupported_scheme": self = .unsupportedScheme
        case "file_not_found": self = .fileNotFound
        case "tls_error": self = .tlsError
        case "bad_url": self = .badURL
        case "too_large": self = .tooLarge
        case "empty_body": self = .emptyBody
        case "not_an_image": self = .notAnImage
        case "unsupported_format": self = .unsupportedFormat
        case "truncated_image": self = .truncatedImage
        case "corrupt_image": self = .corruptImage
        case "decompression_bomb": self = .decompressionBomb
        case "store_error": self = .storeError
        case "opt_out": self = .optOut
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .http(let status): return "http_\(status)"
        case .curl(let code): return "curl_\(code)"
        case .other(let code): return code
        case .timeout: return "timeout"
        case .dnsError: return "dns_error"
        case .connectionFailed: return "connection_failed"
        case .connectionError: return "connection_error"
        case .emptyReply: return "empty_reply"
        case .truncatedBody: return "truncated_body"
        case .tooManyRedirects: return "too_many_redirects"
        case .unsupportedScheme: return "unsupported_scheme"
        case .fileNotFound: return "file_not_found"
        case .tlsError: return "tls_error"
        case .badURL: return "bad_url"
        case .tooLarge: return "too_large"
        case .emptyBody: return "empty_body"
        case .notAnImage: return "not_an_image"
        case .unsupportedFormat: return "unsupported_format"
        case .truncatedImage: return "truncated_image"
        case .corruptImage: return "corrupt_image"
        case .decompressionBomb: return "decompression_bomb"
        case .storeError: return "store_error"
        case .optOut: return "opt_out"
        }
    }

    public var description: String { rawValue }

    /// Worth another attempt: rate limiting, server errors, time-outs and connections that
    /// dropped or never came up.
    public var isTransient: Bool {
        switch self {
        case .http(let status): return status == 429 || (500...599).contains(status)
        case .timeout, .connectionFailed, .connectionError, .emptyReply, .truncatedBody: return true
        default: return false
        }
    }

    private static func number(_ s: String, after prefix: String) -> Int? {
        guard s.hasPrefix(prefix) else { return nil }
        let digits = s.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }
}
