/// An error a user can act on: the message says what is wrong and what to do.
public struct CurateError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
