import ArgumentParser
import Catalogs
import CurateCore
import Foundation
import Report

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report of the dataset (charts and thumbnails inline).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The HTML file to write.")
    var out: String = "report.html"

    func run() throws {
        let pipeline = try global.loadPipeline()
        let catalog = try global.openExistingCatalog()
        let workspace = try global.workspace(with: catalog)
        let page = ReportPage(workspace: workspace, catalog: catalog, labels: pipeline.labels,
                              splits: pipeline.split.ratio.names)
        let (html, missing) = try page.render()
        let url = URL(fileURLWithPath: out)
        do { try Data(html.utf8).write(to: url, options: .atomic) }
        catch { throw CurateError("cannot write \(url.path): \(error.localizedDescription)") }
        print("wrote \(url.path) (\(html.utf8.count / 1024) KiB\(missing > 0 ? ", \(missing) thumbnails unreadable" : ""))")
    }
}
