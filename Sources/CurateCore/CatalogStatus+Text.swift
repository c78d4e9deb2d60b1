import Foundation

extension CatalogStatus {
    /// `curate status --json`: one object, keys sorted so output is stable.
    public func json() throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }

    /// `curate status`: the human summary.
    public var text: String {
        var lines = [
            "urls: \(urls.total) (fetched \(urls.fetched), failed \(urls.failed), pending \(urls.pending))",
            "images: \(images.total) (hashed \(images.hashed); \(images.inClusters) in \(images.clusters) near-duplicate clusters; \(counted(images.conflicts, "label conflict")))",
        ]
        if faces.imagesScanned > 0 {
            lines.append("faces: \(faces.total) in \(counted(faces.imagesWithFaces, "image")); \(counted(faces.imagesWithoutFace, "image")) without a face"
                + (faces.failed > 0 ? "; \(faces.failed) could not be read" : ""))
            if !faces.rejected.isEmpty {
                let n = faces.rejected.values.reduce(0, +)
                lines.append("quality gate: \(n) of \(faces.total) faces left out ("
                    + FaceRejection.allCases.compactMap { r in faces.rejected[r.rawValue].map { "\(r.rawValue) \($0)" } }.joined(separator: ", ") + ")")
            }
        }
        if !splits.isEmpty {
            lines.append("splits: " + splits.keys.sorted { ["train", "val", "test"].firstIndex(of: $0) ?? 3 < ["train", "val", "test"].firstIndex(of: $1) ?? 3 }
                .map { "\($0) \(splits[$0]!.values.reduce(0, +))" }.joined(separator: ", ")
                + (excluded.isEmpty ? "" : "; excluded " + excluded.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        }
        if scored > 0 { lines.append("scored: \(counted(scored, "face")), \(flagged) flagged as likely mislabels") }
        if !reviewed.isEmpty {
            lines.append("reviewed: " + ["relabel", "accept", "reject"].compactMap { a in reviewed[a].map { "\(a) \($0)" } }.joined(separator: ", "))
        }
        if !labels.isEmpty {
            lines.append("labels: " + labels.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !failures.isEmpty {
            lines.append("failures:")
            for (r, n) in failures.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) { lines.append("  \(r): \(n)") }
        }
        return lines.joined(separator: "\n")
    }
}

extension CatalogStatus {
    /// What a command needs stored before it can do anything; a missing step is an error that
    /// names the command to run first (a stage on nothing must not print an empty table and exit 0).
    public enum Need: Sendable { case images, scannedImages, faces, split }

    public func require(_ need: Need, for command: String) throws {
        switch need {
        case .images where images.total == 0:
            throw CurateError("\(command): no images are stored yet; run `curate fetch LIST` first")
        case .scannedImages where faces.imagesScanned == 0:
            throw CurateError("\(command): no image has been scanned for faces yet; run `curate faces` first"
                + (images.total == 0 ? " (after `curate fetch LIST`)" : ""))
        case .faces where faces.total == 0:
            throw CurateError(faces.imagesScanned == 0
                ? "\(command): no faces yet; run `curate faces` first" + (images.total == 0 ? " (after `curate fetch LIST`)" : "")
                : "\(command): `curate faces` found no face in the \(faces.imagesScanned) scanned images")
        case .split where splits.isEmpty && excluded.isEmpty:
            throw CurateError("\(command): no split yet; run `curate split` first")
        default: return
        }
    }
}
