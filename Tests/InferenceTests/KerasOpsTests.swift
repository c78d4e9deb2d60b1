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

    @Test func depthwiseConvEqualsAGroupedConvolutionOnOddSizes() {
        var rng = SystemRandomNumberGenerator()
        for (h, w) in [(13, 21), (9, 9), (3, 17), (30, 30)] {
            let x = Tensor(shape: [2, 3, h, w], data: (0..<(6 * h * w)).map { _ in Float.random(in: -1...1, using: &rng) })
            let k = Tensor(shape: [3, 1, 3, 3], data: (0..<27).map { _ in Float.random(in: -1...1, using: &rng) })
            let fast = Ops.depthwiseConv2d(x, k, padding: 1), ref = Ops.conv2d(x, k, nil, padding: 1, groups: 3)
            #expect(fast.shape == ref.shape)
            #expect(zip(fast.data, ref.data).allSatisfy { abs($0 - $1) < 1e-5 }, "\(h)x\(w)")
        }
    }

    @Test func sameMaxPoolEqualsABruteForceMaxOverItsWindow() {
        var rng = SystemRandomNumberGenerator()
        for (h, w) in [(15, 15), (8, 11), (60, 60)] {
            let x = Tensor(shape: [1, 2, h, w], data: (0..<(2 * h * w)).map { _ in Float.random(in: -1...1, using: &rng) })
            let y = Ops.maxPool2dSame(x, kernel: 3, stride: 2)
            let (oh, py) = Ops.samePadding(h, kernel: 3, stride: 2), (ow, px) = Ops.samePadding(w, kernel: 3, stride: 2)
            for c in 0..<2 { for oy in 0..<oh { for ox in 0..<ow {
                var m = -Float.infinity
                for yy in (oy * 2 - py)..<(oy * 2 - py + 3) where yy >= 0 && yy < h {
                    for xx in (ox * 2 - px)..<(ox * 2 - px + 3) where xx >= 0 && xx < w { m = max(m, x[0, c, yy, xx]) }
                }
                #expect(y[0, c, oy, ox] == m)
            } } }
        }
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
