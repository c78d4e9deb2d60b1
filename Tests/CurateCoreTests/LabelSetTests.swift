import Testing
@testable import CurateCore

struct LabelSetTests {
    @Test func aliasesNormaliseCaseInsensitively() throws {
        let set = try LabelSet([LabelSpec(name: "angry", aliases: ["anger"]), LabelSpec(name: "happy", aliases: ["Happiness"])])
        #expect(try set.normalize(" ANGER ") == "angry")
        #expect(try set.normalize("happiness") == "happy")
        #expect(try set.normalize("happy") == "happy")
    }

    @Test func unknownLabelErrorNamesTheAllowedOnes() throws {
        let set = try LabelSet([LabelSpec(name: "angry"), LabelSpec(name: "sad")])
        #expect { try set.normalize("bored") } throws: { "\($0)".contains("allowed: angry, sad") }
    }

    @Test func anAliasClaimedByTwoLabelsIsRejected() {
        #expect(throws: CurateError.self) {
            try LabelSet([LabelSpec(name: "angry", aliases: ["upset"]), LabelSpec(name: "sad", aliases: ["upset"])])
        }
    }
}
