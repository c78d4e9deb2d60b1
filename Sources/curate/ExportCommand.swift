import ArgumentParser
import Catalogs
import CurateCore
import Export
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the dataset in a form training code and other tools read.",
        discussion: """
            imagefolder: OUT/<split>/<label>/<face_id>.png for every face `curate split` placed, \
            plus OUT/manifest.csv, labels.json, per-split metadata.jsonl and a README.md dataset card; \
            rerunning rewrites it to match the catalog. webdataset: OUT/<split>-000000.tar shards of \
            --shard-size faces (<key>.png, <key>.json, <key>.cls). csv and jsonl: one row \
            per face (or per image with --level image), with provenance, split and group; to a file, \
            into a folder (faces.csv, faces.jsonl), or to standard output.
            """)

    enum Level: String, ExpressibleByArgument { case image, face }
    enum Format: String, ExpressibleByArgument { case jsonl, csv, imagefolder, webdataset }

    @OptionGroup var global: GlobalOptions

    @Option(help: "What one record is: face (after `curate faces`) or image.")
    var level: Level = .face

    @Option(help: "jsonl, csv, imagefolder (a folder tree per split and label) or webdataset (tar shards per split).")
    var format: Format = .jsonl

    @Option(help: "Output file or folder (default for jsonl/csv: standard output; required for imagefolder).")
    var out: String?

    @Option(help: "With --format webdataset: faces per tar shard.")
    var shardSize: Int = 1000

    @Flag(help: "Write an imagefolder export into a non-empty folder that is not an earlier export.")
    var force = false

    func validate() throws {
        if [.imagefolder, .webdataset].contains(format) && out == nil { throw ValidationError("--format \(format.rawValue) needs --out DIR") }
        if [.imagefolder, .webdataset].contains(format) && level == .image {
            throw ValidationError("an \(format.rawValue) export is per face; drop --level image")
        }
        if shardSize < 1 { throw ValidationError("--shard-size must be at least 1, not \(shardSize)") }
    }

    func run() throws {
        let catalog = try global.openExistingCatalog()
        let workspace = try global.workspace(with: catalog)
        let status = try catalog.status()
        try status.require(level == .image ? .images : .faces, for: "export")
        if format == .imagefolder || format == .webdataset {
            try status.require(.split, for: "export --format \(format.rawValue)")
            let pipeline = try global.loadPipeline()
            let source = global.pipelineSource
            let card = DatasetCard(name: pipeline.name, labels: pipeline.labels.names, splits: pipeline.split.ratio.names,
                                   status: status, pipelineSource: source.description, pipelineText: try source.text())
            if format == .webdataset {
                let summary = try WebDatasetExport(workspace: workspace)
                    .write(catalog.faceExportRows(), to: URL(fileURLWithPath: out!), labels: pipeline.labels.names,
                           splits: pipeline.split.ratio.names, shardSize: shardSize, card: card)
                print(summary.text)
                return
            }
            let summary = try ImageFolderExport(workspace: workspace)
                .write(catalog.faceExportRows(), to: URL(fileURLWithPath: out!), labels: pipeline.labels.names,
                       splits: pipeline.split.ratio.names, card: card, force: force)
            print(summary.text)
            return
        }
        let text = switch (level, format) {
            case (.image, .csv): try FaceTable.imageCSV(catalog.imageExportRows())
            case (.image, _): try JSONLines.encode(catalog.imageExportRows())
            case (.face, .csv): try FaceTable.csv(catalog.faceExportRows())
            default: try FaceTable.jsonl(catalog.faceExportRows())
        }
        guard var path = out else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        var isDir: ObjCBool = false
        if path.hasSuffix("/") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue) {
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw CurateError("cannot create \(path): \(error.localizedDescription)")
            }
            path = URL(fileURLWithPath: path).appendingPathComponent("\(level == .image ? "images" : "faces").\(format.rawValue)").path
        }
        do {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CurateError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
