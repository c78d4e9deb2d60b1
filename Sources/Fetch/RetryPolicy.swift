import CurateCore

/// When and how long to wait before another attempt. Pure, so it is unit-tested directly.
public struct RetryPolicy: Sendable {
    public var retries: Int
    public var backoff: Double
    public var maxBackoff: Double

    public init(_ s: FetchSettings) { retries = s.retries; backoff = s.backoff; maxBackoff = s.maxBackoff }
    public init(retries: Int, backoff: Double, maxBackoff: Double) {
        self.retries = retries; self.backoff = backoff; self.maxBackoff = maxBackoff
    }

    public enum Decision: Equatable, Sendable {
        case retry(after: Double)
        case giveUp(detail: String?)
    }

    /// `attempt` is the number of attempts made so far (1 after the first).
    /// `retryAfter` is the server's Retry-After in seconds, when it sent one.
    public func decide(reason: FetchFailure, attempt: Int, retryAfter: Double?, jitter: Double) -> Decision {
        guard reason.isTransient else { return .giveUp(detail: nil) }
        guard attempt <= retries else { return .giveUp(detail: "gave up after \(attempt) attempts") }
        if let retryAfter, retryAfter > 0 {
            if retryAfter > maxBackoff {
                return .giveUp(detail: "Retry-After \(Int(retryAfter)) s exceeds max_backoff \(Int(maxBackoff)) s")
            }
            return .retry(after: retryAfter)
        }
        // Exponential with ±50% jitter so that many clients do not retry in lockstep.
        let base = backoff * Double(1 << min(attempt - 1, 30))
        return .retry(after: min(maxBackoff, base * (0.5 + jitter)))
    }
}
