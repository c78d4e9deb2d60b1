/// An error a user can act on: the message says what is wrong and what to do.
public struct CurateError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// "1 image", "2 images": a count with its noun in the right number.
public func counted(_ n: Int, _ noun: String, plural: String? = nil) -> String {
    "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
}

/// The release this build is (`curate --version`).
public let curateVersion = "0.3.0"
