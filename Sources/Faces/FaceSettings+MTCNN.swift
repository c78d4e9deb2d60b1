import CurateCore
import Imaging

extension MTCNNSettings {
    /// The detector settings of a pipeline's `faces:` section.
    public init(_ s: FaceSettings) {
        self.init()
        minFaceSize = s.minFaceSize
        thresholds = s.thresholds.map(Float.init)
        factor = s.factor
    }
}

extension MTCNN {
    /// The faces the pipeline keeps: above its minimum probability, only the largest if asked.
    public func faces(in image: PixelImage, _ s: FaceSettings, threads: Int = 1) -> [DetectedFace] {
        let found = detect(image, threads: threads).filter { Double($0.probability) >= s.minProbability }
        return s.largest ? Array(found.prefix(1)) : found   // detect() returns the largest first
    }
}

extension FaceCrop {
    /// The crop the pipeline stores for a face (aligned or with a margin, `faces.size` square).
    public static func crop(_ image: PixelImage, _ f: DetectedFace, _ s: FaceSettings) -> PixelImage {
        s.crop == .aligned
            ? aligned(image, landmarks: f.landmarks, size: s.size)
            : margin(image, box: f.box, margin: s.margin, size: s.size)
    }
}
