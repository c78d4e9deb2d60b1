import CCurl
import CurateCore
import Foundation

/// A URL whose transfers have ended for good: the last transfer, and why it failed
/// at the transport or HTTP level (nil when a body arrived for image checks).
struct TerminalTransfer {
    var job: PendingURL
    var result: TransferResult
    var attempts: Int
    var elapsed: Double
    var reason: FetchFailure?
    var detail: String?
}

/// Drives many transfers at once with libcurl's multi interface on the calling thread:
/// a global concurrency cap, a per-host cap (enforced here, so queued transfers never
/// burn their time-out waiting for a connection), and retries with back-off.
final class CurlMultiEngine {
    private let settings: FetchSettings
    private var curl: CurlSettings
    private let policy: RetryPolicy

    private struct Job {
        var url: PendingURL
        var host: String
        /// The site it counts against for pacing (see `HostPacing.site`).
        var site: String
        var attempts = 0
        var firstStart: Double?
        var notBefore = 0.0
    }

    private var queues: [String: [Job]] = [:]   // per host, FIFO (consumed from `heads`)
    private var heads: [String: Int] = [:]
    private var hostOrder: [String] = []        // round-robin over hosts with work
    private var rr = 0
    private var activePerHost: [String: Int] = [:]
    private var delayed: [Job] = []             // waiting out a back-off
    private var queued = 0                      // jobs in `queues` not yet started
    private var running: [UnsafeMutableRawPointer: (CurlTransfer, Job)] = [:]
    private var rng = SystemRandomNumberGenerator()
    private(set) var pacing: HostPacing

    init(settings: FetchSettings) {
        self.settings = settings
        self.policy = RetryPolicy(settings)
        self.pacing = HostPacing(rate: settings.perHostRate, burst: settings.perHostBurst)
        self.curl = CurlSettings(
            maxBytes: settings.maxBytes, maxRedirects: settings.maxRedirects,
            connectTimeoutMs: Int(settings.connectTimeout * 1000), timeoutMs: Int(settings.timeout * 1000),
            userAgent: settings.userAgent)
        curl.optOuts = settings.optOuts
    }

    static func hostKey(_ url: String) -> String {
        guard let c = URLComponents(string: url) else { return "" }
        return "\(c.scheme ?? "")://\(c.host ?? ""):\(c.port ?? 0)"
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Runs every job to a terminal state, calling `onTerminal` on this thread for each; when
    /// `shouldStop` turns true, drops the transfers in flight (they stay pending) and returns.
    /// `refill` hands out more jobs (a newly leased shard's) while fewer than `concurrency` wait,
    /// and once more with `idle` true before the engine would stop for lack of work.
    func run(_ jobs: [PendingURL], refill: ((_ idle: Bool) -> [PendingURL])? = nil,
             shouldStop: () -> Bool = { false }, onTerminal: (TerminalTransfer) -> Void) {
        let add = { (jobs: [PendingURL]) in
            for j in jobs { self.enqueue(Job(url: j, host: Self.hostKey(j.url), site: HostPacing.site(j.url))) }
        }
        add(jobs)
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        defer { curl_multi_cleanup(multi) }
        curate_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, settings.perHost)
        curate_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, settings.concurrency)

