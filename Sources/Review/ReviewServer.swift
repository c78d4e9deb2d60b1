import CurateCore
import Foundation
import Hummingbird
import NIOCore
import Logging

/// `curate review`: a keyboard-driven page over the mislabel queue, served on 127.0.0.1 only.
/// Decisions go straight to the catalog's label history.
public struct ReviewServer: Sendable {
    public struct Options: Sendable {
        public var port: Int
        public var reviewer: String
        /// The queue the page opens with (the page can change its filters).
        public var query: ReviewQuery
        public init(port: Int = 0, reviewer: String, query: ReviewQuery) {
            self.port = port; self.reviewer = reviewer; self.query = query
        }
    }

    let workspace: Workspace
    let catalog: any ReviewCatalog & FetchCatalog
    let labels: LabelSet
    let splits: [SplitName]
    let options: Options
    let token: String
    let thumbnails = ThumbnailCache()
    /// The "try an image" page: the detector and classifier, and where added photos go.
    let tryImage: TryImage?

    public init(workspace: Workspace, catalog: any ReviewCatalog & FetchCatalog, labels: LabelSet, splits: [SplitName], options: Options,
                token: String = ReviewServer.newToken(), tryImage: TryImage? = nil) {
        self.workspace = workspace; self.catalog = catalog; self.labels = labels; self.splits = splits
        self.options = options; self.token = token; self.tryImage = tryImage
    }

