/// What Templates/report.mustache fills in: plain values (the template escapes them) and chart
/// geometry. An optional section is nil when it has nothing to show, and the template says why.
///
/// Field names are unique along each template path: Mustache looks a name it cannot find (or
/// finds nil) up in the enclosing values, so a shared name could show a parent's value.
struct ReportView {
    let style = EmbeddedFiles.reportCss
    var workspace: String
    var labels: String
    var generated: String
    var tiles: [Tile]
    var splits: Splits?
    var fetchedURLs: Int
    var failures: SVGChart.Bars?
    var clusters: Clusters?
    var conflicts: Conflicts?
    var noFace: NoFace?
    var gate: Gate?
    var facesDetected: Bool
    var suspicious: Suspicious?
    var confusion: Confusion?
    var review: ReviewProgress

    struct Tile { var count: Int, name: String }

    /// A thumbnail with its caption (figure.mustache); no thumbnail when the file is unreadable.
    struct Figure {
        var thumbnail: String?
        var caption: String
        var tooltip: String
    }

    struct Splits {
        var chart: SVGChart.StackedBars
        var columns: [String]
        var rows: [Row]
        /// "reason count · reason count", nil when nothing was left out.
        var leftOut: String?
        struct Row { var label: String, counts: [Int], total: Int }
    }

    struct Clusters {
        var count: Int, conflicting: Int, shown: Int
        var items: [Cluster]
        struct Cluster {
            var id: Int64, conflict: Bool, labels: String
            var figures: [Figure]
            /// Members not shown, nil when all are.
            var more: Int?
        }
    }

    struct Conflicts {
        var count: Int, open: Int, shown: Int
        var items: [Conflict]
        struct Conflict {
            /// "cluster 3" or "one image", the labels, and how many of its faces are settled.
            var what: String, labels: String, settled: String
            var figures: [Figure]
            var sources: [Source]
        }
        /// One list line that reached the image: its label, URL and "file:line".
        struct Source { var label: String, url: String, place: String }
    }

    struct NoFace { var count: Int, shown: Int, figures: [Figure] }

    struct Gate { var count: Int, detected: Int, shown: Int, reasons: SVGChart.Bars, figures: [Figure] }

    struct Suspicious { var queued: Int, figures: [Figure] }

    struct Confusion { var count: Int, agree: Int, percent: String, matrix: SVGChart.Matrix }

    struct ReviewProgress { var reviewedFlagged: Int, flagged: Int, percent: String, progress: SVGChart.Progress, actions: SVGChart.Bars }
}
