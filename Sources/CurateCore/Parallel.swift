import Dispatch

/// Runs `transform` over `items` on every core and returns the results in order.
public func parallelMap<A: Sendable, B>(_ items: [A], _ transform: @Sendable (A) -> B) -> [B] {
    var out = [B?](repeating: nil, count: items.count)
    out.withUnsafeMutableBufferPointer { buf in
        let slots = UncheckedSlots(buf)
        DispatchQueue.concurrentPerform(iterations: items.count) { i in slots.buffer[i] = transform(items[i]) }
    }
    return out.map { $0! }
}

/// Disjoint slots of one buffer, written by concurrent iterations (each writes its own index).
public struct UncheckedSlots<T>: @unchecked Sendable {
    public let buffer: UnsafeMutableBufferPointer<T>
    public init(_ b: UnsafeMutableBufferPointer<T>) { buffer = b }
}
