import PackagePlugin

/// Compiles the files in a target's `Templates/` folder into it as string constants
/// (`EmbeddedFiles.reviewMustache` for `Templates/review.mustache`; see Sources/embed-files).
///
/// Why not `resources:`: SwiftPM would put them in a bundle beside the executable and
/// `Bundle.module` would look for it there at run time, but `curate` must keep working when the
/// binary alone is copied elsewhere.
@main
struct EmbedFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        // SwiftPM has no rule for .mustache, .css or .js, so it lists them here (and does not warn
        // about unhandled files, since a plugin may consume them).
        let files = target.sourceFiles.map(\.url).filter { $0.deletingLastPathComponent().lastPathComponent == "Templates" }
        guard !files.isEmpty else { return [] }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFiles.swift")
        // Declared inputs and output: SwiftPM reruns the tool when any of the files changes
        // (this plugin runs on every build, so added or removed files are seen too) and
        // compiles the output as part of the target.
        return [.buildCommand(
            displayName: "Embedding \(files.count) files in \(target.name)",
            executable: try context.tool(named: "embed-files").url,
            arguments: [output.path] + files.map(\.path),
            inputFiles: files,
            outputFiles: [output])]
    }
}
