import CurateCore
import Foundation
import Imaging

/// `curate report`: one self-contained HTML file (inline SVG charts, thumbnails as data: URIs,
/// and a Content-Security-Policy that forbids any other request).
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
    let splits: [String]
    let limits: Limits

    public init(workspace: Workspace, catalog: any ExportCatalog & ReviewCatalog, labels: LabelSet, splits: [String], limits: Limits = Limits()) {
        self.workspace = workspace; self.catalog = catalog; self.labels = labels; self.splits = splits; self.limits = limits
    }

    /// The report, and how many thumbnails could not be made (unreadable files are shown as missing).
    public func render(generatedAt: Date = Date()) throws -> (html: String, missingThumbnails: Int) {
        let status = try catalog.status()
        var thumbs = ThumbnailMaker(workspace: workspace)
        var body: [String] = []
        body.append(summary(status))
        body.append(splitSection(status))
        body.append(failuresSection(status))
        body.append(try clustersSection(&thumbs))
        body.append(try conflictsSection(&thumbs))
        body.append(try noFaceSection(&thumbs))
        body.append(try gateSection(status, &thumbs))
        let scored = try catalog.reviewQueue(ReviewQuery(all: true, limit: Int.max)).items
        body.append(try suspiciousSection(&thumbs))
        body.append(confusionSection(scored))
        body.append(reviewSection(status, scored: scored))
        let stamp = ISO8601DateFormatter().string(from: generatedAt)
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>curate report</title><style>\(Self.style)</style></head>
            <body><h1>curate dataset report</h1>
            <p class="muted">workspace \(esc(workspace.root.path)) · labels \(esc(labels.names.joined(separator: ", "))) · generated \(stamp)</p>
            \(body.joined(separator: "\n"))
            </body></html>
            """
        return (html, thumbs.missing)
    }

    // MARK: sections

    func summary(_ s: CatalogStatus) -> String {
        let cells: [(String, Int)] = [
            ("URLs", s.urls.total), ("fetched", s.urls.fetched), ("failed", s.urls.failed), ("images", s.images.total),
            ("near-dup clusters", s.images.clusters), ("faces", s.faces.total), ("scored", s.scored), ("flagged", s.flagged),
            ("reviewed", s.reviewed.values.reduce(0, +)),
        ]
        return section("summary", "Summary", "<div class=\"tiles\">" + cells.map {
            "<div class=\"tile\"><b>\($0.1)</b><span>\(esc($0.0))</span></div>"
        }.joined() + "</div>")
    }

    func splitSection(_ s: CatalogStatus) -> String {
        guard !s.splits.isEmpty else { return section("splits", "Faces per label and split", "<p>No split yet: run <code>curate split</code>.</p>") }
        let names = splits + s.splits.keys.filter { !splits.contains($0) }.sorted()
        let rowLabels = labels.names + Set(s.splits.values.flatMap(\.keys)).subtracting(labels.names).sorted()
        var table = "<table><tr><th>label</th>" + names.map { "<th>\(esc($0))</th>" }.joined() + "<th>total</th></tr>"
        var bars: [(String, [Int])] = []
        for l in rowLabels {
            let counts = names.map { s.splits[$0]?[l] ?? 0 }
            bars.append((l, counts))
            table += "<tr><td>\(esc(l))</td>" + counts.map { "<td>\($0)</td>" }.joined() + "<td>\(counts.reduce(0, +))</td></tr>"
        }
        table += "</table>"
        let excluded = s.excluded.sorted { $0.key < $1.key }.map { "\(esc($0.key)) \($0.value)" }.joined(separator: " · ")
        return section("splits", "Faces per label and split",
                       SVGChart.stackedBars(bars, series: names) + table + (excluded.isEmpty ? "" : "<p>Left out: \(excluded)</p>"))
    }

    func failuresSection(_ s: CatalogStatus) -> String {
        let items = s.failures.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        let content = items.isEmpty ? "<p>No fetch failures (\(s.urls.fetched) URLs fetched).</p>"
            : SVGChart.bars(items.map { ($0.key, $0.value) }, color: "#e53935")
        return section("failures", "Fetch failures by reason", content)
    }

    func clustersSection(_ thumbs: inout ThumbnailMaker) throws -> String {
        let clusters = try catalog.clusterListings()
        guard !clusters.isEmpty else { return section("clusters", "Duplicate clusters", "<p>No near-duplicate clusters.</p>") }
        let conflicts = clusters.count(where: \.conflict)
        var html = "<p>\(clusters.count) clusters, \(conflicts) with conflicting labels (listed first); showing \(min(limits.clusters, clusters.count)).</p>"
        for c in clusters.prefix(limits.clusters) {
            html += "<div class=\"cluster\(c.conflict ? " conflict" : "")\"><h3>cluster \(c.id)\(c.conflict ? " · label conflict" : "") · labels \(esc(c.labels.joined(separator: ", ")))</h3><div class=\"strip\">"
            for m in c.members.prefix(limits.clusterMembers) {
                let labels = Set(m.sources.flatMap(\.labels)).sorted().joined(separator: ", ")
                html += figure(thumbs.make(m.path, longest: 120), caption: "\(m.canonical ? "kept" : "copy") · \(labels)",
                               title: m.sources.first?.url ?? m.sha256)
            }
            let more = c.members.count - limits.clusterMembers
            html += (more > 0 ? "<p class=\"muted\">and \(more) more</p>" : "") + "</div></div>"
        }
        return section("clusters", "Duplicate clusters", html)
    }

    func conflictsSection(_ thumbs: inout ThumbnailMaker) throws -> String {
        let title = "Label conflicts"
        let conflicts = try catalog.labelConflicts()
        guard !conflicts.isEmpty else { return section("conflicts", title, "<p>None: every image's sources agree on its label.</p>") }
        let open = conflicts.count { $0.settled < $0.faces.count }
        var html = "<p>\(conflicts.count) conflicts (one image reached under different labels, or a near-duplicate cluster whose "
            + "copies disagree), \(open) with faces not yet settled: their faces stay out of the split until a reviewer labels "
            + "them in <code>curate review</code> (conflicts come first there); showing \(min(limits.clusters, conflicts.count)).</p>"
        for c in conflicts.prefix(limits.clusters) {
            let what = c.cluster.map { "cluster \($0)" } ?? "one image"
            html += "<div class=\"cluster conflict\"><h3>\(esc(what)) · \(esc(c.labels.joined(separator: " / "))) · "
                + (c.faces.isEmpty ? "no face found" : "\(c.settled) of \(counted(c.faces.count, "face")) settled") + "</h3><div class=\"strip\">"
            for m in c.members {
                html += figure(thumbs.make(m.path, longest: 120), caption: c.members.count > 1 ? (m.canonical ? "kept" : "copy") : "",
                               title: m.sources.first?.url ?? m.sha256)
            }
            html += "</div><ul class=\"sources\">"
            for m in c.members {
                for src in m.sources {
                    html += "<li><b>\(esc(src.label))</b> \(esc(src.url)) <span class=\"muted\">(\(esc(src.listFile))\(src.line.map { ":\($0)" } ?? ""))</span></li>"
                }
            }
            html += "</ul></div>"
        }
        return section("conflicts", title, html)
    }

    func noFaceSection(_ thumbs: inout ThumbnailMaker) throws -> String {
        let images = try catalog.imagesWithoutFaces()
        guard !images.isEmpty else { return section("noface", "Images without faces", "<p>None (or not scanned yet).</p>") }
        var html = "<p>\(images.count) images; showing \(min(limits.noFace, images.count)).</p><div class=\"strip\">"
        for i in images.prefix(limits.noFace) {
            html += figure(thumbs.make(i.path, longest: 120), caption: i.labels.joined(separator: ", "), title: i.url ?? i.sha256)
        }
        return section("noface", "Images without faces", html + "</div>")
    }

    func gateSection(_ s: CatalogStatus, _ thumbs: inout ThumbnailMaker) throws -> String {
        let title = "Faces left out by the quality gate"
        guard !s.faces.rejected.isEmpty else {
            return section("gate", title, s.faces.total > 0 ? "<p>None: every detected face passed.</p>" : "<p>No faces yet.</p>")
        }
        let counts = FaceRejection.allCases.compactMap { r in s.faces.rejected[r.rawValue].map { (r.rawValue, $0) } }
        let faces = try catalog.faceExportRows().filter { $0.rejected != nil }
            .sorted { ($0.rejected!, $0.faceID) < ($1.rejected!, $1.faceID) }
        var html = "<p>\(faces.count) of \(s.faces.total) detected faces (kept in the catalog, not in any split); showing \(min(limits.gated, faces.count)).</p>"
            + SVGChart.bars(counts, color: "#fb8c00") + "<div class=\"strip\">"
        for f in faces.prefix(limits.gated) {
            html += figure(thumbs.make(f.crop, longest: 112), caption: "\(f.rejected!.rawValue) · \(f.quality.map { Self.measured($0, f.rejected!) } ?? "")",
                           title: f.url ?? "face \(f.faceID)")
        }
        return section("gate", title, html + "</div>")
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

    func suspiciousSection(_ thumbs: inout ThumbnailMaker) throws -> String {
        let page = try catalog.reviewQueue(ReviewQuery(all: false, limit: limits.suspicious))
        guard !page.items.isEmpty else { return section("suspicious", "Most suspicious faces", "<p>No unreviewed scored faces.</p>") }
        var html = "<p>Unreviewed faces, flagged first, lowest self-confidence first (\(page.total ?? page.items.count) in the queue).</p><div class=\"strip\">"
        for f in page.items {
            let p = f.probs[f.label ?? ""] ?? 0
            html += figure(thumbs.make(f.crop, longest: 112),
                           caption: "\(f.label ?? "none") → \(f.predicted) · p=\(String(format: "%.2f", p))\(f.flagged ? " · flagged" : "")",
                           title: f.url ?? "face \(f.faceID)")
        }
        return section("suspicious", "Most suspicious faces", html + "</div>")
    }

    func confusionSection(_ scored: [ReviewItem]) -> String {
        let rows = scored.filter { $0.label != nil && $0.review?.action != .reject }
        guard !rows.isEmpty else { return section("confusion", "Classifier vs current labels", "<p>No scored faces: run <code>curate score</code>.</p>") }
        let names = labels.names
        var m = Array(repeating: Array(repeating: 0, count: names.count), count: names.count)
        for r in rows {
            guard let i = names.firstIndex(of: r.label!), let j = names.firstIndex(of: r.predicted) else { continue }
            m[i][j] += 1
        }
        let total = m.joined().reduce(0, +), agree = names.indices.map { m[$0][$0] }.reduce(0, +)
        let note = "<p>\(total) faces; the classifier agrees with \(agree) (\(String(format: "%.1f", 100 * Double(agree) / Double(max(total, 1))))%). Rows: current label; columns: predicted.</p>"
        return section("confusion", "Classifier vs current labels", note + SVGChart.matrix(m, labels: names))
    }

    func reviewSection(_ s: CatalogStatus, scored: [ReviewItem]) -> String {
        let flagged = scored.count(where: \.flagged), reviewedFlagged = scored.count { $0.flagged && $0.review != nil }
        let actions = ["relabel", "accept", "reject"].map { ($0, s.reviewed[$0] ?? 0) }
        let pct = flagged == 0 ? 0 : 100 * Double(reviewedFlagged) / Double(flagged)
        let content = "<p>\(reviewedFlagged) of \(flagged) flagged faces reviewed (\(String(format: "%.0f", pct))%).</p>"
            + SVGChart.progress(Double(reviewedFlagged) / Double(max(flagged, 1)))
            + SVGChart.bars(actions, color: "#43a047")
        return section("review", "Review progress", content)
    }

    // MARK: pieces

    func section(_ id: String, _ title: String, _ content: String) -> String {
        "<section id=\"\(id)\"><h2>\(esc(title))</h2>\(content)</section>"
    }

    func figure(_ dataURI: String?, caption: String, title: String) -> String {
        let img = dataURI.map { "<img src=\"\($0)\" alt=\"\(esc(caption))\">" } ?? "<div class=\"missing\">unreadable</div>"
        return "<figure title=\"\(esc(title))\">\(img)<figcaption>\(esc(caption))</figcaption></figure>"
    }

    static let style = """
        body{font:14px system-ui,sans-serif;margin:20px;color:#222;max-width:1200px}
        h1{font-size:22px} h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px} h3{font-size:13px;margin:6px 0}
        .muted{color:#666} table{border-collapse:collapse;margin:8px 0} td,th{border:1px solid #ddd;padding:3px 10px;text-align:right}
        td:first-child,th:first-child{text-align:left}
        .tiles{display:flex;flex-wrap:wrap;gap:10px} .tile{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:90px}
        .tile b{display:block;font-size:20px} .tile span{color:#666;font-size:12px}
        .strip{display:flex;flex-wrap:wrap;gap:8px} figure{margin:0;width:124px;font-size:11px}
        figure img{max-width:120px;max-height:120px;display:block} figcaption{color:#444;word-break:break-word}
        .cluster{border-left:4px solid #90a4ae;padding-left:8px;margin:8px 0} .cluster.conflict{border-color:#e53935}
        .sources{margin:4px 0 0;padding-left:18px;font-size:12px;word-break:break-all}
        .missing{width:112px;height:112px;background:#eee;display:flex;align-items:center;justify-content:center;color:#999}
        svg text{font:12px system-ui,sans-serif}
        """
}

/// Thumbnails as data: URIs; an unreadable file gives nil and is counted.
struct ThumbnailMaker {
    let workspace: Workspace
    var missing = 0

    mutating func make(_ path: String, longest: Int) -> String? {
        guard let jpeg = try? Thumbnail.jpeg(try workspace.readFile(path), longest: longest, quality: 75) else {
            missing += 1
            return nil
        }
        return "data:image/jpeg;base64," + Data(jpeg).base64EncodedString()
    }
}

/// Escapes text for HTML element content and attribute values.
func esc(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}
