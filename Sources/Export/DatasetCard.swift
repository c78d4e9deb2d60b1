import CurateCore
import Foundation

/// The export's `README.md`: what is in it and what made it, so a dataset handed on explains
/// itself. Byte-stable (no timestamps): exporting twice gives the same card.
public struct DatasetCard: Sendable {
    public var name: String
    public var labels: [String]
    public var splits: [SplitName]
    public var status: CatalogStatus
    /// Where the pipeline definition came from, and its text (the settings that made the export).
    public var pipelineSource: String
    public var pipelineText: String

    public init(name: String, labels: [String], splits: [SplitName], status: CatalogStatus,
                pipelineSource: String, pipelineText: String) {
        self.name = name; self.labels = labels; self.splits = splits; self.status = status
        self.pipelineSource = pipelineSource; self.pipelineText = pipelineText
    }

    /// Registrable-ish host of a URL for the sources table (`file` for local files).
    static func host(_ url: String?) -> String {
        guard let url, let c = URLComponents(string: url) else { return "unknown" }
        if c.scheme == "file" { return "file (local)" }
        return c.host?.lowercased() ?? "unknown"
    }

    /// The card for `included`, the faces the export holds.
    public func markdown(_ included: [FaceExportRow]) -> String {
        var md = ["# \(name): \(counted(included.count, "face")) in \(splits.count) splits", ""]
        md.append("Made by curate \(curateVersion). Folders: `<split>/<label>/<face_id>.png` (torchvision `ImageFolder`; "
            + "class indices in `labels.json`), `<split>/metadata.jsonl` (Hugging Face `imagefolder`), `manifest.csv` (every file's provenance).")
        md += ["", "## Faces per split and label", ""]
        md.append("| label | " + splits.map(\.rawValue).joined(separator: " | ") + " | total |")
        md.append("|---|" + String(repeating: "---:|", count: splits.count + 1))
        for label in labels {
            let counts = splits.map { s in included.filter { $0.split == s && $0.label == label }.count }
            md.append("| \(label) | " + counts.map(String.init).joined(separator: " | ") + " | \(counts.reduce(0, +)) |")
        }
        md += ["", "## Sources", ""]
        let hosts = Dictionary(grouping: included, by: { Self.host($0.url) }).mapValues(\.count)
        md.append("\(counted(status.urls.total, "URL")) listed: \(status.urls.fetched) fetched, \(status.urls.failed) failed, "
            + "\(status.urls.pending) pending. Faces by host:")
        md.append("")
        md.append("| host | faces |")
        md.append("|---|---:|")
        for (h, n) in hosts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) { md.append("| \(h) | \(n) |") }
        let optOuts = status.failures[FetchFailure.optOut.rawValue] ?? 0
        md += ["", "## Consent", ""]
        md.append(optOuts == 0 ? "No site reserved an image against this use (X-Robots-Tag, tdm-reservation)."
            : "\(counted(optOuts, "URL")) were not downloaded because the site reserved them (`opt_out`: X-Robots-Tag noai/noimageai/noml/noindex/noimageindex or tdm-reservation: 1).")
        let failures = status.failures.filter { $0.key != FetchFailure.optOut.rawValue }
        if !failures.isEmpty {
            md.append("")
            md.append("Other failed URLs: " + failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ".")
        }
        md += ["", "## Left out", ""]
        if status.excluded.isEmpty && status.faces.rejected.isEmpty { md.append("Nothing.") }
        for (reason, n) in status.excluded.sorted(by: { $0.key < $1.key }) {
            md.append("- \(reason): \(counted(n, Exclusion(rawValue: reason)?.countsImages == true ? "image" : "face"))")
        }
        if !status.faces.rejected.isEmpty {
            md.append("- quality gate: " + status.faces.rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        md += ["", "## Review", ""]
        let reviewed = included.filter { $0.reviewed != nil }.count
        md.append("\(reviewed) of the \(counted(included.count, "face")) here reviewed by a person"
            + (status.reviewed.isEmpty ? "." : "; decisions standing in the catalog: "
               + status.reviewed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "."))
        md.append("\(status.scored) faces scored for likely mislabels; \(status.flagged) flagged.")
        md += ["", "## Settings", "", "From \(pipelineSource):", "", "```yaml", pipelineText.trimmingCharacters(in: .newlines), "```", ""]
        return md.joined(separator: "\n")
    }
}
