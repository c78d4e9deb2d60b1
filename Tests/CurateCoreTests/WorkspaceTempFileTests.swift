import Foundation
import Testing
@testable import CurateCore

/// Partial files on a folder several machines share: each host cleans up only its own.
struct WorkspaceTempFileTests {
    @Test func cleanupRemovesThisHostsDeadFilesAndLeavesLiveAndOtherHostsFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curate-tmp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = Workspace(dir)
        try ws.prepareForWriting()
        // A pid that cannot be running: above Linux's pid_max.
        let dead: Int32 = 4_194_305
        let names = ["\(TempName.host).\(dead).1.part",           // this host, dead: removed
                     "\(dead).2.part",                              // before hosts were recorded, dead: removed
                     "\(TempName.host).\(getpid()).3.part",        // this process: kept
                     "other.machine.example.\(dead).4.part",       // another host, whatever its pid: kept
                     "notes.txt"]                                   // not a temp file: kept
        for n in names { FileManager.default.createFile(atPath: ws.tmpDir.appendingPathComponent(n).path, contents: Data([1])) }
        try ws.prepareForWriting()
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: ws.tmpDir.path))
        #expect(left == Set(names.dropFirst(2)))
    }

    @Test func tempNamesCarryTheHostAndPidAndParseBackWithDotsInTheHost() {
        let name = ws().temporaryFile(7).lastPathComponent
        #expect(name == "\(TempName.host).\(getpid()).7.part")
        #expect(TempName.owner(name)?.host == TempName.host && TempName.owner(name)?.pid == getpid())
        #expect(TempName.owner("a.b.c.12.3.part")?.host == "a.b.c")
        #expect(TempName.owner("image.jpg") == nil)
    }

    func ws() -> Workspace { Workspace(URL(fileURLWithPath: "/nonexistent")) }
}
