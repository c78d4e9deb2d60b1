import CurateCore
import Faces
import Foundation
import Imaging
import Inference
import Score

/// One face found in a photo, with the classifier's view of it.
public struct FacePrediction: Sendable, Equatable, Codable {
    /// x1, y1, x2, y2 in pixels (may reach past the border, as MTCNN's do).
    public var box: [Float]
    /// Detection probability.
    public var probability: Float
    public var landmarks: [[Float]]
    /// Pipeline label -> probability (renormalised over the labels the model can score).
    public var probs: [String: Float]
    public var predicted: String
    /// The quality gate's measurements, and why it would leave the face out of a dataset (nil: kept).
    public var quality: FaceQuality
    public var rejected: FaceRejection?
}

/// The pipeline's own detector and classifier over one photo at a time, storing nothing:
/// `curate predict` and the "try an image" page.
public struct Predictor: Sendable {
    let mtcnn: MTCNN
    let net: MiniXception
    let faces: FaceSettings
    let score: ScoreSettings
    let labels: [String]
    let map: [(label: String, index: Int)]
    let head: TrainedHead?
    /// The face ResNet, when the trained head reads its features.
    let resnet: FaceResNet?
    public let model: ScoreStage.Model

    public init(pipeline: PipelineConfig, modelsDir: URL, model: ScoreStage.Model = .default, workspace: Workspace? = nil) throws {
        let netFile = modelsDir.appendingPathComponent(ScoreStage.modelFile)
        guard FileManager.default.fileExists(atPath: netFile.path) else {
            throw CurateError("model file \(netFile.path) is missing: run scripts/models.sh (or pass --models DIR)")
        }
        mtcnn = try MTCNN(modelsDir: modelsDir, settings: MTCNNSettings(pipeline.faces))
        net = try MiniXception(contentsOf: netFile)
        faces = pipeline.faces
        score = pipeline.score
        labels = pipeline.labels.names
        map = try MislabelScores.classMap(labels: labels, modelClasses: net.classes, configured: score.classes)
        self.model = model
        if model == .trained {
            guard let workspace else { throw CurateError("--model trained needs a workspace with `curate train`'s head") }
            let head = try TrainedHead.load(workspace)
            let resnet = try score.faceResNet ? FaceResNet(contentsOf: netFile.deletingLastPathComponent().appendingPathComponent(FaceResNet.file)) : nil
            try head.check(labels: labels, featureModel: ScoreStage.modelKey(net, score), resnetModel: resnet.map(ScoreStage.modelKey))
            self.head = head
            self.resnet = resnet
        } else {
            head = nil
            resnet = nil
        }
    }

    /// Every face the detector keeps, largest first, with its label probabilities and the quality
    /// gate's verdict (a face the gate would leave out of a dataset is still classified, and says why).
    public func predict(_ photo: PixelImage) -> [FacePrediction] {
        let found = mtcnn.faces(in: photo, faces, threads: photo.width * photo.height >= 1_000_000 ? 2 : 1)
        guard !found.isEmpty else { return [] }
        let input = ScoreStage.networkInputs(photo: photo, faces: found, settings: faces, score: score)
        let (probs, features) = net.outputs(input, count: found.count, recipe: score.recipe)
        let resnetFeatures = resnet?.features(chips: found.map { FaceResNet.chipImage(photo, landmarks: $0.landmarks) })
        let gray = photo.luma()
        return found.enumerated().map { i, f in
            let modelProbs = probs[i]
            let p: [Float]
            if let head {
                p = head.predict(features: features[i], probs: modelProbs, resnet: resnetFeatures?[i])
            } else {
                let raw = map.map { modelProbs[$0.index] }
                let s = raw.reduce(0, +)
                p = s > 0 ? raw.map { $0 / s } : raw.map { _ in 1 / Float(raw.count) }
            }
            let names = head != nil ? labels : map.map(\.label)
            let best = p.indices.max { p[$0] < p[$1] }!
            let quality = FaceQualityMeter.measure(gray: gray, box: f.box, landmarks: f.landmarks)
            return FacePrediction(box: f.box, probability: f.probability, landmarks: f.landmarks,
                                  probs: Dictionary(uniqueKeysWithValues: zip(names, p)), predicted: names[best],
                                  quality: quality, rejected: faces.quality.verdict(quality))
        }
    }
}
