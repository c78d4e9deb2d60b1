import CurateCore
import Testing

struct SplitRatioTests {
    @Test(arguments: [("70/15/15", ["train", "val", "test"], [0.7, 0.15, 0.15]),
                      ("80/20", ["train", "test"], [0.8, 0.2]),
                      ("0.7/0.15/0.15", ["train", "val", "test"], [0.7, 0.15, 0.15]),
                      (" 60 / 20 / 20 ", ["train", "val", "test"], [0.6, 0.2, 0.2])])
    func acceptsPercentagesAndFractions(text: String, names: [String], shares: [Double]) throws {
        let r = try SplitRatio(text)
        #expect(r.names.map(\.rawValue) == names)
        #expect(zip(r.shares, shares).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test(arguments: ["70/30/0", "100", "50/25/15/10", "70/20", "0.7/0.2", "a/b", "70//30", "-10/110", "", "nan/50/50"])
    func rejectsAnythingElseWithAMessage(text: String) {
        #expect(throws: CurateError.self) { try SplitRatio(text) }
    }

    @Test func printsAsPercentages() throws {
        #expect(try SplitRatio("0.7/0.15/0.15").description == "70/15/15")
        #expect(try SplitRatio("80/20").description == "80/20")
        #expect(try SplitRatio("62.5/37.5").description == "62.5/37.5")
    }

    @Test func pipelineFileSetsRatioAndSeed() throws {
        let p = try PipelineConfig.parse("labels: [{name: a}]\nsplit: {ratio: 80/20, seed: 7}\n")
        #expect(p.split.ratio == (try SplitRatio("80/20")) && p.split.seed == 7)
        #expect(throws: CurateError.self) { try PipelineConfig.parse("labels: [{name: a}]\nsplit: {ratio: 80/30}\n") }
    }
}
