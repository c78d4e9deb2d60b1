import CurateCore
import Fetch
import Foundation
import Hummingbird
import Imaging
import Predict

/// The "try an image" page: upload a JPEG or PNG, see the faces boxed with their label
/// probabilities (the seed app's experience), optionally add the photo to the dataset.
public struct TryImage: Sendable {
    let predictor: Predictor
    let fetch: FetchSettings
    let maxUpload: Int
    let uploads = UploadStore()

    public init(predictor: Predictor, fetch: FetchSettings, maxUpload: Int = 20 << 20) {
        self.predictor = predictor; self.fetch = fetch; self.maxUpload = maxUpload
    }

    func addRoutes(to router: Router<ReviewContext>, api: RouterGroup<ReviewContext>, server: ReviewServer) throws {
        let page = try PageTemplates.render(PageTemplates.TryPageView(config: server.pageConfig(), maxUploadMiB: maxUpload >> 20))
        router.get("/try") { _, _ in Response.html(page) }
        api.post("predict") { request, _ in try await self.predict(request) }
        api.post("add") { request, context in try await self.add(request, context, server) }
    }

    struct Prediction: ResponseEncodable {
        var id: String
        var width: Int
        var height: Int
        var faces: [FacePrediction]
        /// The photo with boxes and probabilities drawn, as a data: URI (JPEG).
        var drawn: String
    }

    func predict(_ request: Request) async throws -> Prediction {
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: maxUpload) }
        catch { throw HTTPError(.contentTooLarge, message: "the upload is over \(maxUpload >> 20) MiB") }
        let bytes = [UInt8](buffer: body)
        guard !bytes.isEmpty else { throw HTTPError(.badRequest, message: "empty upload") }
        // The type is what decodes, never the name or the declared content type.
        let image: PixelImage
        do { image = try ImageDecoder.decode(bytes, maxPixels: fetch.maxPixels) } catch {
            throw HTTPError(.unsupportedMediaType, message: "not a readable JPEG or PNG image (\(error))")
        }
        let faces = predictor.predict(image)
        let drawn = try ImageEncoder.jpeg(Annotation.draw(image, faces), quality: 88)
        let id = await uploads.keep(bytes)
        return Prediction(id: id, width: image.width, height: image.height, faces: faces,
                          drawn: "data:image/jpeg;base64," + Data(drawn).base64EncodedString())
    }

    struct AddRequest: Decodable {
        var id: String
        var label: String
    }

    struct Added: ResponseEncodable {
        var url: String
        var label: String
        var fetched: Int
        var alreadyStored: Int
        enum CodingKeys: String, CodingKey { case url, label, fetched, alreadyStored = "already_stored" }
    }

    /// Stores the upload under the workspace's uploads/ and records it through the fetch stage
    /// (file:// URL, the label), so it has provenance like any fetched photo.
    func add(_ request: Request, _ context: ReviewContext, _ server: ReviewServer) async throws -> Added {
        let r = try await request.decode(as: AddRequest.self, context: context)
        guard let label = server.labels.canonical(r.label) else {
            throw HTTPError(.badRequest, message: "label must be one of \(server.labels.names.joined(separator: ", "))")
        }
        guard let bytes = await uploads.bytes(r.id) else { throw HTTPError(.notFound, message: "upload \(r.id) expired: upload it again") }
        let ext = (try? ImageProbe.probe(bytes, maxPixels: fetch.maxPixels).format.rawValue) ?? "img"
        let rel = "uploads/\(r.id).\(ext == "jpeg" ? "jpg" : ext)"
        try server.workspace.writeAtomically(bytes, to: rel, skipExisting: true)
        let url = server.workspace.url(relative: rel).standardizedFileURL.absoluteString
        let summary = try FetchStage.addAndFetch([URLEntry(url: url, label: label, listFile: "curate review: try an image", line: 1)],
                                                 workspace: server.workspace, catalog: server.catalog, settings: fetch)
        if summary.failed > 0 { throw HTTPError(.internalServerError, message: "could not add \(url): \(summary.failures)") }
        return Added(url: url, label: label, fetched: summary.fetched, alreadyStored: summary.duplicates)
    }
}

/// Recent uploads by sha256, so "add to dataset" need not upload again (the last 16 kept).
actor UploadStore {
    private var items: [(id: String, bytes: [UInt8])] = []

    func keep(_ bytes: [UInt8]) -> String {
        let id = ContentHash.sha256Hex(bytes)
        items.removeAll { $0.id == id }
        items.append((id, bytes))
        if items.count > 16 { items.removeFirst() }
        return id
    }

    func bytes(_ id: String) -> [UInt8]? { items.first { $0.id == id }?.bytes }
}
