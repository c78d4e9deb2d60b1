import CurateCore
import Dispatch
import Foundation
import Imaging
import Inference

public struct FacesSummary: Sendable {
    public var scanned = 0
    public var withFaces = 0
    public var faces = 0
    public var failures: [String: Int] = [:]
    /// Every stored face the quality gate leaves out, by reason (new and earlier scans).
    public var rejected: [FaceRejection: Int] = [:]
    /// Earlier faces whose gate outcome changed on this run (new thresholds, or first measured).
    public var regated = 0
    /// Stopped by Ctrl-C / SIGTERM: the images not reached stay unscanned.
    public var interrupted = false
    public var seconds = 0.0
    public var imagesPerSecond: Double { seconds > 0 ? Double(scanned) / seconds : 0 }

    public var text: String {
        var lines = ["scanned \(counted(scanned, "image")) in \(String(format: "%.1f", seconds)) s (\(String(format: "%.1f", imagesPerSecond)) images/s)",
                     "faces: \(faces) in \(counted(withFaces, "image")); \(counted(scanned - withFaces - failures.values.reduce(0, +), "image")) without a face"]
        for (r, n) in failures.sorted(by: { $0.key < $1.key }) { lines.append("could not scan: \(r): \(n)") }
        if !rejected.isEmpty {
            lines.append("quality gate left out \(counted(rejected.values.reduce(0, +), "face")): "
                + rejected.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        }
        if regated > 0 { lines.append("quality gate: \(counted(regated, "earlier face")) changed outcome under the current thresholds") }
        return lines.joined(separator: "\n")
    }
}

/// `curate faces`: MTCNN on every canonical image not yet scanned, in parallel across
/// cores; each kept face is cropped (aligned or margin), stored as PNG in the workspace
/// (`faces/ab/<sha256>-<i>.png`, written then renamed), and recorded with its box,
/// landmarks and probability. An image without faces is recorded as scanned with none.
/// Every face then passes the quality gate (`faces.quality`): one that fails keeps its crop and
/// row, with the reason, and is left out of splits, scoring and review. Each run judges the
/// earlier faces again, so changed thresholds apply without a rescan.
public struct FacesStage: Sendable {
    let workspace: Workspace
    let catalog: any FacesCatalog
    let settings: FaceSettings
    let mtcnn: MTCNN
    let progress: StageProgress?
    let batchSize = 64
    /// Images of at least this many pixels are scanned one at a time with their own work
    /// spread over every core: one per core would leave cores idle behind the last large
    /// image of a batch (a 2048-pixel photo costs as much as a hundred small ones).
    let largeImagePixels = 1_000_000

    public init(workspace: Workspace, catalog: any FacesCatalog, settings: FaceSettings, modelsDir: URL,
                progress: StageProgress? = nil) throws {
        try settings.validate()
        self.mtcnn = try MTCNN(modelsDir: modelsDir, settings: MTCNNSettings(settings))
        self.workspace = workspace; self.catalog = catalog; self.settings = settings; self.progress = progress
    }

    /// A record of what produced the crops, stored with every scan.
    var settingsTag: String {
        "mtcnn min_face=\(settings.minFaceSize) thresholds=\(settings.thresholds) factor=\(settings.factor) "
            + "min_prob=\(settings.minProbability) crop=\(settings.crop.rawValue) size=\(settings.size)"
            + (settings.crop == .margin ? " margin=\(settings.margin)" : "") + (settings.largest ? " largest" : "")
            + " quality: " + settings.quality.description
    }

    /// Scans what is left to scan (leased shard by shard, so many processes can share it), then
    /// judges every face under the quality gate.
    public func run(policy: LeasePolicy = LeasePolicy(), keeper: LeaseKeeper? = nil) throws -> FacesSummary {
        try catalog.status().require(.images, for: "faces")
        Ops.useSingleThreadedBLAS()
        try workspace.prepareForWriting()
        var summary = FacesSummary()
        let own = keeper == nil
        let keeper = try keeper ?? LeaseKeeper(queue: catalog, policy: policy, stages: WorkStage.faces.name)
        defer { if own { keeper.finish() } }
        let leased = LeasedRun(queue: catalog, stage: .faces, policy: policy, keeper: keeper)
        let planned = try leased.plan(retryFailed: false)
        progress?.start(total: planned)
        let t0 = Date()
        _ = try leased.run { lease in
            try scan(catalog.imagesToScan(shard: lease.shard), lease: lease, keeper: keeper, into: &summary)
        }
        summary.interrupted = Interrupt.requested
        progress?.finish()
        if !summary.interrupted { try gate(&summary) }
        summary.seconds = Date().timeIntervalSince(t0)
        return summary
    }

