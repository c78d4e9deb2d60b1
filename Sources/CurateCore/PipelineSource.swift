import Foundation

/// Where a command's pipeline definition comes from: `--pipeline FILE`; else the workspace's own
/// copy (`pipeline.yml`, written when the workspace is made, so it keeps the settings that made it);
/// else the definition compiled into curate (Pipelines/emotions.yml at build time). So curate runs
/// from any directory, or installed on the PATH, with nothing but the binary.
public enum PipelineSource: Sendable, Equatable, CustomStringConvertible {
    case file(URL)
    case workspaceCopy(URL)
    case builtIn

    public static func resolve(explicit: String?, workspace: Workspace) -> PipelineSource {
        if let explicit { return .file(URL(fileURLWithPath: explicit)) }
        if FileManager.default.fileExists(atPath: workspace.pipelineCopyURL.path) { return .workspaceCopy(workspace.pipelineCopyURL) }
        return .builtIn
    }

    /// The definition's text.
    public func text() throws -> String {
        switch self {
        case .file(let url), .workspaceCopy(let url):
            do { return try String(contentsOf: url, encoding: .utf8) } catch {
                throw CurateError("cannot read pipeline file \(url.path): \(error.localizedDescription)")
            }
        case .builtIn:
            return EmbeddedFiles.emotionsYml
        }
    }

    public func load() throws -> PipelineConfig { try PipelineConfig.parse(try text(), source: description) }

    public var description: String {
        switch self {
        case .file(let url), .workspaceCopy(let url): return url.path
        case .builtIn: return "the built-in pipeline (emotions.yml)"
        }
    }
}

extension Workspace {
    /// The pipeline definition the workspace was made with (see `PipelineSource`).
    public var pipelineCopyURL: URL { root.appendingPathComponent("pipeline.yml") }

    /// Writes `source`'s text as the workspace's copy unless it has one: the first command that
    /// makes a workspace records what made it; later edits to the copy are the user's to make.
    public func keepPipelineCopy(of source: PipelineSource) throws {
        guard source != .workspaceCopy(pipelineCopyURL), !FileManager.default.fileExists(atPath: pipelineCopyURL.path) else { return }
        do { try Data(try source.text().utf8).write(to: pipelineCopyURL, options: .atomic) }
        catch { throw CurateError("cannot write \(pipelineCopyURL.path): \(error.localizedDescription)") }
    }
}
