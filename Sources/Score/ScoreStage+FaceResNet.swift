import CurateCore
import Foundation
import Imaging

/// The face ResNet's features, stored beside the classifier's outputs (`face_probs`, no
/// probabilities) under their own key, for the trained head when `score.face_resnet` is on.
extension ScoreStage {
    /// The stored-output key: the source file and the pooled grid.
    public static func modelKey(_ net: FaceResNet) -> String {
        "face-resnet-l2:" + net.sourceDigest.prefix(16) + ":grid\(FaceResNet.grid)"
    }

    func loadFaceResNet() throws -> FaceResNet? {
        guard settings.faceResNet else { return nil }
        return try FaceResNet(contentsOf: modelsDir.appendingPathComponent(FaceResNet.file))
    }

    /// Features for the faces without them, when `score.face_resnet` is on, counted and timed.
    func inferFaceResNet(into summary: inout ScoreSummary) throws {
        guard !Interrupt.requested, let net = try loadFaceResNet() else { return }
        let t0 = Date()
        summary.resnetInferred = try inferFaceResNet(net)
        try requireFinished(Self.modelKey(net))
        summary.resnetSeconds = Date().timeIntervalSince(t0)
    }

    /// Stored features of `model` (e.g. the face ResNet's) by face id.
    static func storedFeatures(_ catalog: any ScoreCatalog, model: String) throws -> [Int64: [Float]] {
        Dictionary(uniqueKeysWithValues: try catalog.scoringRows(model: model).map { ($0.faceID, $0.features) })
    }

    /// The face ResNet over every face without its features; returns how many.
    func inferFaceResNet(_ net: FaceResNet) throws -> Int {
        let workspace = self.workspace
        return try infer(key: Self.modelKey(net)) { batch in try Self.resnetFeatures(batch, net, workspace) }
    }

    /// Chips cut from each face's photo (decoded once per photo: faces come sorted by photo),
    /// a few per forward pass.
    static func resnetFeatures(_ batch: [FaceToScore], _ net: FaceResNet, _ workspace: Workspace) throws -> [FaceProbs] {
        var photo: (path: String, image: PixelImage)?
        var out: [FaceProbs] = []
        let micro = 4
        for start in stride(from: 0, to: batch.count, by: micro) {
            let faces = batch[start..<min(batch.count, start + micro)]
            var chips: [PixelImage] = []
            for f in faces {
                if photo?.path != f.imagePath {
                    do { photo = (f.imagePath, try ImageDecoder.decode(workspace.readBlob(f.imagePath))) } catch {
                        throw CurateError("cannot read photo \(f.imagePath): \(error)")
                    }
                }
                chips.append(FaceResNet.chipImage(photo!.image, landmarks: f.landmarks))
            }
            for (f, v) in zip(faces, net.features(chips: chips)) { out.append(FaceProbs(faceID: f.faceID, probs: [], features: v)) }
        }
        return out
    }
}
