import CurateCore
import Testing
@testable import Fetch

struct RetryPolicyTests {
    let policy = RetryPolicy(retries: 3, backoff: 1, maxBackoff: 60)

    @Test func permanentFailuresAreNotRetried() {
        for reason: FetchFailure in [.http(404), .http(403), .notAnImage, .tooLarge, .tooManyRedirects, .decompressionBomb] {
            #expect(policy.decide(reason: reason, attempt: 1, retryAfter: nil, jitter: 0.5) == .giveUp(detail: nil))
        }
    }

    @Test func backOffDoublesWithinJitterBounds() {
        for attempt in 1...3 {
            let base = Double(1 << (attempt - 1))
            #expect(policy.decide(reason: .http(503), attempt: attempt, retryAfter: nil, jitter: 0) == .retry(after: base * 0.5))
            #expect(policy.decide(reason: .timeout, attempt: attempt, retryAfter: nil, jitter: 0.999).retryDelay! < base * 1.5)
        }
    }

    @Test func retryAfterIsHonouredUpToTheLimit() {
        #expect(policy.decide(reason: .http(429), attempt: 1, retryAfter: 7, jitter: 0.3) == .retry(after: 7))
        guard case .giveUp(let why) = policy.decide(reason: .http(429), attempt: 1, retryAfter: 3600, jitter: 0.3) else {
            Issue.record("a Retry-After past max_backoff must end the URL"); return
        }
        #expect(why?.contains("Retry-After") == true)
    }

    @Test func attemptsStopAfterTheConfiguredRetries() {
        #expect(policy.decide(reason: .http(500), attempt: 3, retryAfter: nil, jitter: 0.5).retryDelay != nil)
        #expect(policy.decide(reason: .http(500), attempt: 4, retryAfter: nil, jitter: 0.5) == .giveUp(detail: "gave up after 4 attempts"))
    }
}

extension RetryPolicy.Decision {
    var retryDelay: Double? { if case .retry(let d) = self { return d } else { return nil } }
}

struct FetchFailureTests {
    @Test func everyCodeReadsBackAsItselfAndUnknownOnesAreKept() {
        for code in ["http_404", "http_503", "timeout", "dns_error", "curl_56", "not_an_image", "store_error", "opt_out_someday"] {
            #expect(FetchFailure(rawValue: code).rawValue == code)
        }
        #expect(FetchFailure(rawValue: "http_404") == .http(404))
        #expect(FetchFailure(rawValue: "curl_7") == .curl(7))
        #expect(FetchFailure(rawValue: "http_x") == .other("http_x"))
    }

    @Test func onlyRateLimitsServerErrorsAndDroppedConnectionsAreTransient() {
        #expect([FetchFailure.http(429), .http(500), .http(599), .timeout, .connectionFailed, .emptyReply].allSatisfy { $0.isTransient })
        #expect(![FetchFailure.http(404), .http(600), .dnsError, .tooLarge, .other("x")].contains { $0.isTransient })
    }
}
