import ArgumentParser
import Catalogs
import CurateCore
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Make or migrate a catalog and record its blob store.",
        discussion: """
            Run once before several machines share a catalog: `curate init --catalog postgres://user@host/db \
            --store s3://bucket/prefix?endpoint=http://host:8333`. It creates the schema (or migrates an older \
            one: stop every worker first), records the store, and prints both. Safe to rerun. Other commands \
            refuse a PostgreSQL catalog whose schema is not this build's. An SQLite catalog needs no init (`fetch` \
            makes it), but init works on one too.
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let catalog = try global.openCatalog(mode: .initialize)
        _ = try global.workspace(with: catalog)   // records --store / $CURATE_STORE, or refuses another
        let location = try global.catalogLocation
        print("catalog \(location): ready (schema \(CatalogFactory.schemaVersion(of: location)))")
        print("store: \(try catalog.recordedStore() ?? "the workspace folder \(global.workspaceDir.root.path) (no --store given)")")
    }
}
