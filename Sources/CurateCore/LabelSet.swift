/// The pipeline's labels and their aliases (e.g. "anger" → "angry").
public struct LabelSet: Sendable, Equatable {
    public let names: [String]
    private let lookup: [String: String]

    public init(_ specs: [LabelSpec]) throws {
        var lookup: [String: String] = [:]
        for spec in specs {
            // Labels name folders in an ImageFolder export.
            guard !spec.name.isEmpty, !spec.name.hasPrefix("."), !spec.name.contains(where: { "/\\\0,\"".contains($0) || $0.isNewline }) else {
                throw CurateError("label '\(spec.name)' cannot name a folder: no '/', '\\', ',', '\"', leading '.', or line breaks")
            }
            for key in [spec.name] + spec.aliases {
                let k = LabelSet.key(key)
                if let other = lookup[k], other != spec.name {
                    throw CurateError("label alias '\(key)' is claimed by both '\(other)' and '\(spec.name)'")
                }
                lookup[k] = spec.name
            }
        }
        guard !specs.isEmpty else { throw CurateError("the pipeline defines no labels") }
        self.names = specs.map(\.name)
        self.lookup = lookup
    }

    private static func key(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The canonical label for a name or alias, or nil when the pipeline has no such label.
    public func canonical(_ raw: String) -> String? { lookup[LabelSet.key(raw)] }

    /// Like `canonical`, but an unknown label is an error that names the allowed ones.
    public func normalize(_ raw: String) throws -> String {
        if let c = canonical(raw) { return c }
        throw CurateError("unknown label '\(raw)'; allowed: \(names.joined(separator: ", ")) (or their aliases)")
    }
}

public struct LabelSpec: Codable, Sendable, Equatable {
    public var name: String
    public var aliases: [String]
    public init(name: String, aliases: [String] = []) { self.name = name; self.aliases = aliases }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, aliases }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "labels[]")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        aliases = try c.decodeIfPresent([String].self, forKey: .aliases) ?? []
    }
}

import Foundation
