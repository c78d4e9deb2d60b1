import ArgumentParser
import Catalogs
import CurateCore
import Fetch
import Foundation

struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download the images in URL lists and record their provenance.",
        discussion: """
            A list is plain (one URL per line, labelled by --label or by the file name, \
            e.g. happy.txt), 'label<TAB>url' lines, or CSV with a 'url' and optional 'label' \
            column (a quoted field may hold commas, \"\" for a quote, and line breaks). Lines \
            that cannot be used are reported and skipped; the run then exits 3.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("URL list files.", valueName: "list"))
    var lists: [String]

    @Option(help: "Label for lines that carry none (default: from the file name).")
    var label: String?

    @Option(help: "Transfers at once (default from the pipeline, 32).")
    var jobs: Int?

    @Option(name: .customLong("per-host"), help: "Connections per host (default from the pipeline, 4).")
    var perHost: Int?

    @Option(help: "Total time-out per attempt, seconds (default from the pipeline, 30).")
    var timeout: Double?

    @Flag(name: .customLong("retry-failed"), help: "Also retry URLs that failed before.")
    var retryFailed = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, not \(jobs)") }
        if let perHost, perHost < 1 { throw ValidationError("--per-host must be at least 1, not \(perHost)") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds, not \(timeout)") }
    }

    @Flag(help: "Only record the lists' URLs (for `curate worker` processes to fetch); fetch nothing.")
    var enqueue = false

    func run() throws {
        let config = try global.loadPipeline()
        var settings = config.fetch
        if let jobs { settings.concurrency = jobs }
        if let perHost { settings.perHost = perHost }
        if let timeout { settings.timeout = timeout }
        try settings.validate()

        let parser = try URLListParser(labels: config.labels, defaultLabel: label)
        let catalog = try global.openCatalog()
        let workspace = try global.workspace(with: catalog)
        // Read every list before recording any, so a missing file changes nothing.
        let parsed = try lists.map { try parser.parse(file: URL(fileURLWithPath: $0)) }
        var problems: [ListProblem] = []
        for (path, list) in zip(lists, parsed) {
            problems += list.problems
            let added = try catalog.addURLs(list.entries)
            log("\(path): \(counted(list.entries.count, "URL")) (\(added.newURLs) new), \(list.problems.count) skipped")
        }
        for p in problems { log("Warning: \(p)") }
        if enqueue {
            // The lists are recorded; `curate worker` processes (here or on other machines) fetch them.
            print("recorded the lists; fetch them with `curate fetch` or `curate worker --stages fetch,…`")
            if !problems.isEmpty { throw ExitCode(3) }
            return
        }

        let stage = try FetchStage(workspace: workspace, catalog: catalog, settings: settings,
                                   progress: StageProgress.forTerminal(label: "fetch"))
        Interrupt.install()
        let summary = try stage.run(retryFailed: retryFailed)
        print(summary.text)
        if summary.interrupted {
            let pending = try catalog.status().urls.pending
            log("interrupted: kept \(summary.fetched + summary.failed) finished URLs (\(summary.fetched) fetched, "
                + "\(summary.failed) failed); \(pending) still pending: run the same command again to resume")
            throw ExitCode(130)
        }
        if !problems.isEmpty {
            log("Error: \(counted(problems.count, "list line")) could not be used (see the warnings above)")
            throw ExitCode(3)
        }
    }
}

func log(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
