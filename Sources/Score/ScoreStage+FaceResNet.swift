import CurateCore
import Foundation
import Imaging
import Inference

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
        let micro = 4, side = FaceResNet.chipSize
        for start in stride(from: 0, to: batch.count, by: micro) {
            let faces = batch[start..<min(batch.count, start + micro)]
            var input: [Float] = []
            for f in faces {
                if photo?.path != f.imagePath {
                    do { photo = (f.imagePath, try ImageDecoder.decode(workspace.readBlob(f.imagePath))) } catch {
                        throw CurateError("cannot read photo \(f.imagePath): \(error)")
                    }
                }
                input += FaceResNet.inputValues(FaceResNet.chipImage(photo!.image, landmarks: f.landmarks))
            }
            let features = net.features(Tensor(shape: [faces.count, 3, side, side], data: input))
            for (f, v) in zip(faces, features) { out.append(FaceProbs(faceID: f.faceID, probs: [], features: v)) }
        }
        return out
    }
}
