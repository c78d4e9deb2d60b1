import Catalogs
import CurateCore
import Foundation
import Testing

/// The work queue every backend must provide: planning each item once, claims that exclude one
/// another, leases that expire and fence late commits, attempts that end in `failed`.
struct WorkQueueContractTests {
    let me = WorkerID(host: "test-host", pid: 1, started: "a")
    let other = WorkerID(host: "test-host", pid: 2, started: "b")

    func urls(_ cat: any CatalogBackend, _ hosts: [String]) throws {
        _ = try cat.addURLs(hosts.enumerated().map { i, h in
            URLEntry(url: "http://\(h)/\(i)", label: "happy", listFile: "l", line: i + 1)
        })
    }

    @Test(arguments: Backend.allCases) func planningCutsShardsPerSiteOnceAndEachItemIsPlannedOnce(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            try urls(cat, ["a.com", "b.com", "a.com", "x.a.com", "b.com", "c.org"])
            let policy = LeasePolicy(seconds: 30, shardSize: 2)
            let site: @Sendable (String) -> String = { URLComponents(string: $0)!.host!.split(separator: ".").suffix(2).joined(separator: ".") }
            // a.com has three URLs (x.a.com is the same site): two shards; b.com one; c.org one.
            #expect(try cat.planShards(.fetch, policy: policy, retryFailed: false, site: site) == 4)
            #expect(try cat.planShards(.fetch, policy: policy, retryFailed: false, site: site) == 0)
            let c = try cat.queueStatus(liveWithin: 60).counts(.fetch)
            #expect(c.ready == 4 && c.openItems == 6)
            var seen: [Int64] = []
            var sites: [String] = []
            while let l = try cat.claimShard(.fetch, worker: me, policy: policy) {
                sites.append(l.site ?? "-")
                seen += try cat.urlsToFetch(retryFailed: false, shard: l.shard).map(\.id)
            }
            // The second a.com shard waits while the first is leased.
            #expect(sites == ["a.com", "b.com", "c.org"])
            #expect(seen.count == 5 && Set(seen).count == 5)
        }
    }

    @Test(arguments: Backend.allCases) func aClaimIsExclusiveUntilItsLeaseExpiresThenTheNextAttemptTakesIt(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            try urls(cat, ["a.com", "a.com"])
            let policy = LeasePolicy(seconds: 0.3, maxAttempts: 3)
            try cat.planShards(.fetch, policy: policy, retryFailed: false, site: { _ in "a.com" })
            let first = try #require(try cat.claimShard(.fetch, worker: me, policy: policy))
            #expect(first.attempt == 1 && first.items == 2)
            #expect(try cat.claimShard(.fetch, worker: other, policy: policy) == nil)
            Thread.sleep(forTimeInterval: 0.5)
            #expect(try cat.queueStatus(liveWithin: 60).counts(.fetch).expired == 1)
            let second = try #require(try cat.claimShard(.fetch, worker: other, policy: policy))
            #expect(second.shard == first.shard && second.attempt == 2 && second.token != first.token)
            // The first holder's late results are refused, whole, and it cannot finish the shard.
            let pending = try cat.urlsToFetch(retryFailed: false, shard: first.shard)
            var o = FetchOutcome(urlID: pending[0].id, attempts: 1, elapsedSeconds: 0.1)
            o.error = .http(404)
            #expect(throws: LeaseLost.self) { try cat.record([o], lease: first) }
            #expect(try cat.status().urls.failed == 0)
            #expect(try cat.completeShard(first) == false)
            #expect(try cat.renewLeases([first, second], worker: me, policy: LeasePolicy(seconds: 30)) == [first])
            // The holder's commit goes through, and only its items are left.
            try cat.record([o], lease: second)
            #expect(try cat.urlsToFetch(retryFailed: false, shard: second.shard).count == 1)
            #expect(try cat.completeShard(second))
            let c = try cat.queueStatus(liveWithin: 60).counts(.fetch)
            #expect(c.done == 1 && c.unfinished == 0)
        }
    }

    @Test(arguments: Backend.allCases) func aShardWhoseLeaseExpiresOnEveryAttemptEndsFailedWithWhy(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            try urls(cat, ["a.com"])
            let policy = LeasePolicy(seconds: 0.1, maxAttempts: 2)
            try cat.planShards(.fetch, policy: policy, retryFailed: false, site: { _ in "a" })
            #expect(try cat.claimShard(.fetch, worker: me, policy: policy)?.attempt == 1)
            Thread.sleep(forTimeInterval: 0.2)
            #expect(try cat.claimShard(.fetch, worker: me, policy: policy)?.attempt == 2)
            Thread.sleep(forTimeInterval: 0.2)
            #expect(try cat.claimShard(.fetch, worker: me, policy: policy) == nil)
            let q = try cat.queueStatus(liveWithin: 60)
            #expect(q.counts(.fetch).failed == 1)
            #expect(q.failed.first?.error.contains("lease expired on attempt 2 of 2") == true)
            // Failed items are not planned again until the failure is reset.
            #expect(try cat.planShards(.fetch, policy: policy, retryFailed: false, site: { _ in "a" }) == 0)
            #expect(try cat.resetFailedShards(.fetch) == 1)
            #expect(try cat.planShards(.fetch, policy: policy, retryFailed: false, site: { _ in "a" }) == 1)
        }
    }

    @Test(arguments: Backend.allCases) func aReleasedShardIsClaimableAtOnceAndItsAttemptDoesNotCount(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            try urls(cat, ["a.com"])
            let policy = LeasePolicy(seconds: 30, maxAttempts: 1)
            try cat.planShards(.fetch, policy: policy, retryFailed: false, site: { _ in "a" })
            let l = try #require(try cat.claimShard(.fetch, worker: me, policy: policy))
            try cat.releaseShard(l)
            #expect(try cat.claimShard(.fetch, worker: other, policy: policy)?.attempt == 1)
        }
    }

    @Test(arguments: Backend.allCases) func anErrorRetriesTheShardThenFailsItWithTheError(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            try Seed(cat: cat).fetched([("aa", "happy"), ("bb", "sad")])
            let policy = LeasePolicy(seconds: 30, maxAttempts: 2, shardSize: 10)
            try cat.planShards(.hash, policy: policy, retryFailed: false, site: { _ in "" })
            let l1 = try #require(try cat.claimShard(.hash, worker: me, policy: policy))
            #expect(try cat.imagesToHash(shard: l1.shard).map(\.sha256) == ["aa", "bb"])
            try cat.failShard(l1, error: "disk full", policy: policy)
            let l2 = try #require(try cat.claimShard(.hash, worker: me, policy: policy))
            try cat.failShard(l2, error: "disk full again", policy: policy)
            #expect(try cat.claimShard(.hash, worker: me, policy: policy) == nil)
            #expect(try cat.queueStatus(liveWithin: 60).failed.map(\.error) == ["disk full again"])
        }
    }

    @Test(arguments: Backend.allCases) func queuesOfOneStageAreKeptApartByModel(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            let seed = Seed(cat: cat)
            try seed.fetched([("aa", "happy")])
            try cat.replaceClusters([], threshold: 0)
            try seed.scanned(faces: ["aa": 2])
            let policy = LeasePolicy(seconds: 30)
            #expect(try cat.planShards(.score(model: "m1"), policy: policy, retryFailed: false, site: { _ in "" }) == 1)
            #expect(try cat.planShards(.score(model: "m2"), policy: policy, retryFailed: false, site: { _ in "" }) == 1)
            let l = try #require(try cat.claimShard(.score(model: "m1"), worker: me, policy: policy))
            #expect(try cat.facesToScore(model: "m1", shard: l.shard).count == 2)
            #expect(try cat.claimShard(.score(model: "m1"), worker: me, policy: policy) == nil)
            #expect(try cat.claimShard(.score(model: "m2"), worker: me, policy: policy) != nil)
        }
    }

    @Test(arguments: Backend.allCases) func liveWorkersAreListedWithTheirLeasesAndADeadOnesLeasesCanBeEnded(_ backend: Backend) throws {
        try backend.withCatalog { cat, _ throws in
            try urls(cat, ["a.com"])
            let policy = LeasePolicy(seconds: 30)
            try cat.registerWorker(me, stages: "fetch")
            try cat.planShards(.fetch, policy: policy, retryFailed: false, site: { _ in "a" })
            _ = try #require(try cat.claimShard(.fetch, worker: me, policy: policy))
            let q = try cat.queueStatus(liveWithin: 60)
            #expect(q.workers.map(\.worker) == [me] && q.workers.first?.leases == 1)
            #expect(q.counts(.fetch).oldestLeaseSeconds != nil)
            #expect(try cat.leaseHolders() == [me])
            try cat.expireLeases(of: me)
            #expect(try cat.claimShard(.fetch, worker: other, policy: policy)?.attempt == 2)
            try cat.retireWorker(me)
            #expect(try cat.queueStatus(liveWithin: 60).workers.isEmpty)
        }
    }
}
