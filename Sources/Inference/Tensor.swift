/// A dense float32 tensor, row-major. Images are NCHW.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not hold \(data.count) values")
        self.shape = shape; self.data = data
    }

    public init(zeros shape: [Int]) { self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *))) }

    /// A tensor whose every element the caller overwrites before reading (skips zero-filling,
    /// which is a tenth of MTCNN's time otherwise).
    init(uninitialized shape: [Int]) {
        let n = shape.reduce(1, *)
        self.init(shape: shape, data: [Float](unsafeUninitializedCapacity: n) { _, count in count = n })
    }

    public var count: Int { data.count }

    public func reshaped(_ s: [Int]) -> Tensor { Tensor(shape: s, data: data) }

    /// Index of an element of a 4-D tensor.
    @inline(__always) public func offset(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        ((n * shape[1] + c) * shape[2] + h) * shape[3] + w
    }

    public subscript(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Float {
        get { data[offset(n, c, h, w)] }
        set { data[offset(n, c, h, w)] = newValue }
    }
}