        var stillRunning: Int32 = 0
        while true {
            if shouldStop() {
                for h in running.keys { curl_multi_remove_handle(multi, h) }
                running.removeAll()
                return
            }
            promoteDelayed()
            if let refill, queued < settings.concurrency { add(refill(false)) }
            startTransfers(multi)
            if running.isEmpty && delayed.isEmpty && !hasQueued() {
                guard let refill else { break }
                let more = refill(true)
                if more.isEmpty { break }
                add(more)
                continue
            }
            curl_multi_perform(multi, &stillRunning)
            var left: Int32 = 0
            var freed = false
            while let msg = curl_multi_info_read(multi, &left) {
                guard msg.pointee.msg == CURLMSG_DONE, let h = msg.pointee.easy_handle,
                      let (transfer, job) = running.removeValue(forKey: h) else { continue }
                let code = msg.pointee.data.result
                curl_multi_remove_handle(multi, h)
                activePerHost[job.host, default: 1] -= 1
                freed = true
                finished(job, transfer.finish(code: code), onTerminal: onTerminal)
            }
            // Refill freed slots at once rather than after the next poll wakes up.
            if freed && hasQueued() { continue }
            // Sleep until a socket is ready, or until the next back-off ends.
            var waitMs: Int32 = 100
            if running.isEmpty {
                // Idle: sleep until a back-off ends or a paced site may start again.
                let waiting = hostOrder.compactMap { h in heads[h]! < queues[h]!.count ? queues[h]![heads[h]!].site : nil }
                let paced = pacing.nextReady(waiting, now: Self.now())
                if let soonest = (delayed.map(\.notBefore) + (paced.map { [$0] } ?? [])).min() {
                    waitMs = Int32(max(1, min(1000, (soonest - Self.now()) * 1000)))
                }
            }
            curl_multi_poll(multi, nil, 0, waitMs, nil)
        }
    }

    private func finished(_ job: Job, _ r: TransferResult, onTerminal: (TerminalTransfer) -> Void) {
        let (reason, detail) = Self.classify(r)
        if let reason {
            let jitter = Double.random(in: 0..<1, using: &rng)
            let decision = policy.decide(reason: reason, attempt: job.attempts, retryAfter: r.retryAfter, jitter: jitter)
            // The site said slow down: the whole site waits, not only this URL.
            if reason == .http(429) || reason == .http(503) {
                let wait: Double
                if case .retry(let after) = decision { wait = after } else { wait = r.retryAfter ?? settings.backoff }
                pacing.pause(job.site, until: Self.now() + min(wait, settings.maxBackoff))
            }
            switch decision {
            case .retry(let after):
                var again = job
                again.notBefore = Self.now() + after
                delayed.append(again)
                return
            case .giveUp(let why):
                let d = [detail, why].compactMap { $0 }.joined(separator: "; ")
                onTerminal(TerminalTransfer(job: job.url, result: r, attempts: job.attempts,
                                            elapsed: Self.now() - (job.firstStart ?? Self.now()),
                                            reason: reason, detail: d.isEmpty ? nil : d))
            }
        } else {
            onTerminal(TerminalTransfer(job: job.url, result: r, attempts: job.attempts,
                                        elapsed: Self.now() - (job.firstStart ?? Self.now()),
                                        reason: nil, detail: nil))
        }
    }

    /// Transport- and HTTP-level failure reason, or nil when a body arrived.
    static func classify(_ r: TransferResult) -> (FetchFailure?, String?) {
        if let o = r.optOut { return (.optOut, o.header) }
        if r.tooLarge { return (.tooLarge, "body over the max_bytes limit") }
        if r.curlCode != CURLE_OK {
            let reason: FetchFailure
            switch r.curlCode {
            case CURLE_OPERATION_TIMEDOUT: reason = .timeout
            case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: reason = .dnsError
            case CURLE_COULDNT_CONNECT: reason = .connectionFailed
            case CURLE_TOO_MANY_REDIRECTS: reason = .tooManyRedirects
            case CURLE_PARTIAL_FILE: reason = .truncatedBody
            case CURLE_GOT_NOTHING: reason = .emptyReply
            case CURLE_SEND_ERROR, CURLE_RECV_ERROR: reason = .connectionError
            case CURLE_UNSUPPORTED_PROTOCOL: reason = .unsupportedScheme
            case CURLE_FILE_COULDNT_READ_FILE: reason = .fileNotFound
            case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
                 CURLE_SSL_CACERT_BADFILE: reason = .tlsError
            case CURLE_URL_MALFORMAT: reason = .badURL
            default: reason = .curl(Int(r.curlCode.rawValue))
            }
            return (reason, r.curlError)
        }
        if r.httpStatus >= 400 { return (.http(r.httpStatus), nil) }
        if r.body.isEmpty { return (.emptyBody, nil) }
        return (nil, nil)
    }

    private func enqueue(_ job: Job) {
        queued += 1
        if queues[job.host] == nil { queues[job.host] = []; heads[job.host] = 0; hostOrder.append(job.host) }
        queues[job.host]!.append(job)
    }

    private func hasQueued() -> Bool {
        hostOrder.contains { heads[$0]! < queues[$0]!.count }
    }

    private func promoteDelayed() {
        guard !delayed.isEmpty else { return }
        let t = Self.now()
        var keep: [Job] = []
        for j in delayed { if j.notBefore <= t { enqueue(j) } else { keep.append(j) } }
        delayed = keep
    }

    private func startTransfers(_ multi: UnsafeMutableRawPointer) {
        var idle = 0
        while running.count < settings.concurrency && !hostOrder.isEmpty && idle < hostOrder.count {
            rr %= hostOrder.count
            let host = hostOrder[rr]
            let head = heads[host]!
            if head >= queues[host]!.count {
                // Drained: drop the host from the rotation and reclaim its queue.
                hostOrder.remove(at: rr); queues[host] = nil; heads[host] = nil
                idle = 0
                continue
            }
            guard activePerHost[host, default: 0] < settings.perHost,
                  pacing.mayStart(queues[host]![head].site, now: Self.now()) else { rr += 1; idle += 1; continue }
            var job = queues[host]![head]
            pacing.started(job.site, now: Self.now())
            heads[host] = head + 1
            queued -= 1
            job.attempts += 1
            if job.firstStart == nil { job.firstStart = Self.now() }
            guard let t = CurlTransfer(url: job.url.url, settings: curl) else { fatalError("curl_easy_init failed") }
            curl_multi_add_handle(multi, t.handle)
            running[t.handle] = (t, job)
            activePerHost[host, default: 0] += 1
            rr += 1
            idle = 0
        }
    }
}
