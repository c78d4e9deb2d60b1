import Dispatch
import Foundation
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM as a request to stop: the long stages (`fetch`, `faces`,
/// `score`) check `requested` between items, commit what they finished, say what was kept,
/// and the command exits 130. A second signal exits at once (rows already committed stay).
public enum Interrupt {
    private static let flag = Atomic<Bool>(false)
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let once = NSLock()

    public static var requested: Bool { flag.load(ordering: .relaxed) }

    /// Takes over SIGINT and SIGTERM for this process (idempotent).
    public static func install() {
        once.lock(); defer { once.unlock() }
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if flag.exchange(true, ordering: .relaxed) {
                    FileHandle.standardError.write(Data("interrupted again: stopping now\n".utf8))
                    exit(130)
                }
                FileHandle.standardError.write(Data("interrupted: finishing the items in progress and committing them (Ctrl-C again to stop at once)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    /// For tests: as if a signal had arrived (or not).
    public static func set(_ value: Bool) { flag.store(value, ordering: .relaxed) }
}
