/// Inline SVG charts for the report: no script, no external resources.
enum SVGChart {
    static let palette = ["#1976d2", "#fb8c00", "#43a047", "#8e24aa", "#e53935", "#00897b", "#6d4c41"]

    /// Horizontal bars with their values.
    static func bars(_ items: [(String, Int)], color: String) -> String {
        let maxValue = max(items.map(\.1).max() ?? 1, 1)
        let row = 22, labelW = 200, barW = 420
        var svg = "<svg class=\"chart\" width=\"\(labelW + barW + 60)\" height=\(q(row * items.count + 4)) role=\"img\">"
        for (i, (name, value)) in items.enumerated() {
            let y = i * row + 2, w = Int(Double(barW) * Double(value) / Double(maxValue))
            svg += "<text x=\"0\" y=\(q(y + 15))>\(esc(name))</text>"
            svg += "<rect x=\(q(labelW)) y=\(q(y + 3)) width=\(q(max(w, 1))) height=\"15\" fill=\"\(color)\"/>"
            svg += "<text x=\(q(labelW + w + 6)) y=\(q(y + 15))>\(value)</text>"
        }
        return svg + "</svg>"
    }

    /// One bar per row, split into coloured segments per series, with a legend.
    static func stackedBars(_ rows: [(String, [Int])], series: [String]) -> String {
        let maxValue = max(rows.map { $0.1.reduce(0, +) }.max() ?? 1, 1)
        let row = 24, labelW = 120, barW = 480
        let height = row * rows.count + 30
        var svg = "<svg class=\"chart\" width=\"\(labelW + barW + 70)\" height=\(q(height)) role=\"img\">"
        for (i, (name, counts)) in rows.enumerated() {
            let y = i * row + 2
            svg += "<text x=\"0\" y=\(q(y + 16))>\(esc(name))</text>"
            var x = labelW
            for (k, c) in counts.enumerated() where c > 0 {
                let w = max(1, Int(Double(barW) * Double(c) / Double(maxValue)))
                svg += "<rect x=\(q(x)) y=\(q(y + 3)) width=\(q(w)) height=\"17\" fill=\"\(palette[k % palette.count])\"><title>\(esc(series[k])): \(c)</title></rect>"
                x += w
            }
            svg += "<text x=\(q(x + 6)) y=\(q(y + 16))>\(counts.reduce(0, +))</text>"
        }
        var x = labelW
        for (k, s) in series.enumerated() {
            svg += "<rect x=\(q(x)) y=\(q(height - 16)) width=\"12\" height=\"12\" fill=\"\(palette[k % palette.count])\"/>"
            svg += "<text x=\(q(x + 16)) y=\(q(height - 6))>\(esc(s))</text>"
            x += 24 + 8 * s.count
        }
        return svg + "</svg>"
    }

    /// A confusion matrix as a heat map (rows: true, columns: predicted).
    static func matrix(_ m: [[Int]], labels: [String]) -> String {
        let cell = 56, left = 110, top = 40
        let maxValue = max(m.joined().max() ?? 1, 1)
        let size = labels.count * cell
        var svg = "<svg class=\"chart\" width=\(q(left + size + 10)) height=\(q(top + size + 10)) role=\"img\">"
        for (j, l) in labels.enumerated() {
            svg += "<text x=\(q(left + j * cell + cell / 2)) y=\(q(top - 10)) text-anchor=\"middle\">\(esc(l))</text>"
        }
        for (i, l) in labels.enumerated() {
            svg += "<text x=\"0\" y=\(q(top + i * cell + cell / 2 + 4))>\(esc(l))</text>"
            for j in labels.indices {
                let v = m[i][j], a = Double(v) / Double(maxValue)
                let fill = i == j ? "rgba(67,160,71,\(fmt(0.15 + 0.85 * a)))" : "rgba(229,57,53,\(fmt(0.1 + 0.9 * a)))"
                svg += "<rect x=\(q(left + j * cell)) y=\(q(top + i * cell)) width=\(q(cell - 2)) height=\(q(cell - 2)) fill=\"\(fill)\"/>"
                svg += "<text x=\(q(left + j * cell + cell / 2)) y=\(q(top + i * cell + cell / 2 + 4)) text-anchor=\"middle\">\(v)</text>"
            }
        }
        return svg + "</svg>"
    }

    /// A progress bar for a fraction in 0…1.
    static func progress(_ f: Double) -> String {
        let w = 480, done = Int(Double(w) * min(max(f, 0), 1))
        return "<svg class=\"chart\" width=\(q(w + 60)) height=\"24\" role=\"img\"><rect x=\"0\" y=\"4\" width=\(q(w)) height=\"16\" fill=\"#eee\"/>"
            + "<rect x=\"0\" y=\"4\" width=\(q(done)) height=\"16\" fill=\"#43a047\"/><text x=\(q(w + 6)) y=\"17\">\(Int((f * 100).rounded()))%</text></svg>"
    }

    private static func q(_ v: Int) -> String { "\"\(v)\"" }
    private static func fmt(_ v: Double) -> String { String(format: "%.2f", v) }
}
