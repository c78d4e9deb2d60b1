import Foundation

/// A one-line progress bar on standard error, redrawn at most ten times a second.
/// Create it only when standard error is a terminal (`Progress.forTerminal()`).
public final class Progress: @unchecked Sendable {
    private let label: String
    private var total = 0
    private var lastDraw = 0.0
    private var started = Date()
    private let lock = NSLock()

    public init(label: String) { self.label = label }

    /// A progress bar if standard error is a terminal, else nil (quiet in pipes).
    public static func forTerminal(label: String) -> Progress? {
        isatty(STDERR_FILENO) == 1 ? Progress(label: label) : nil
    }

    func start(total: Int) {
        lock.lock(); self.total = total; started = Date(); lock.unlock()
    }

    func update(done: Int, fetched: Int, failed: Int) {
        lock.lock(); defer { lock.unlock() }
        let now = Date().timeIntervalSince1970
        guard now - lastDraw >= 0.1 || done == total else { return }
        lastDraw = now
        let width = 30
        let frac = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(frac * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = Double(fetched) / max(0.001, Date().timeIntervalSince(started))
        let line = "\r\(label) [\(bar)] \(done)/\(total)  ok \(fetched)  failed \(failed)  \(Int(rate)) img/s "
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
