import Testing
import TestSupport
@testable import Dedup

struct HammingIndexTests {
    /// Random hashes plus planted neighbours at every distance up to 16 bits.
    func sample(_ n: Int, seed: UInt64) -> [UInt64] {
        var rng = SplitMix(seed)
        var hashes = (0..<n).map { _ in rng.next() }
        for k in 0..<(n / 4) {
            var h = hashes[k]
            for _ in 0..<(k % 17) { h ^= 1 << (rng.next() % 64) }
            hashes.append(h)
        }
        return hashes
    }

    func bruteForce(_ h: [UInt64], _ r: Int) -> Set<[Int32]> {
        var s = Set<[Int32]>()
        for i in 0..<h.count { for j in (i + 1)..<h.count where (h[i] ^ h[j]).nonzeroBitCount <= r { s.insert([Int32(i), Int32(j)]) } }
        return s
    }

    @Test(arguments: [0, 1, 3, 4, 8, 10, 13])
    func findsExactlyThePairsWithinTheRadiusOnceEach(radius: Int) {
        let h = sample(2000, seed: UInt64(radius) + 7)
        let found = HammingIndex(h).pairs(radius: radius).map { [$0.0, $0.1] }
        #expect(found.count == Set(found).count, "a pair was reported twice")
        #expect(found.allSatisfy { $0[0] < $0[1] })
        #expect(Set(found) == bruteForce(h, radius))
    }

    @Test func unionFindGroupsConnectedIndices() {
        var uf = UnionFind(7)
        uf.union(0, 3); uf.union(3, 5); uf.union(6, 2)
        #expect(uf.components() == [[0, 3, 5], [2, 6]])
    }
}
