import CurateCore
import Dispatch
import Foundation
import Inference

/// Runs `body(i, scratch)` for every i in 0..<count on up to `threads` threads, each with its
/// own scratch buffers; a thread claims the next index as soon as it is free, so tasks listed
/// largest first balance well.
func forEachTask(_ count: Int, threads: Int, _ body: @Sendable (Int, Scratch) -> Void) {
    guard threads > 1 && count > 1 else {
        let s = Scratch()
        for i in 0..<count { body(i, s) }
        return
    }
    let next = TaskCounter()
    DispatchQueue.concurrentPerform(iterations: min(threads, count)) { _ in
        let s = Scratch()
        while let i = next.take(below: count) { body(i, s) }
    }
}

/// Results of `forEachTask`, in index order.
func mapTasks<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int, Scratch) -> T) -> [T] {
    var out = [T?](repeating: nil, count: count)
    out.withUnsafeMutableBufferPointer { buf in
        let slots = UncheckedSlots(buf)
        forEachTask(count, threads: threads) { i, s in slots.buffer[i] = body(i, s) }
    }
    return out.map { $0! }
}

final class TaskCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
