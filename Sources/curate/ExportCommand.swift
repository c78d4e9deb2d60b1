import ArgumentParser
import CurateCore
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the catalog in a form other tools read.")

    enum Level: String, ExpressibleByArgument { case image, face }
    enum Format: String, ExpressibleByArgument { case jsonl }

    @OptionGroup var global: GlobalOptions

    @Option(help: "What one record is: image, or face (after `curate faces`).")
    var level: Level = .image

    @Option(help: "Output format.")
    var format: Format = .jsonl

    @Option(help: "Output file (default: standard output).")
    var out: String?

    func run() throws {
        let catalog = try global.workspaceDir.openCatalog()
        let text = level == .image ? try JSONLines.encode(catalog.imageExportRows()) : try JSONLines.encode(catalog.faceExportRows())
        if let out {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
