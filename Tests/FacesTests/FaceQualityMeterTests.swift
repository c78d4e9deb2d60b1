import CurateCore
import Imaging
import Testing
import TestSupport
@testable import Faces

/// The gate's measurements on hand-made gray photos whose "landmarks" sit on the ArcFace
/// template at 112 px, so the aligned crop is the photo itself.
struct FaceQualityMeterTests {
    static let landmarks = FaceCrop.arcface112.map { [Float($0.0), Float($0.1)] }
    static let box: [Float] = [20, 20, 92, 110]

    /// Fine texture: a pseudo-random pattern around mid-gray (its Laplacian is large).
    static func textured(mean: Int = 128, spread: Int = 60, side: Int = 112) -> PixelImage {
        var rng = SplitMix(7)
        let px = (0..<(side * side)).map { _ in UInt8(clamping: mean - spread + Int(rng.next() % UInt64(2 * spread + 1))) }
        return PixelImage(width: side, height: side, channels: 1, pixels: px)
    }

    static func measure(_ img: PixelImage, landmarks: [[Float]] = landmarks) -> FaceQuality {
        FaceQualityMeter.measure(gray: img, box: box, landmarks: landmarks)
    }

    @Test func aSharpMidGrayFaceInsideThePhotoPassesTheDefaultGate() {
        let q = Self.measure(Self.textured())
        #expect(q.inside == 1 && abs(q.brightness - 128) < 3 && q.sharpness > 1000)
        #expect(abs(q.size - 72) < 1e-6)
        #expect(QualityGate().verdict(q) == nil)
    }

    @Test func blurringTheSamePixelsLowersSharpnessUntilTheGateCallsItBlurry() {
        let sharp = Self.textured()
        let soft = sharp.resized(width: 14, height: 14, filter: .bilinear).resized(width: 112, height: 112, filter: .bilinear)
        let q = Self.measure(soft)
        #expect(q.sharpness < Self.measure(sharp).sharpness / 20)
        #expect(QualityGate().verdict(q) == .blurry, "sharpness \(q.sharpness)")
    }

    @Test func aDarkFaceIsTooDarkAndABrightOneTooBright() {
        let dark = Self.measure(Self.textured(mean: 14, spread: 12))
        #expect(QualityGate().verdict(dark) == .tooDark, "\(dark)")
        let bright = Self.measure(Self.textured(mean: 242, spread: 12))
        #expect(QualityGate().verdict(bright) == .tooBright, "\(bright)")
    }

    @Test func aFaceCutByThePhotosEdgeIsOutOfFrame() {
        // The same face 70 px further left: all but the right quarter of its centre is past x = 0.
        let shifted = Self.landmarks.map { [$0[0] - 70, $0[1]] }
        let q = Self.measure(Self.textured(), landmarks: shifted)
        #expect(q.inside > 0.2 && q.inside < 0.35, "inside \(q.inside)")
        #expect(QualityGate().verdict(q) == .outOfFrame)
    }

    @Test func aTinyBoxIsTooSmallWhateverItsPixels() {
        let q = FaceQualityMeter.measure(gray: Self.textured(), box: [10, 10, 28, 32], landmarks: Self.landmarks)
        #expect(q.size == 18 && QualityGate().verdict(q) == .tooSmall)
    }
}
