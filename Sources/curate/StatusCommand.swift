import ArgumentParser
import CurateCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Summarise the workspace's catalog.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let status = try global.workspaceDir.openCatalog().status()
        print(json ? try status.json() : status.text)
    }
}
