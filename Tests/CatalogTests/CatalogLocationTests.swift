import Catalogs
import CurateCore
import Foundation
import Testing

struct CatalogLocationTests {
    let base = URL(fileURLWithPath: "/work/here")

    @Test func sqliteURLsAndPlainPathsNameAFile() throws {
        #expect(try CatalogLocation(parsing: "sqlite:///data/c.sqlite", relativeTo: base) == .sqlite(path: "/data/c.sqlite"))
        #expect(try CatalogLocation(parsing: "sqlite://localhost/data/c.sqlite", relativeTo: base) == .sqlite(path: "/data/c.sqlite"))
        #expect(try CatalogLocation(parsing: "sqlite:cat/c.sqlite", relativeTo: base) == .sqlite(path: "/work/here/cat/c.sqlite"))
        #expect(try CatalogLocation(parsing: "../c.sqlite", relativeTo: base) == .sqlite(path: "/work/c.sqlite"))
        #expect(try CatalogLocation(parsing: "file:///x/my%20cat.sqlite", relativeTo: base) == .sqlite(path: "/x/my cat.sqlite"))
    }

    @Test func theOptionWinsOverTheEnvironmentWhichWinsOverTheWorkspace() throws {
        let ws = Workspace(URL(fileURLWithPath: "/ws"))
        #expect(try CatalogLocation.resolve(option: nil, environment: [:], workspace: ws) == .sqlite(path: "/ws/catalog.sqlite"))
        #expect(try CatalogLocation.resolve(option: nil, environment: ["CURATE_CATALOG": "sqlite:///e.sqlite"], workspace: ws)
                == .sqlite(path: "/e.sqlite"))
        #expect(try CatalogLocation.resolve(option: "sqlite:///o.sqlite", environment: ["CURATE_CATALOG": "sqlite:///e.sqlite"],
                                            workspace: ws) == .sqlite(path: "/o.sqlite"))
    }

    @Test func unknownSchemesAndRemoteSQLiteAreErrorsThatSayWhy() {
        #expect { try CatalogLocation(parsing: "mysql://h/db") } throws: { "\($0)".contains("unknown scheme 'mysql'") }
        #expect { try CatalogLocation(parsing: "sqlite://server/c.sqlite") } throws: { "\($0)".contains("local file") }
        #expect { try CatalogLocation(parsing: "  ") } throws: { "\($0)".contains("empty") }
    }

    @Test func anUnreachablePostgresCatalogIsAClearErrorThatHidesItsPassword() throws {
        let loc = try CatalogLocation(parsing: "postgres://ann:secret@db.invalid:5432/curate")
        #expect(loc.description == "postgres://ann:***@db.invalid:5432/curate")
        #expect { _ = try CatalogFactory.open(loc, .existing) } throws: { error in
            "\(error)".contains("cannot connect to catalog postgres://ann:***@db.invalid") && !"\(error)".contains("secret")
        }
    }

    @Test func anUnknownPostgresTLSModeIsRefusedNotIgnored() throws {
        let loc = try CatalogLocation(parsing: "postgres://ann@127.0.0.1:1/curate?sslmode=verify-fully")
        #expect { _ = try CatalogFactory.open(loc, .existing) } throws: { "\($0)".contains("unknown sslmode 'verify-fully'") }
    }
}
