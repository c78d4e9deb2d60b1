import Foundation

// embed-files OUTPUT.swift FILE...
//
// Writes one Swift source declaring `enum EmbeddedFiles` with a string constant per file, named
// after the file in lowerCamelCase (`review.mustache` → `reviewMustache`). Run at build time by
// Plugins/EmbedFiles, so templates, styles and scripts are compiled into the binary: `curate`
// must run from anywhere as a single file, which rules out resource bundles (`Bundle.module`).

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("embed-files: \(message)\n".utf8))
    exit(1)
}

/// `chart-bars.mustache` → `chartBarsMustache`: a name to type, with the extension kept so that
/// `review.css` and `review.js` do not collide.
func identifier(for fileName: String) -> String {
    let words = fileName.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    guard let first = words.first else { fail("cannot name a constant after \"\(fileName)\"") }
    let name = first.prefix(1).lowercased() + first.dropFirst() + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    return name.first!.isNumber ? "_" + name : name
}

/// A raw multi-line literal holding `text` exactly: more `#`s than any run in the text, so neither
/// `"""#` nor `\#(` inside it can end the literal or interpolate.
func literal(_ text: String) -> String {
    var longest = 0, run = 0
    for c in text.unicodeScalars {
        run = c == "#" ? run + 1 : 0
        longest = max(longest, run)
    }
    let hashes = String(repeating: "#", count: longest + 1)
    // The newlines right after the opening and before the closing delimiter are not part of the value.
    return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else { fail("usage: embed-files OUTPUT.swift FILE...") }
let output = arguments[0]
// Sorted by name, so the generated source does not depend on the order SwiftPM lists files in.
let inputs = arguments.dropFirst().map { URL(fileURLWithPath: $0) }.sorted { $0.lastPathComponent < $1.lastPathComponent }

var source = "// Generated at build time by Plugins/EmbedFiles: edit the files named below, not this one.\n\n"
source += "enum EmbeddedFiles {\n"
var named: [String: String] = [:]
for url in inputs {
    let name = identifier(for: url.lastPathComponent)
    if let other = named[name] { fail("\(url.lastPathComponent) and \(other) would both be EmbeddedFiles.\(name)") }
    named[name] = url.lastPathComponent
    guard let data = FileManager.default.contents(atPath: url.path) else { fail("cannot read \(url.path)") }
    guard let text = String(data: data, encoding: .utf8) else { fail("\(url.path) is not UTF-8 text") }
    source += "    /// \(url.lastPathComponent)\n    static let `\(name)` = \(literal(text))\n\n"
}
source += "}\n"

do { try Data(source.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) }
catch { fail("cannot write \(output): \(error.localizedDescription)") }
