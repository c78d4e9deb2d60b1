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

    public func detect(_ image: PixelImage) -> [DetectedFace] {
        let (h, w) = (image.height, image.width)
        let t = settings.thresholds
        // Every resampling below (pyramid levels and crops) reads this table.
        let sums = image.pixels.withUnsafeBufferPointer {
            AreaSums(pixels: $0, width: w, height: h, channels: image.channels)
        }
        let scratch = Scratch()

        // Stage 1: P-Net over the pyramid.
        let m = 12.0 / settings.minFaceSize
        var minl = Double(min(h, w)) * m
        var scales: [Double] = []
        var s = m
        while minl >= 12 { scales.append(s); s *= settings.factor; minl *= settings.factor }
        var boxes: [Box] = []
        for scale in scales {
            let sh = Int(Double(h) * scale + 1), sw = Int(Double(w) * scale + 1)
            guard sh >= 12, sw >= 12 else { continue }
            let rows = PNet.gridSize(height: sh, width: sw).rows
            var found: [Box] = []
            for r0 in stride(from: 0, to: rows, by: PNet.stripRows) {
                found += pnet.candidates(sums, height: sh, width: sw, rows: r0..<min(rows, r0 + PNet.stripRows),
                                         scale: Float(scale), threshold: t[0], scratch: scratch)
            }
            boxes += BoxOps.nms(found, 0.5)
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
        var (crops, kept) = Self.crops(sums, boxes, size: 24)
        guard !kept.isEmpty else { return [] }
        let (rreg, rprob) = rnet(crops, scratch: scratch)
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
        (crops, kept) = Self.crops(sums, boxes, size: 48)
        guard !kept.isEmpty else { return [] }
        let (oreg, olm, oprob) = onet(crops, scratch: scratch)
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

    /// Crops each box (clipped to the image), area-resamples it to size×size and normalises
    /// it for R-Net/O-Net; boxes with nothing inside the image are dropped.
    static func crops(_ sums: AreaSums, _ boxes: [Box], size: Int) -> (Tensor, [Box]) {
        let ranges = boxes.map { BoxOps.cropRange($0, width: sums.width, height: sums.height) }
        let kept = zip(boxes, ranges).compactMap { b, r in r.map { _ in b } }
        let per = 3 * size * size
        var data = [Float](repeating: 0, count: kept.count * per)
        data.withUnsafeMutableBufferPointer { dst in
            for (k, r) in ranges.compactMap({ $0 }).enumerated() {
                sums.resample(rows: r.y, cols: r.x, height: size, width: size, outRows: 0..<size,
                              subtract: 127.5, multiply: 0.0078125, into: dst.baseAddress! + k * per)
            }
        }
        return (Tensor(shape: [kept.count, 3, size, size], data: data), kept)
    }
}
