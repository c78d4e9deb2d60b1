import CurateCore
import Dispatch

/// All pairs of 64-bit hashes within a Hamming radius, without comparing all pairs:
/// multi-index hashing. The hash is cut into four 16-bit chunks; by pigeonhole, two
/// hashes within distance r agree within ⌊r/4⌋ bits on at least one chunk. Each chunk has
/// a table (counting-sorted, so a bucket is one contiguous run), and candidates from
/// buckets within ⌊r/4⌋ bits of each other are verified with a popcount.
public struct HammingIndex: Sendable {
    public let hashes: [UInt64]
    private var offsets: [[Int32]] = []   // per chunk: 65,537 bucket starts
    private var sortedHashes: [[UInt64]] = []
    private var sortedIDs: [[Int32]] = []

    @inline(__always) static func chunk(_ h: UInt64, _ c: Int) -> Int { Int((h >> (UInt64(c) * 16)) & 0xFFFF) }

    public init(_ hashes: [UInt64]) {
        self.hashes = hashes
        for c in 0..<4 {
            var counts = [Int32](repeating: 0, count: 65_537)
            for h in hashes { counts[Self.chunk(h, c) + 1] += 1 }
            for i in 1..<counts.count { counts[i] += counts[i - 1] }
            var fill = counts
            var sh = [UInt64](repeating: 0, count: hashes.count)
            var ids = [Int32](repeating: 0, count: hashes.count)
            for (i, h) in hashes.enumerated() {
                let b = Self.chunk(h, c)
                let at = Int(fill[b]); fill[b] += 1
                sh[at] = h; ids[at] = Int32(i)
            }
            offsets.append(counts); sortedHashes.append(sh); sortedIDs.append(ids)
        }
    }

    /// Every 16-bit mask with at most `bits` bits set.
    static func masks(upTo bits: Int) -> [Int] {
        (0..<65_536).filter { $0.nonzeroBitCount <= bits }.sorted { $0.nonzeroBitCount < $1.nonzeroBitCount }
    }

    /// Pairs (i, j), i < j, with distance ≤ radius, each reported once.
    ///
    /// Works bucket against bucket rather than query by query: for every chunk value v
    /// and every mask m of at most ⌊r/4⌋ bits, the runs for v and v^m are compared
    /// directly. Both runs are contiguous, so memory is read in order, which is what
    /// makes a million hashes take seconds rather than minutes. Parallel over v.
    public func pairs(radius: Int) -> [(Int32, Int32)] {
        precondition(radius >= 0 && radius < 64)
        let perChunk = radius / 4
        let masks = Self.masks(upTo: perChunk)
        let slices = 64
        let results = parallelMap(count: slices * 4, state: {}) { task, _ in
            let c = task % 4, s = task / 4
            var local: [(Int32, Int32)] = []
            let lo = s * 65_536 / slices, hi = (s + 1) * 65_536 / slices
            join(chunk: c, values: lo..<hi, radius: radius, perChunk: perChunk, masks: masks, into: &local)
            return local
        }
        return results.flatMap { $0 }
    }

    private func join(chunk c: Int, values: Range<Int>, radius: Int, perChunk: Int, masks: [Int],
                      into out: inout [(Int32, Int32)]) {
        offsets[c].withUnsafeBufferPointer { off in
            sortedHashes[c].withUnsafeBufferPointer { sh in
                sortedIDs[c].withUnsafeBufferPointer { ids in
                    // Called only for hits, which are rare; the scan loops below stay tight.
                    func emit(_ a: Int, _ b: Int, _ x: UInt64) {
                        // Report a pair only from the first chunk that can find it.
                        for c2 in 0..<c where (x >> (UInt64(c2) * 16) & 0xFFFF).nonzeroBitCount <= perChunk { return }
                        let (i, j) = (ids[a], ids[b])
                        out.append(i < j ? (i, j) : (j, i))
                    }
                    for v in values {
                        let a0 = Int(off[v]), a1 = Int(off[v + 1])
                        guard a1 > a0 else { continue }
                        for m in masks {
                            let w = v ^ m
                            let (b0, b1): (Int, Int)
                            if m == 0 { (b0, b1) = (a0, a1) } else if w > v { (b0, b1) = (Int(off[w]), Int(off[w + 1])) } else { continue }
                            for a in a0..<a1 {
                                let ha = sh[a]
                                for b in (m == 0 ? a + 1 : b0)..<b1 {
                                    let x = ha ^ sh[b]
                                    if x.nonzeroBitCount <= radius { emit(a, b, x) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Connected components by union-find with path halving and union by size.
public struct UnionFind {
    private var parent: [Int32]
    private var size: [Int32]
    public init(_ n: Int) { parent = (0..<Int32(n)).map { $0 }; size = [Int32](repeating: 1, count: n) }

    public mutating func find(_ x: Int32) -> Int32 {
        var x = x
        while parent[Int(x)] != x {
            parent[Int(x)] = parent[Int(parent[Int(x)])]
            x = parent[Int(x)]
        }
        return x
    }

    public mutating func union(_ a: Int32, _ b: Int32) {
        var ra = find(a), rb = find(b)
        guard ra != rb else { return }
        if size[Int(ra)] < size[Int(rb)] { swap(&ra, &rb) }
        parent[Int(rb)] = ra
        size[Int(ra)] += size[Int(rb)]
    }

    /// Groups of two or more indices, each sorted, in order of their smallest member.
    public mutating func components() -> [[Int32]] {
        var byRoot: [Int32: [Int32]] = [:]
        for i in 0..<Int32(parent.count) { byRoot[find(i), default: []].append(i) }
        return byRoot.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
    }
}
