import Foundation
import Imaging
import Testing
@testable import Faces

struct FaceCropTests {
    @Test func similarityRecoversRotationScaleAndShift() {
        let src: [(Double, Double)] = [(0, 0), (10, 0), (0, 10), (7, 3), (2, 9)]
        let (s, th, tx, ty) = (1.5, 0.3, 4.0, -2.0)
        let (c, sn) = (cos(th), sin(th))
        let dst: [(Double, Double)] = src.map { p in
            let x: Double = s * (c * p.0 - sn * p.1) + tx
            let y: Double = s * (sn * p.0 + c * p.1) + ty
            return (x, y)
        }
        let t = FaceCrop.similarity(from: src, to: dst)
        #expect(abs(t.a - s * cos(th)) < 1e-9 && abs(t.b - s * sin(th)) < 1e-9)
        #expect(abs(t.tx - tx) < 1e-9 && abs(t.ty - ty) < 1e-9)
    }

    @Test func landmarksOnTheTemplateGiveAnUnchangedCrop() {
        // A 160×160 gradient whose "landmarks" already sit on the scaled template.
        let pixels: [UInt8] = (0..<(160 * 160)).map { (i: Int) -> UInt8 in UInt8((i % 160 + i / 160) / 2) }
        let img = PixelImage(width: 160, height: 160, channels: 1, pixels: pixels)
        let lm = FaceCrop.arcface112.map { [Float($0.0 * 160 / 112), Float($0.1 * 160 / 112)] }
        let out = FaceCrop.aligned(img, landmarks: lm, size: 160)
        #expect(zip(out.pixels, pixels).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
    }

    @Test func marginCropGrowsTheBoxAndClipsToThePhoto() {
        let img = PixelImage(width: 100, height: 80, channels: 3, pixels: [UInt8](repeating: 200, count: 100 * 80 * 3))
        let out = FaceCrop.margin(img, box: [-10, 10, 60, 70], margin: 20, size: 160)
        #expect(out.width == 160 && out.height == 160 && out.channels == 3)
        #expect(out.pixels.allSatisfy { $0 == 200 }, "clipped to the photo: no black border")
    }
}
