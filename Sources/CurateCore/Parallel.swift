import Dispatch
import Foundation

/// The one way stages spread work over cores. `body(i, state)` runs for every i in 0..<count on up
/// to `threads` threads, each with its own `state` (scratch buffers: made once per thread, not per
/// item); a thread takes the next index as soon as it is free, so work listed largest first
/// balances well. Results come back in index order.
public func parallelMap<State, T>(count: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                  state makeState: @Sendable () -> State,
                                  _ body: @Sendable (Int, inout State) -> T) -> [T] {
    var out = [T?](repeating: nil, count: count)
    out.withUnsafeMutableBufferPointer { buf in
        let slots = UncheckedSlots(buf)
        let workers = max(1, min(threads, count))
        guard workers > 1 else {
            var s = makeState()
            for i in 0..<count { slots.buffer[i] = body(i, &s) }
            return
        }
        let next = IndexDispenser(count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var s = makeState()
            while let i = next.take() { slots.buffer[i] = body(i, &s) }
        }
    }
    return out.map { $0! }
}

/// `transform` over `items` on every core (or `threads`), results in order.
public func parallelMap<A: Sendable, B>(_ items: [A], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                        _ transform: @Sendable (A) -> B) -> [B] {
    parallelMap(count: items.count, threads: threads, state: {}) { i, _ in transform(items[i]) }
}

/// Disjoint slots of one buffer, written by concurrent iterations (each writes its own index).
struct UncheckedSlots<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ b: UnsafeMutableBufferPointer<T>) { buffer = b }
}

/// Hands out 0, 1, 2, … below a limit to whichever thread asks next.
final class IndexDispenser: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    private let limit: Int

    init(_ limit: Int) { self.limit = limit }

    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
