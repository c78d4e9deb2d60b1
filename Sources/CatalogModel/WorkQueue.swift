/// A per-item stage whose work is cut into shards that processes (on one machine or many) lease
/// from the catalog: `curate fetch`, the hashing half of `curate dedup`, `curate faces` and the
/// inference half of `curate score` all run this way, and so does `curate worker`.
public enum WorkStage: Sendable, Hashable, Comparable, CustomStringConvertible {
    case fetch
    case hash
    case faces
    /// Inference with one model (its stored-output key): two models are two queues.
    case score(model: String)

    /// The stage's name as stored and shown.
    public var name: String {
        switch self {
        case .fetch: "fetch"
        case .hash: "hash"
        case .faces: "faces"
        case .score: "score"
        }
    }

    /// What else tells two queues of the same stage apart ("" for all but `score`).
    public var parameter: String {
        if case .score(let model) = self { return model }
        return ""
    }

    public init?(name: String, parameter: String) {
        switch name {
        case "fetch": self = .fetch
        case "hash": self = .hash
        case "faces": self = .faces
        case "score": self = .score(model: parameter)
        default: return nil
        }
    }

    /// The order the pipeline runs them in.
    var rank: Int {
        switch self {
        case .fetch: 0
        case .hash: 1
        case .faces: 2
        case .score: 3
        }
    }

    public static func < (a: WorkStage, b: WorkStage) -> Bool {
        a.rank != b.rank ? a.rank < b.rank : a.parameter < b.parameter
    }

    public var description: String { parameter.isEmpty ? name : "\(name) (\(parameter))" }
}

/// Where a shard stands. `leased` with an expired lease counts as claimable again.
public enum ShardState: String, Sendable, Hashable, Codable, CaseIterable {
    case ready, leased, done, failed
}

/// One process's claim on one shard: valid while `token` is the shard's token and its lease has
/// not expired. Every commit made under it checks the token in the same transaction, so a
/// worker that lost its lease (it stalled, the lease expired, another took the shard) cannot
/// write over the new holder's results.
public struct ShardLease: Sendable, Hashable {
    public var shard: Int64
    public var stage: WorkStage
    public var token: String
    /// 1 on the first claim; a shard whose lease expired is claimed again with the next number.
    public var attempt: Int
    /// The site (registrable domain) all of a fetch shard's URLs belong to; nil for other stages.
    public var site: String?
    public var items: Int

    public init(shard: Int64, stage: WorkStage, token: String, attempt: Int, site: String?, items: Int) {
        self.shard = shard; self.stage = stage; self.token = token; self.attempt = attempt
        self.site = site; self.items = items
    }
}

/// Which process holds a lease: shown by `curate status`, and how a worker's own leases are found.
public struct WorkerID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    /// Tells a restarted process from an earlier one that had the same pid.
    public var started: String

    public init(host: String, pid: Int32, started: String) {
        self.host = host; self.pid = pid; self.started = started
    }

    public var key: String { "\(host):\(pid):\(started)" }
    public var description: String { "\(host) pid \(pid)" }
}

/// How long leases last and how often they are renewed; a shard whose lease expired
/// `maxAttempts` times (its workers died or stalled on it each time) is marked failed.
public struct LeasePolicy: Sendable, Hashable {
    public var seconds: Double
    public var maxAttempts: Int
    /// Items per shard (fetch shards hold one site's URLs only).
    public var shardSize: Int

    public init(seconds: Double = 60, maxAttempts: Int = 3, shardSize: Int = 1000) {
        self.seconds = seconds; self.maxAttempts = maxAttempts; self.shardSize = shardSize
    }

    /// Renewing at a third of the lease survives two missed renewals.
    public var renewEvery: Double { seconds / 3 }

    /// A shard's items cut into shards of at most `size`, keeping each group (a fetch shard's
    /// site) in shards of its own and the items' order: the pure rule behind planning.
    public static func cut<Item>(_ items: [Item], size: Int, group: (Item) -> String?) -> [(group: String?, items: [Item])] {
        precondition(size > 0)
        var order: [String?] = []
        var byGroup: [String?: [Item]] = [:]
        for item in items {
            let g = group(item)
            if byGroup[g] == nil { order.append(g) }
            byGroup[g, default: []].append(item)
        }
        var out: [(group: String?, items: [Item])] = []
        for g in order {
            let all = byGroup[g]!
            for start in stride(from: 0, to: all.count, by: size) {
                out.append((g, Array(all[start..<min(all.count, start + size)])))
            }
        }
        return out
    }
}

/// Shards of one queue by state, for `curate status`.
public struct ShardCounts: Sendable, Hashable, Codable {
    public var ready = 0, leased = 0, done = 0, failed = 0
    /// Leased shards whose lease has run out (claimable again).
    public var expired = 0
    /// Items in shards not yet done or failed.
    public var openItems = 0
    /// Age in seconds of the oldest live lease (nil when none).
    public var oldestLeaseSeconds: Double?

    public init() {}

    public var unfinished: Int { ready + leased }

    enum CodingKeys: String, CodingKey {
        case ready, leased, done, failed, expired
        case openItems = "open_items", oldestLeaseSeconds = "oldest_lease_seconds"
    }
}

/// A process that has leased work, as the catalog last heard from it.
public struct WorkerRecord: Sendable, Hashable, Codable {
    public var worker: WorkerID
    public var stages: String
    public var startedAt: String
    public var heartbeatAt: String
    /// Seconds since its last heartbeat, by the catalog's clock.
    public var silentSeconds: Double
    public var leases: Int

    public init(worker: WorkerID, stages: String, startedAt: String, heartbeatAt: String, silentSeconds: Double, leases: Int) {
        self.worker = worker; self.stages = stages; self.startedAt = startedAt; self.heartbeatAt = heartbeatAt
        self.silentSeconds = silentSeconds; self.leases = leases
    }

    enum CodingKeys: String, CodingKey {
        case worker, stages, startedAt = "started_at", heartbeatAt = "heartbeat_at"
        case silentSeconds = "silent_seconds", leases
    }
}

/// A failed shard, with the error that failed it.
public struct FailedShard: Sendable, Hashable, Codable {
    public var shard: Int64
    public var stage: String
    public var attempts: Int
    public var error: String
    public init(shard: Int64, stage: String, attempts: Int, error: String) {
        self.shard = shard; self.stage = stage; self.attempts = attempts; self.error = error
    }
}

/// One shard as an audit sees it.
public struct ShardRecord: Sendable, Hashable, Codable {
    public var shard: Int64
    public var stage: String
    public var state: String
    public var items: Int
    public var attempts: Int
    public init(shard: Int64, stage: String, state: String, items: Int, attempts: Int) {
        self.shard = shard; self.stage = stage; self.state = state; self.items = items; self.attempts = attempts
    }
}
