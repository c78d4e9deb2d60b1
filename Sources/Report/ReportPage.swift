import CurateCore
import Foundation
import Imaging

/// `curate report`: one self-contained HTML file (inline SVG charts, thumbnails as data: URIs,
/// and a Content-Security-Policy that forbids any other request), rendered from
/// Templates/report.mustache.
public struct ReportPage: Sendable {
    public struct Limits: Sendable {
        public var clusters = 40
        public var clusterMembers = 12
        public var noFace = 60
        public var gated = 60
        public var suspicious = 40
        public init() {}
    }

    let workspace: Workspace
    let catalog: any ExportCatalog & ReviewCatalog
    let labels: LabelSet
    let splits: [SplitName]
    let limits: Limits

    public init(workspace: Workspace, catalog: any ExportCatalog & ReviewCatalog, labels: LabelSet, splits: [SplitName], limits: Limits = Limits()) {
        self.workspace = workspace; self.catalog = catalog; self.labels = labels; self.splits = splits; self.limits = limits
    }

    /// The report, and how many thumbnails could not be made (unreadable files are shown as missing).
    public func render(generatedAt: Date = Date()) throws -> (html: String, missingThumbnails: Int) {
        let status = try catalog.status()
        var thumbs = ThumbnailMaker(workspace: workspace)
        let clusters = try clustersSection(&thumbs)
        let conflicts = try conflictsSection(&thumbs)
        let noFace = try noFaceSection(&thumbs)
        let gate = try gateSection(status, &thumbs)
        let scored = try catalog.reviewQueue(ReviewQuery(all: true, limit: Int.max)).items
        let view = ReportView(
            workspace: workspace.root.path, labels: labels.names.joined(separator: ", "),
            generated: ISO8601DateFormatter().string(from: generatedAt),
            tiles: summary(status), splits: splitSection(status),
            fetchedURLs: status.urls.fetched, failures: failuresSection(status),
            clusters: clusters, conflicts: conflicts, noFace: noFace, gate: gate, facesDetected: status.faces.total > 0,
            suspicious: try suspiciousSection(&thumbs), confusion: confusionSection(scored),
            review: reviewSection(status, scored: scored))
        return (try ReportTemplates.render(view), thumbs.missing)
    }

    // MARK: sections (nil when there is nothing to show: the template then says why)

    func summary(_ s: CatalogStatus) -> [ReportView.Tile] {
        [("URLs", s.urls.total), ("fetched", s.urls.fetched), ("failed", s.urls.failed), ("images", s.images.total),
         ("near-dup clusters", s.images.clusters), ("faces", s.faces.total), ("scored", s.scored), ("flagged", s.flagged),
         ("reviewed", s.reviewed.values.reduce(0, +)),
        ].map { ReportView.Tile(count: $0.1, name: $0.0) }
    }