    /// Scans one shard's images in batches sized to take about a second each (commits at least
    /// that often, so a kill or Ctrl-C loses little), between one image per core and `batchSize`.
    func scan(_ todo: [ImageToScan], lease: ShardLease, keeper: LeaseKeeper, into summary: inout FacesSummary) throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var start = 0, size = min(batchSize, 2 * cores)
        while start < todo.count && !Interrupt.requested {
            if keeper.isLost(lease) { throw LeaseLost(lease) }
            let batch = Array(todo[start..<min(todo.count, start + size)])
            let began = Date()
            // Each photo is read once (from S3 that is one GET): small ones are scanned right
            // away, one per core; large ones keep their bytes for a scan with every core after.
            let first = parallelMap(batch) { item -> (bytes: [UInt8]?, scan: FaceScan?) in
                let bytes = try? workspace.readBlob(item.path)
                return isLarge(bytes) ? (bytes, nil) : (nil, scan(item, bytes: bytes))
            }
            let done = zip(batch, first).map { item, r in r.scan ?? self.scan(item, bytes: r.bytes, threads: cores) }
            try catalog.recordFaceScans(done, lease: lease)
            for s in done {
                summary.scanned += 1
                if let e = s.error { summary.failures[e, default: 0] += 1 }
                if !s.faces.isEmpty { summary.withFaces += 1 }
                summary.faces += s.faces.count
            }
            progress?.update(done: summary.scanned, detail: "faces \(summary.faces)")
            start += batch.count
            let took = max(Date().timeIntervalSince(began), 0.001)
            size = max(cores, min(batchSize, Int(Double(batch.count) / took)))
        }
    }

    /// Judges every stored face under the current thresholds, measuring first those found before
    /// curate measured faces (one decode per image), and stores the outcomes that changed.
    func gate(_ summary: inout FacesSummary) throws {
        let stored = try catalog.facesToGate()
        let unmeasured = Dictionary(grouping: stored.filter { $0.quality == nil }, by: \.imagePath)
        let measured = parallelMap(Array(unmeasured)) { path, faces -> [(Int64, FaceQuality)] in
            guard let gray = try? ImageDecoder.decodeGray(workspace.readBlob(path)) else { return [] }
            return faces.map { ($0.faceID, FaceQualityMeter.measure(gray: gray, box: $0.box, landmarks: $0.landmarks)) }
        }
        let fresh = Dictionary(uniqueKeysWithValues: measured.joined().map { ($0.0, $0.1) })
        var updates: [FaceGateUpdate] = []
        for f in stored {
            guard let q = f.quality ?? fresh[f.faceID] else { continue }   // its photo can no longer be read
            let verdict = settings.quality.verdict(q)
            if let verdict { summary.rejected[verdict, default: 0] += 1 }
            if f.quality == nil || verdict != f.rejected { updates.append(FaceGateUpdate(faceID: f.faceID, quality: q, rejected: verdict)) }
        }
        try catalog.recordFaceGate(updates)
        summary.regated = updates.count
    }

    /// Whether the image's header says it has at least `largeImagePixels` (files that cannot
    /// be read or probed count as small: `scan` reports them).
    func isLarge(_ bytes: [UInt8]?) -> Bool {
        guard let bytes, let header = try? ImageProbe.probe(bytes, maxPixels: Int.max) else { return false }
        return header.pixels >= largeImagePixels
    }

    /// Faces of one photo given its bytes (nil: the file could not be read).
    func scan(_ item: ImageToScan, bytes: [UInt8]?, threads: Int = 1) -> FaceScan {
        let image: PixelImage
        do {
            guard let bytes else { throw CurateError("unreadable") }
            image = try ImageDecoder.decode(bytes)
        } catch let e as ImageProbeError {
            return FaceScan(imageSHA256: item.sha256, faces: [], error: e.reason, settings: settingsTag)
        } catch {
            return FaceScan(imageSHA256: item.sha256, faces: [], error: "unreadable_file", settings: settingsTag)
        }
        let found = mtcnn.faces(in: image, settings, threads: threads)
        let gray = found.isEmpty ? image : image.luma()
        var faces: [FaceRecord] = []
        for (i, f) in found.enumerated() {
            // Named by its own bytes, as photos are: a crop made with other settings gets another
            // key, so a store that never overwrites (S3 with If-None-Match) stays right.
            let rel: String
            do {
                let png = try ImageEncoder.png(FaceCrop.crop(image, f, settings))
                let hash = ContentHash.sha256Hex(png)
                rel = "faces/\(hash.prefix(2))/\(hash).png"
                try workspace.writeBlob(png, to: rel)
                Fault.hit(.killAfterBlobWrite)
            } catch {
                return FaceScan(imageSHA256: item.sha256, faces: [], error: "crop_write_failed", settings: settingsTag)
            }
            let quality = FaceQualityMeter.measure(gray: gray, box: f.box, landmarks: f.landmarks)
            faces.append(FaceRecord(imageSHA256: item.sha256, index: i, box: f.box, probability: f.probability,
                                    landmarks: f.landmarks, cropPath: rel, method: settings.crop,
                                    quality: quality, rejected: settings.quality.verdict(quality)))
        }
        return FaceScan(imageSHA256: item.sha256, faces: faces, settings: settingsTag)
    }
}
