import Foundation

/// Where the model weights are: `--models DIR`, else `$CURATE_MODELS`, else the workspace's
/// `models/`, else the per-user cache (`$XDG_CACHE_HOME/curate/models`, by default
/// `~/.cache/curate/models`), which `scripts/models.sh` fills. The first that holds every file wins.
public enum ModelsLocation {
    /// The files every command that loads weights needs (what scripts/models.sh writes).
    public static let required = ["mtcnn-pnet.safetensors", "mtcnn-rnet.safetensors", "mtcnn-onet.safetensors",
                                  "emotion-mini-xception.safetensors"]

    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                               workspace: Workspace) throws -> URL {
        var places: [(URL, String)] = []
        if let explicit { places.append((URL(fileURLWithPath: explicit), "--models")) }
        else {
            if let env = environment["CURATE_MODELS"], !env.isEmpty { places.append((URL(fileURLWithPath: env), "$CURATE_MODELS")) }
            places.append((workspace.root.appendingPathComponent("models"), "the workspace's models/"))
            places.append((userCache(environment), "the per-user cache"))
        }
        for (dir, _) in places where missing(in: dir).isEmpty { return dir }
        let looked = places.map { dir, why in
            "\(dir.path) (\(why)\(FileManager.default.fileExists(atPath: dir.path) ? ", lacks \(missing(in: dir).joined(separator: ", "))" : ", absent"))"
        }
        throw CurateError("no model weights found; looked in: \(looked.joined(separator: "; ")). "
            + "Run scripts/models.sh (it fills the per-user cache), or pass --models DIR")
    }

    /// `$XDG_CACHE_HOME/curate/models`, or `~/.cache/curate/models`.
    public static func userCache(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".cache")
        return base.appendingPathComponent("curate/models")
    }

    static func missing(in dir: URL) -> [String] {
        required.filter { !FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path) }
    }
}
