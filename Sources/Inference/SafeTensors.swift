import Foundation

/// Reads float32 tensors from a `.safetensors` file: an 8-byte little-endian header
/// length, a JSON header (name → dtype, shape, data offsets), then raw data.
public struct SafeTensors: Sendable {
    public let tensors: [String: Tensor]
    public let metadata: [String: String]

    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw FormatError(description: "cannot read model file \(url.path): \(error.localizedDescription)")
        }
        try self.init(data: data, name: url.lastPathComponent)
    }

    public init(data: Data, name: String = "safetensors") throws {
        guard data.count >= 8 else { throw FormatError(description: "\(name): too short") }
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        guard n > 0, 8 + n <= data.count,
              let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any] else {
            throw FormatError(description: "\(name): bad header")
        }
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        let base = 8 + n
        for (key, value) in header {
            if key == "__metadata__" { metadata = value as? [String: String] ?? [:]; continue }
            guard let v = value as? [String: Any], let dtype = v["dtype"] as? String,
                  let shape = v["shape"] as? [Int], let off = v["data_offsets"] as? [Int], off.count == 2 else {
                throw FormatError(description: "\(name): bad entry \(key)")
            }
            guard dtype == "F32" else { throw FormatError(description: "\(name): \(key) is \(dtype), only F32 is supported") }
            let count = shape.reduce(1, *)
            guard off[1] - off[0] == count * 4, base + off[1] <= data.count else {
                throw FormatError(description: "\(name): \(key) has a wrong size")
            }
            var floats = [Float](repeating: 0, count: count)
            _ = floats.withUnsafeMutableBytes { dst in
                data.copyBytes(to: dst, from: (base + off[0])..<(base + off[1]))
            }
            tensors[key] = Tensor(shape: shape, data: floats)
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    public func tensor(_ name: String) throws -> Tensor {
        guard let t = tensors[name] else { throw FormatError(description: "model has no tensor '\(name)'") }
        return t
    }

    /// The tensor, checked against the shape the network expects.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let t = try tensor(name)
        guard t.shape == shape else { throw FormatError(description: "'\(name)' has shape \(t.shape), expected \(shape)") }
        return t
    }
}
