import Foundation

/// A one-line progress bar on standard error, redrawn at most ten times a second.
/// `forTerminal` gives one only when standard error is a terminal, so pipes stay quiet.
public final class StageProgress: @unchecked Sendable {
    private let label: String
    private var total = 0
    private var lastDraw = 0.0
    private var started = Date()
    private let lock = NSLock()

    public init(label: String) { self.label = label }

    public static func forTerminal(label: String) -> StageProgress? {
        isatty(STDERR_FILENO) == 1 ? StageProgress(label: label) : nil
    }

    public func start(total: Int) {
        lock.lock(); self.total = total; started = Date(); lock.unlock()
    }

    /// `detail` is shown after the count (e.g. "ok 10  failed 2").
    public func update(done: Int, detail: String) {
        lock.lock(); defer { lock.unlock() }
        let now = Date().timeIntervalSince1970
        guard now - lastDraw >= 0.1 || done == total else { return }
        lastDraw = now
        let width = 30
        let frac = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(frac * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = Double(done) / max(0.001, Date().timeIntervalSince(started))
        let line = "\r\(label) [\(bar)] \(done)/\(total)  \(detail)\(detail.isEmpty ? "" : "  ")\(Int(rate))/s "
        FileHandle.standardError.write(Data(line.utf8))
    }

    public func finish() {
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
