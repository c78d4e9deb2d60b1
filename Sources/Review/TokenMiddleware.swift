import Hummingbird

/// Every request must carry the session token `curate review` printed (`?token=`), or it gets
/// 403 before any route runs: another local user or a web page the reviewer visits cannot
/// read the dataset or write decisions.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let given = request.uri.queryParameters.get("token"), Self.same(given, token) else {
            return .text("403 forbidden: this server answers only requests carrying the token `curate review` printed\n",
                         status: .forbidden)
        }
        return try await next(request, context)
    }

    /// Compares in time independent of where the strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