    /// 128 random bits, URL-safe.
    public static func newToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }

    /// Serves until SIGINT or SIGTERM; `started` gets the page's URL once the port is bound.
    public func run(started: @escaping @Sendable (String) -> Void) async throws {
        var logger = Logger(label: "curate-review")
        logger.logLevel = .warning
        let token = token
        let app = Application(
            router: try makeRouter(),
            configuration: .init(address: .hostname("127.0.0.1", port: options.port), serverName: "curate"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                started("http://127.0.0.1:\(port)/?token=\(token)")
            },
            logger: logger)
        do {
            try await app.runService()
        } catch let e as IOError where e.errnoCode == EADDRINUSE {
            throw CurateError("port \(options.port) on 127.0.0.1 is in use (another `curate review`?): pass --port with a free one, or --port 0 for any")
        } catch let e as IOError where e.errnoCode == EACCES {
            throw CurateError("port \(options.port) needs privileges: pass --port above 1023, or --port 0 for any")
        }
    }

    func makeRouter() throws -> Router<ReviewContext> {
        let router = Router(context: ReviewContext.self)
        // Added first, so it guards every route below and unknown paths alike.
        router.add(middleware: TokenMiddleware(token: token))
        // The page depends only on this server's settings: rendered once.
        let page = try PageTemplates.render(PageTemplates.ReviewPageView(config: pageConfig()))
        router.get("/") { _, _ in Response.html(page) }
        router.get("/crop/:face") { _, context in try self.crop(context) }
        router.get("/photo/:face") { _, context in try await self.photo(context) }
        let api = router.group("api")
        api.get("queue") { request, _ in try self.queue(request) }
        api.post("decide") { request, context in try await self.decide(request, context) }
        api.post("undo") { _, _ in try self.undo() }
        if let tryImage { try tryImage.addRoutes(to: router, api: api, server: self) }
        return router
    }

    /// What the page script needs, embedded as JSON.
    func pageConfig() -> String {
        let q = options.query
        let config: [String: Any] = [
            "token": token, "labels": labels.names, "try": tryImage != nil, "splits": splits.map(\.rawValue), "reviewer": options.reviewer,
            "filter": ["label": q.label ?? "", "split": q.split ?? "", "all": q.all, "rank_by": q.rankBy.rawValue],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])) ?? Data("{}".utf8)
        // Safe inside <script>: no "</" can close the element early.
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
    }

    func queue(_ request: Request) throws -> Queue {
        let p = request.uri.queryParameters
        var q = options.query
        if let l = p.get("label") { q.label = l.isEmpty ? nil : l }
        if let s = p.get("split") {
            guard s.isEmpty || SplitName(rawValue: s) != nil else { throw HTTPError(.badRequest, message: "split must be train, val or test") }
            q.split = SplitName(rawValue: s)
        }
        if let a = p.get("all") { q.all = a == "1" || a == "true" }
        if let r = p.get("rank_by") {
            guard let rank = ScoreSettings.RankBy(rawValue: r) else { throw HTTPError(.badRequest, message: "rank_by must be self_confidence or margin") }
            q.rankBy = rank
        }
        q.after = p.get("after").flatMap(Int64.init)
        q.limit = min(max(p.get("limit").flatMap(Int.init) ?? 50, 1), 500)
        return Queue(page: try catalog.reviewQueue(q))
    }

    /// GET /api/queue's answer: the catalog's page, encoded as it encodes itself (wrapped rather
    /// than making CurateCore's type conform to Hummingbird's protocol).
    struct Queue: ResponseEncodable {
        var page: ReviewPage
        func encode(to encoder: any Encoder) throws { try page.encode(to: encoder) }
    }

    func faceID(_ context: ReviewContext) throws -> Int64 {
        guard let id = context.parameters.get("face").flatMap(Int64.init) else { throw HTTPError(.badRequest, message: "bad face id") }
        return id
    }

    func crop(_ context: ReviewContext) throws -> Response {
        guard let item = try catalog.reviewItem(faceID: try faceID(context)) else { throw HTTPError(.notFound) }
        return .bytes(try workspace.readBlob(item.crop), type: "image/png")
    }

    func photo(_ context: ReviewContext) async throws -> Response {
        guard let item = try catalog.reviewItem(faceID: try faceID(context)) else { throw HTTPError(.notFound) }
        let jpeg = try await thumbnails.thumbnail(of: item.imagePath, in: workspace, key: item.imageSHA256)
        return .bytes(jpeg, type: "image/jpeg")
    }

    struct Decision: Decodable {
        var face_id: Int64
        var action: String
        var label: String?
    }

    func decide(_ request: Request, _ context: ReviewContext) async throws -> Outcome {
        let d = try await request.decode(as: Decision.self, context: context)
        guard let action = ReviewAction(rawValue: d.action), action != .undo else {
            throw HTTPError(.badRequest, message: "action must be relabel, accept or reject")
        }
        if action == .relabel {
            guard let l = d.label, labels.names.contains(l) else {
                throw HTTPError(.badRequest, message: "relabel needs one of the pipeline's labels: \(labels.names.joined(separator: ", "))")
            }
        }
        let entry: ReviewEntry
        do { entry = try catalog.recordReview(faceID: d.face_id, action: action, label: d.label, reviewer: options.reviewer) }
        catch let e as CurateError { throw HTTPError(.badRequest, message: e.message) }
        return Outcome(entry: entry, item: try catalog.reviewItem(faceID: entry.faceID))
    }

    func undo() throws -> Outcome {
        let entry = try catalog.undoLastReview(reviewer: options.reviewer)
        return Outcome(entry: entry, item: try entry.flatMap { try catalog.reviewItem(faceID: $0.faceID) })
    }

    /// What a decision or an undo did: the history entry (none when there was nothing to undo)
    /// and the face as it now is.
    struct Outcome: ResponseEncodable {
        var entry: ReviewEntry?
        var item: ReviewItem?
    }
}

/// The request context: uploads (the "try an image" page) may be larger than Hummingbird's 2 MiB
/// default, and JSON answers are written by `ReviewJSONEncoder`.
struct ReviewContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    init(source: Source) { coreContext = .init(source: source) }
    var maxUploadSize: Int { 25 << 20 }
    var responseEncoder: ReviewJSONEncoder { ReviewJSONEncoder() }
}