    func splitSection(_ s: CatalogStatus) -> ReportView.Splits? {
        guard !s.splits.isEmpty else { return nil }
        let names = splits.map(\.rawValue) + s.splits.keys.filter { SplitName(rawValue: $0).map(splits.contains) != true }.sorted()
        let rowLabels = labels.names + Set(s.splits.values.flatMap(\.keys)).subtracting(labels.names).sorted()
        let rows = rowLabels.map { l in (l, names.map { s.splits[$0]?[l] ?? 0 }) }
        let excluded = s.excluded.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " · ")
        return ReportView.Splits(chart: SVGChart.stackedBars(rows, series: names), columns: names,
                                 rows: rows.map { .init(label: $0.0, counts: $0.1, total: $0.1.reduce(0, +)) },
                                 leftOut: excluded.isEmpty ? nil : excluded)
    }

    func failuresSection(_ s: CatalogStatus) -> SVGChart.Bars? {
        let items = s.failures.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        return items.isEmpty ? nil : SVGChart.bars(items.map { ($0.key, $0.value) }, color: "#e53935")
    }

    func clustersSection(_ thumbs: inout ThumbnailMaker) throws -> ReportView.Clusters? {
        let clusters = try catalog.clusterListings()
        guard !clusters.isEmpty else { return nil }
        var items: [ReportView.Clusters.Cluster] = []
        for c in clusters.prefix(limits.clusters) {
            let figures = c.members.prefix(limits.clusterMembers).map { m in
                let labels = Set(m.sources.flatMap(\.labels)).sorted().joined(separator: ", ")
                return figure(thumbs.make(m.path, longest: 120), caption: "\(m.canonical ? "kept" : "copy") · \(labels)",
                              title: m.sources.first?.url ?? m.sha256)
            }
            let more = c.members.count - limits.clusterMembers
            items.append(.init(id: c.id, conflict: c.conflict, labels: c.labels.joined(separator: ", "), figures: figures,
                               more: more > 0 ? more : nil))
        }
        return ReportView.Clusters(count: clusters.count, conflicting: clusters.count(where: \.conflict),
                                   shown: min(limits.clusters, clusters.count), items: items)
    }

    func conflictsSection(_ thumbs: inout ThumbnailMaker) throws -> ReportView.Conflicts? {
        let conflicts = try catalog.labelConflicts()
        guard !conflicts.isEmpty else { return nil }
        var items: [ReportView.Conflicts.Conflict] = []
        for c in conflicts.prefix(limits.clusters) {
            let figures = c.members.map { m in
                figure(thumbs.make(m.path, longest: 120), caption: c.members.count > 1 ? (m.canonical ? "kept" : "copy") : "",
                       title: m.sources.first?.url ?? m.sha256)
            }
            let sources = c.members.flatMap(\.sources).map { src in
                ReportView.Conflicts.Source(label: src.label, url: src.url, place: src.listFile + (src.line.map { ":\($0)" } ?? ""))
            }
            items.append(.init(what: c.cluster.map { "cluster \($0)" } ?? "one image", labels: c.labels.joined(separator: " / "),
                               settled: c.faces.isEmpty ? "no face found" : "\(c.settled) of \(counted(c.faces.count, "face")) settled",
                               figures: figures, sources: sources))
        }
        return ReportView.Conflicts(count: conflicts.count, open: conflicts.count { $0.settled < $0.faces.count },
                                    shown: min(limits.clusters, conflicts.count), items: items)
    }

    func noFaceSection(_ thumbs: inout ThumbnailMaker) throws -> ReportView.NoFace? {
        let images = try catalog.imagesWithoutFaces()
        guard !images.isEmpty else { return nil }
        let figures = images.prefix(limits.noFace).map { i in
            figure(thumbs.make(i.path, longest: 120), caption: i.labels.joined(separator: ", "), title: i.url ?? i.sha256)
        }
        return ReportView.NoFace(count: images.count, shown: min(limits.noFace, images.count), figures: figures)
    }

    func gateSection(_ s: CatalogStatus, _ thumbs: inout ThumbnailMaker) throws -> ReportView.Gate? {
        guard !s.faces.rejected.isEmpty else { return nil }
        let counts = FaceRejection.allCases.compactMap { r in s.faces.rejected[r.rawValue].map { (r.rawValue, $0) } }
        let faces = try catalog.faceExportRows().filter { $0.rejected != nil }
            .sorted { ($0.rejected!, $0.faceID) < ($1.rejected!, $1.faceID) }
        let figures = faces.prefix(limits.gated).map { f in
            figure(thumbs.make(f.crop, longest: 112), caption: "\(f.rejected!.rawValue) · \(f.quality.map { Self.measured($0, f.rejected!) } ?? "")",
                   title: f.url ?? "face \(f.faceID)")
        }
        return ReportView.Gate(count: faces.count, detected: s.faces.total, shown: min(limits.gated, faces.count),
                               reasons: SVGChart.bars(counts, color: "#fb8c00"), figures: figures)
    }

    /// The measurement behind a reason, as the pipeline file's threshold names it.
    static func measured(_ q: FaceQuality, _ r: FaceRejection) -> String {
        switch r {
        case .tooSmall: "\(Int(q.size.rounded())) px"
        case .outOfFrame: "\(Int((q.inside * 100).rounded()))% inside"
        case .blurry: "sharpness \(Int(q.sharpness.rounded()))"
        case .tooDark, .tooBright: "brightness \(Int(q.brightness.rounded()))"
        }
    }

    func suspiciousSection(_ thumbs: inout ThumbnailMaker) throws -> ReportView.Suspicious? {
        let page = try catalog.reviewQueue(ReviewQuery(all: false, limit: limits.suspicious))
        guard !page.items.isEmpty else { return nil }
        let figures = page.items.map { f in
            let p = f.probs[f.label ?? ""] ?? 0
            return figure(thumbs.make(f.crop, longest: 112),
                          caption: "\(f.label ?? "none") → \(f.predicted) · p=\(String(format: "%.2f", p))\(f.flagged ? " · flagged" : "")",
                          title: f.url ?? "face \(f.faceID)")
        }
        return ReportView.Suspicious(queued: page.total ?? page.items.count, figures: figures)
    }

    func confusionSection(_ scored: [ReviewItem]) -> ReportView.Confusion? {
        let rows = scored.filter { $0.label != nil && $0.review?.action != .reject }
        guard !rows.isEmpty else { return nil }
        let names = labels.names
        var m = Array(repeating: Array(repeating: 0, count: names.count), count: names.count)
        for r in rows {
            guard let i = names.firstIndex(of: r.label!), let j = names.firstIndex(of: r.predicted) else { continue }
            m[i][j] += 1
        }
        let total = m.joined().reduce(0, +), agree = names.indices.map { m[$0][$0] }.reduce(0, +)
        return ReportView.Confusion(count: total, agree: agree, percent: String(format: "%.1f", 100 * Double(agree) / Double(max(total, 1))),
                                    matrix: SVGChart.matrix(m, labels: names))
    }

    func reviewSection(_ s: CatalogStatus, scored: [ReviewItem]) -> ReportView.ReviewProgress {
        let flagged = scored.count(where: \.flagged), reviewedFlagged = scored.count { $0.flagged && $0.review != nil }
        let actions = ["relabel", "accept", "reject"].map { ($0, s.reviewed[$0] ?? 0) }
        let pct = flagged == 0 ? 0 : 100 * Double(reviewedFlagged) / Double(flagged)
        return ReportView.ReviewProgress(reviewedFlagged: reviewedFlagged, flagged: flagged, percent: String(format: "%.0f", pct),
                                         progress: SVGChart.progress(Double(reviewedFlagged) / Double(max(flagged, 1))),
                                         actions: SVGChart.bars(actions, color: "#43a047"))
    }

    func figure(_ dataURI: String?, caption: String, title: String) -> ReportView.Figure {
        ReportView.Figure(thumbnail: dataURI, caption: caption, tooltip: title)
    }
}

/// Thumbnails as data: URIs; an unreadable file gives nil and is counted.
struct ThumbnailMaker {
    let workspace: Workspace
    var missing = 0

    mutating func make(_ path: String, longest: Int) -> String? {
        guard let jpeg = try? Thumbnail.jpeg(try workspace.readBlob(path), longest: longest, quality: 75) else {
            missing += 1
            return nil
        }
        return "data:image/jpeg;base64," + Data(jpeg).base64EncodedString()
    }
}
