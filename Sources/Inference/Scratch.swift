/// Float buffers one thread reuses across calls: slot i grows to the largest size asked of
/// it and is never shrunk, so hot loops stop paying for fresh, page-faulting allocations.
/// A pointer is valid until the same slot is asked for again; contents are not kept.
public final class Scratch {
    private var slots: [(pointer: UnsafeMutablePointer<Float>, count: Int)] = []

    /// Slots the Ops kernels use themselves; callers use slots from `firstFree` on.
    static let col = 0, pool = 1
    public static let firstFree = 2

    public init() {}

    public func buffer(_ slot: Int, count: Int) -> UnsafeMutablePointer<Float> {
        while slots.count <= slot { slots.append((UnsafeMutablePointer<Float>.allocate(capacity: 1), 1)) }
        if slots[slot].count < count {
            slots[slot].pointer.deallocate()
            slots[slot] = (UnsafeMutablePointer<Float>.allocate(capacity: count), count)
        }
        return slots[slot].pointer
    }

    deinit { for s in slots { s.pointer.deallocate() } }
}

/// A tensor's values at a stable address, for the pointer-level kernels (weights live as
/// long as their network).
public final class FloatBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(_ values: [Float]) {
        count = values.count
        pointer = .allocate(capacity: max(1, count))
        pointer.initialize(from: values, count: count)
    }

    public convenience init(_ t: Tensor) { self.init(t.data) }

    deinit { pointer.deallocate() }
}
