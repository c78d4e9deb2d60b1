import Foundation

/// A stored image waiting for face detection.
public struct ImageToScan: Sendable, Equatable {
    public var sha256: String
    public var path: String
}

/// One face found in an image, with its stored crop.
public struct FaceRecord: Sendable, Equatable {
    public var imageSHA256: String
    public var index: Int
    public var box: [Float]
    public var probability: Float
    public var landmarks: [[Float]]
    public var cropPath: String
    public var method: String
    public init(imageSHA256: String, index: Int, box: [Float], probability: Float, landmarks: [[Float]],
                cropPath: String, method: String) {
        self.imageSHA256 = imageSHA256; self.index = index; self.box = box; self.probability = probability
        self.landmarks = landmarks; self.cropPath = cropPath; self.method = method
    }
}

/// The outcome of scanning one image: its faces (possibly none), or why it failed.
public struct FaceScan: Sendable, Equatable {
    public var imageSHA256: String
    public var faces: [FaceRecord]
    public var error: String?
    public var settings: String
    public init(imageSHA256: String, faces: [FaceRecord], error: String? = nil, settings: String) {
        self.imageSHA256 = imageSHA256; self.faces = faces; self.error = error; self.settings = settings
    }
}
