import Foundation

/// The report's inline SVG charts (no script, no external resources): the geometry is worked out
/// here, the markup is in Templates/chart-*.mustache, which escapes every name.
enum SVGChart {
    static let palette = ["#1976d2", "#fb8c00", "#43a047", "#8e24aa", "#e53935", "#00897b", "#6d4c41"]

    /// Horizontal bars with their values (chart-bars.mustache).
    struct Bars {
        var width: Int, height: Int, barX: Int, color: String
        var rows: [Row]
        struct Row { var name: String, value: Int, textY: Int, barY: Int, barWidth: Int, valueX: Int }
    }

    static func bars(_ items: [(String, Int)], color: String) -> Bars {
        let maxValue = max(items.map(\.1).max() ?? 1, 1)
        let row = 22, labelW = 200, barW = 420
        return Bars(width: labelW + barW + 60, height: row * items.count + 4, barX: labelW, color: color,
                    rows: items.enumerated().map { i, item in
                        let y = i * row + 2, w = Int(Double(barW) * Double(item.1) / Double(maxValue))
                        return .init(name: item.0, value: item.1, textY: y + 15, barY: y + 3, barWidth: max(w, 1), valueX: labelW + w + 6)
                    })
    }

    /// One bar per row, split into coloured segments per series, with a legend (chart-stacked-bars.mustache).
    struct StackedBars {
        var width: Int, height: Int
        var rows: [Row]
        var legend: [Key]
        struct Row { var name: String, textY: Int, segments: [Segment], total: Int, totalX: Int }
        struct Segment { var x: Int, y: Int, width: Int, fill: String, series: String, count: Int }
        struct Key { var x: Int, y: Int, fill: String, series: String, textX: Int, textY: Int }
    }

    static func stackedBars(_ rows: [(String, [Int])], series: [String]) -> StackedBars {
        let maxValue = max(rows.map { $0.1.reduce(0, +) }.max() ?? 1, 1)
        let row = 24, labelW = 120, barW = 480
        let height = row * rows.count + 30
        var chart = StackedBars(width: labelW + barW + 70, height: height, rows: [], legend: [])
        for (i, (name, counts)) in rows.enumerated() {
            let y = i * row + 2
            var x = labelW, segments: [StackedBars.Segment] = []
            for (k, c) in counts.enumerated() where c > 0 {
                let w = max(1, Int(Double(barW) * Double(c) / Double(maxValue)))
                segments.append(.init(x: x, y: y + 3, width: w, fill: palette[k % palette.count], series: series[k], count: c))
                x += w
            }
            chart.rows.append(.init(name: name, textY: y + 16, segments: segments, total: counts.reduce(0, +), totalX: x + 6))
        }
        var x = labelW
        for (k, s) in series.enumerated() {
            chart.legend.append(.init(x: x, y: height - 16, fill: palette[k % palette.count], series: s, textX: x + 16, textY: height - 6))
            x += 24 + 8 * s.count
        }
        return chart
    }

    /// A confusion matrix as a heat map, rows true and columns predicted (chart-matrix.mustache).
    struct Matrix {
        var width: Int, height: Int, cellSize: Int
        var columns: [Heading]
        var rows: [Row]
        struct Heading { var name: String, x: Int, y: Int }
        struct Row { var name: String, y: Int, cells: [Cell] }
        struct Cell { var x: Int, y: Int, fill: String, value: Int, textX: Int, textY: Int }
    }

    static func matrix(_ m: [[Int]], labels: [String]) -> Matrix {
        let cell = 56, left = 110, top = 40
        let maxValue = max(m.joined().max() ?? 1, 1)
        let size = labels.count * cell
        return Matrix(
            width: left + size + 10, height: top + size + 10, cellSize: cell - 2,
            columns: labels.enumerated().map { j, l in .init(name: l, x: left + j * cell + cell / 2, y: top - 10) },
            rows: labels.enumerated().map { i, l in
                .init(name: l, y: top + i * cell + cell / 2 + 4, cells: labels.indices.map { j in
                    let v = m[i][j], a = Double(v) / Double(maxValue)
                    let fill = i == j ? "rgba(67,160,71,\(fmt(0.15 + 0.85 * a)))" : "rgba(229,57,53,\(fmt(0.1 + 0.9 * a)))"
                    return .init(x: left + j * cell, y: top + i * cell, fill: fill, value: v,
                                 textX: left + j * cell + cell / 2, textY: top + i * cell + cell / 2 + 4)
                })
            })
    }

    /// A progress bar for a fraction in 0…1 (chart-progress.mustache).
    struct Progress { var width: Int, track: Int, done: Int, textX: Int, percent: Int }

    static func progress(_ f: Double) -> Progress {
        let w = 480
        return Progress(width: w + 60, track: w, done: Int(Double(w) * min(max(f, 0), 1)), textX: w + 6, percent: Int((f * 100).rounded()))
    }

    private static func fmt(_ v: Double) -> String { String(format: "%.2f", v) }
}
