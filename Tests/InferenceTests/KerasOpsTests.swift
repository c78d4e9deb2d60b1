import Testing
@testable import Inference

struct KerasOpsTests {
    @Test func depthwiseConvFiltersEachChannelWithItsOwnKernelAndZeroPadding() {
        // Two 2×2 channels; channel 0's kernel sums its 3×3 neighbourhood, channel 1's takes the centre ×2.
        let x = Tensor(shape: [1, 2, 2, 2], data: [1, 2, 3, 4, 10, 20, 30, 40])
        var k = Tensor(zeros: [2, 1, 3, 3])
        for i in 0..<9 { k.data[i] = 1 }
        k[1, 0, 1, 1] = 2
        let y = Ops.depthwiseConv2d(x, k, padding: 1)
        #expect(y.shape == [1, 2, 2, 2])
        #expect(y.data == [10, 10, 10, 10, 20, 40, 60, 80])
    }

    @Test func samePaddingPutsTheOddPixelAtTheEnd() {
        #expect(Ops.samePadding(60, kernel: 3, stride: 2) == (30, 0))
        #expect(Ops.samePadding(15, kernel: 3, stride: 2) == (8, 1))
        #expect(Ops.samePadding(8, kernel: 1, stride: 2) == (4, 0))
    }

    @Test func sameMaxPoolIgnoresPaddingAndCoversTheLastRow() {
        // 3×3 input, 3×3 window, stride 2: out 2×2; total padding 2 → one before, one after.
        let x = Tensor(shape: [1, 1, 3, 3], data: [-1, -2, -3, -4, -5, -6, -7, -8, -9])
        let y = Ops.maxPool2dSame(x, kernel: 3, stride: 2)
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.data == [-1, -2, -4, -5])
    }

    @Test func reluAndAddInPlace() {
        var a = Tensor(shape: [1, 1, 1, 3], data: [-1, 0, 2])
        Ops.reluInPlace(&a)
        #expect(a.data == [0, 0, 2])
        Ops.addInPlace(&a, Tensor(shape: [1, 1, 1, 3], data: [1, 1, 1]))
        #expect(a.data == [1, 1, 3])
    }
}
