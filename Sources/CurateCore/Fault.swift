import Foundation

/// Deterministic crash points for the recovery tests: `CURATE_FAULT=kill-after-blob-write` makes
/// the process SIGKILL itself right after it stored a blob and before the row naming it commits,
/// the worst moment for a worker to die. `kill-after-blob-write:N` waits for the N-th blob.
/// Unset (always, outside tests), `hit` costs one load of a constant.
public enum Fault: String, Sendable {
    case killAfterBlobWrite = "kill-after-blob-write"

    private static let armed: (Fault, Int)? = {
        guard let text = ProcessInfo.processInfo.environment["CURATE_FAULT"], !text.isEmpty else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard let f = Fault(rawValue: String(parts[0])) else { return nil }
        return (f, parts.count > 1 ? max(1, Int(parts[1]) ?? 1) : 1)
    }()
    private static let count = Counter()

    public static func hit(_ f: Fault) {
        guard let (armedFault, n) = armed, armedFault == f else { return }
        if count.next() >= n { kill(getpid(), SIGKILL) }
    }
}
