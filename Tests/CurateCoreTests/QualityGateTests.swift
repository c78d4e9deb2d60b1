import Testing
@testable import CurateCore

struct QualityGateTests {
    let good = FaceQuality(size: 200, inside: 1, sharpness: 300, brightness: 110)

    @Test func aFaceThatPassesEveryCheckIsKept() {
        #expect(QualityGate().verdict(good) == nil)
    }

    @Test func eachMeasurementBelowItsThresholdGivesItsReason() {
        let g = QualityGate()
        var q = good; q.size = g.minSize - 1
        #expect(g.verdict(q) == .tooSmall)
        q = good; q.inside = g.minInside - 0.01
        #expect(g.verdict(q) == .outOfFrame)
        q = good; q.sharpness = g.minSharpness - 1
        #expect(g.verdict(q) == .blurry)
        q = good; q.brightness = g.minBrightness - 1
        #expect(g.verdict(q) == .tooDark)
        q = good; q.brightness = g.maxBrightness + 1
        #expect(g.verdict(q) == .tooBright)
    }

    @Test func theFirstFailingCheckInReasonOrderIsTheOneStored() {
        let bad = FaceQuality(size: 5, inside: 0.1, sharpness: 0, brightness: 2)
        #expect(QualityGate().verdict(bad) == .tooSmall)
        var g = QualityGate(); g.minSize = 0
        #expect(g.verdict(bad) == .outOfFrame)
        #expect(FaceRejection.allCases.sorted() == FaceRejection.allCases)
    }

    @Test func zeroThresholdsTurnChecksOff() throws {
        let c = try PipelineConfig.parse("""
            labels: [{name: a}]
            faces:
              quality: {min_size: 0, min_inside: 0, min_sharpness: 0, min_brightness: 0, max_brightness: 255}
            """)
        #expect(c.faces.quality.verdict(FaceQuality(size: 1, inside: 0, sharpness: 0, brightness: 0)) == nil)
        #expect(c.faces.quality.verdict(FaceQuality(size: 1, inside: 0, sharpness: 0, brightness: 255)) == nil)
    }

    @Test func missingKeysKeepTheirDefaultsAndBadValuesAreClearErrors() throws {
        let c = try PipelineConfig.parse("labels: [{name: a}]\nfaces: {quality: {min_size: 40}}\n")
        #expect(c.faces.quality.minSize == 40 && c.faces.quality.minSharpness == QualityGate().minSharpness)
        #expect { try PipelineConfig.parse("labels: [{name: a}]\nfaces: {quality: {min_inside: 2}}\n", source: "p.yml") } throws: {
            "\($0)".contains("p.yml") && "\($0)".contains("faces.quality.min_inside")
        }
        #expect { try PipelineConfig.parse("labels: [{name: a}]\nfaces: {quality: {min_brightness: 200, max_brightness: 100}}\n") } throws: {
            "\($0)".contains("max_brightness")
        }
    }
}
