import Testing
@testable import Inference

@Suite struct BLASCoreTests {
    @Test func onlyTheGenericFallbackIsReplacedAndOnlyByKernelsTheCPUHas() {
        #expect(BLASCore.replacement(current: "Prescott", avx512: true, avx2FMA: true) == "SkylakeX")
        #expect(BLASCore.replacement(current: "Prescott", avx512: false, avx2FMA: true) == "Haswell")
        #expect(BLASCore.replacement(current: "Prescott", avx512: false, avx2FMA: false) == nil)
        #expect(BLASCore.replacement(current: "Haswell", avx512: true, avx2FMA: true) == nil)
        #expect(BLASCore.replacement(current: "Zen", avx512: false, avx2FMA: true) == nil)
    }

    @Test func openBLASNamesTheKernelsItRuns() {
        #expect(!BLASCore.current.isEmpty && BLASCore.current != "unknown")
    }
}
