import CurateCore
import Foundation
import Imaging
import Inference

/// One detected face: box (x1, y1, x2, y2; may extend past the image, as the reference's
/// do), probability, and five landmarks (left eye, right eye, nose, mouth left, mouth right).
public struct DetectedFace: Sendable, Equatable, Codable {
    public var box: [Float]
    public var probability: Float
    public var landmarks: [[Float]]
}

public struct MTCNNSettings: Sendable, Equatable {
    public var minFaceSize: Double = 20
    public var thresholds: [Float] = [0.6, 0.7, 0.7]
    public var factor: Double = 0.709
    public init() {}
}

/// MTCNN as facenet-pytorch 2.6.0's `detect_face` runs it: an image pyramid through P-Net
/// (per-scale NMS 0.5, then 0.7 across scales), regression and squaring, R-Net on 24×24
/// area-resampled crops (NMS 0.7), O-Net on 48×48 crops with landmarks, and a final
/// NMS 0.7 on the smaller box's area. Faces come back largest first.
public struct MTCNN: Sendable {
    let pnet: PNet, rnet: RNet, onet: ONet
    public var settings: MTCNNSettings

    public init(modelsDir: URL, settings: MTCNNSettings = MTCNNSettings()) throws {
        func load(_ name: String) throws -> SafeTensors {
            let url = modelsDir.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw SafeTensors.FormatError(description: "model file \(url.path) is missing: run scripts/models.sh (make models)")
            }
            return try SafeTensors(contentsOf: url)
        }
        pnet = try PNet(load("mtcnn-pnet.safetensors"))
        rnet = try RNet(load("mtcnn-rnet.safetensors"))
        onet = try ONet(load("mtcnn-onet.safetensors"))
        self.settings = settings
    }

    /// Detects faces in `image`. With `threads` > 1 the work of this one image (P-Net strips,
    /// R-Net and O-Net batches) is spread over that many threads, with the same results.
    public func detect(_ image: PixelImage, threads: Int = 1) -> [DetectedFace] {
        let (h, w) = (image.height, image.width)
        let t = settings.thresholds
        // Every resampling below (pyramid levels and crops) reads this table.
        let sums = image.pixels.withUnsafeBufferPointer {
            AreaSums(pixels: $0, width: w, height: h, channels: image.channels)
        }

        // Stage 1: P-Net over the pyramid, as tasks of one strip of one level each.
        let m = 12.0 / settings.minFaceSize
        var minl = Double(min(h, w)) * m
        var levels: [(scale: Double, h: Int, w: Int)] = []
        var s = m
        while minl >= 12 {
            let sh = Int(Double(h) * s + 1), sw = Int(Double(w) * s + 1)
            if sh >= 12, sw >= 12 { levels.append((s, sh, sw)) }
            s *= settings.factor; minl *= settings.factor
        }
        var strips: [(level: Int, rows: Range<Int>)] = []
        for (i, l) in levels.enumerated() {
            let rows = PNet.gridSize(height: l.h, width: l.w).rows
            for r0 in stride(from: 0, to: rows, by: PNet.stripRows) {
                strips.append((i, r0..<min(rows, r0 + PNet.stripRows)))
            }
        }
        let found = parallelMap(count: strips.count, threads: threads, state: { Scratch() }) { [pnet, levels, strips] i, scratch in
            let l = levels[strips[i].level]
            return pnet.candidates(sums, height: l.h, width: l.w, rows: strips[i].rows, scale: Float(l.scale),
                                   threshold: t[0], scratch: scratch)
        }
        var boxes: [Box] = []
        var strip = 0
        for level in levels.indices {
            var candidates: [Box] = []
            while strip < strips.count && strips[strip].level == level { candidates += found[strip]; strip += 1 }
            boxes += BoxOps.nms(candidates, 0.5)
        }
        boxes = BoxOps.nms(boxes, 0.7).map { b in
            var o = b
            let rw = b.x2 - b.x1, rh = b.y2 - b.y1
            o.x1 = b.x1 + b.reg.0 * rw; o.y1 = b.y1 + b.reg.1 * rh
            o.x2 = b.x2 + b.reg.2 * rw; o.y2 = b.y2 + b.reg.3 * rh
            return BoxOps.square(o)
        }
        guard !boxes.isEmpty else { return [] }

        // Stage 2: R-Net refines.
        var (features, kept) = Self.features(sums, boxes, size: 24, threads: threads) { [rnet] in
            rnet.features($0, scratch: $1)
        }
        guard !kept.isEmpty else { return [] }
        let (rreg, rprob) = rnet.dense(features)
        var next: [Box] = []
        for (k, b) in kept.enumerated() where rprob.data[k * 2 + 1] > t[1] {
            var o = b
            o.score = rprob.data[k * 2 + 1]
            o.reg = (rreg.data[k * 4], rreg.data[k * 4 + 1], rreg.data[k * 4 + 2], rreg.data[k * 4 + 3])
            next.append(o)
        }
        boxes = BoxOps.nms(next, 0.7).map { BoxOps.square(BoxOps.regress($0)) }
        guard !boxes.isEmpty else { return [] }

        // Stage 3: O-Net gives the final boxes and landmarks.
        (features, kept) = Self.features(sums, boxes, size: 48, threads: threads) { [onet] in
            onet.features($0, scratch: $1)
        }
        guard !kept.isEmpty else { return [] }
        let (oreg, olm, oprob) = onet.dense(features)
        var finals: [Box] = []
        var points: [[[Float]]] = []
        for (k, b) in kept.enumerated() where oprob.data[k * 2 + 1] > t[2] {
            var o = b
            o.score = oprob.data[k * 2 + 1]
            o.reg = (oreg.data[k * 4], oreg.data[k * 4 + 1], oreg.data[k * 4 + 2], oreg.data[k * 4 + 3])
            let bw = o.x2 - o.x1 + 1, bh = o.y2 - o.y1 + 1
            points.append((0..<5).map { i in
                [bw * olm.data[k * 10 + i] + o.x1 - 1, bh * olm.data[k * 10 + 5 + i] + o.y1 - 1]
            })
            finals.append(BoxOps.regress(o))
        }
        let pick = BoxOps.nmsMin(finals, 0.7)
        let faces = pick.map { i in
            DetectedFace(box: [finals[i].x1, finals[i].y1, finals[i].x2, finals[i].y2],
                         probability: finals[i].score, landmarks: points[i])
        }
        return faces.sorted { ($0.box[2] - $0.box[0]) * ($0.box[3] - $0.box[1]) > ($1.box[2] - $1.box[0]) * ($1.box[3] - $1.box[1]) }
    }

    /// The convolutional features `net` (R-Net's or O-Net's) computes from the crops of `boxes`
    /// (clipped to the image, area-resampled to size×size, normalised; boxes with nothing
    /// inside the image are dropped), with the kept boxes. With several threads, large batches
    /// are split in chunks of at least 32 crops (each crop's features are its own sgemm calls).
    static func features(_ sums: AreaSums, _ boxes: [Box], size: Int, threads: Int,
                         _ net: @escaping @Sendable (Tensor, Scratch) -> Tensor) -> (Tensor, [Box]) {
        let ranges = boxes.compactMap { BoxOps.cropRange($0, width: sums.width, height: sums.height) }
        let kept = boxes.filter { BoxOps.cropRange($0, width: sums.width, height: sums.height) != nil }
        guard !kept.isEmpty else { return (Tensor(zeros: [0]), []) }
        let chunks = max(1, min(threads, kept.count / 32))
        let parts = parallelMap(count: chunks, threads: threads, state: { Scratch() }) { c, scratch in
            let r = (kept.count * c / chunks)..<(kept.count * (c + 1) / chunks)
            return net(crops(sums, Array(ranges[r]), size: size), scratch)
        }
        return (Tensor(shape: [kept.count, parts[0].shape[1]], data: parts.flatMap(\.data)), kept)
    }

    /// The crops of `ranges` area-resampled to size×size and normalised: [n, 3, size, size].
    static func crops(_ sums: AreaSums, _ ranges: [(y: Range<Int>, x: Range<Int>)], size: Int) -> Tensor {
        let per = 3 * size * size
        var data = [Float](repeating: 0, count: ranges.count * per)
        data.withUnsafeMutableBufferPointer { dst in
            for (k, r) in ranges.enumerated() {
                sums.resample(rows: r.y, cols: r.x, height: size, width: size, outRows: 0..<size,
                              subtract: 127.5, multiply: 0.0078125, into: dst.baseAddress! + k * per)
            }
        }
        return Tensor(shape: [ranges.count, 3, size, size], data: data)
    }
}
