import Testing
@testable import Inference

struct OpsTests {
    func t(_ shape: [Int], _ v: [Float]) -> Tensor { Tensor(shape: shape, data: v) }

    @Test func conv2dMatchesAHandComputedCaseWithPaddingAndStride() {
        // 1×1×3×3 input 1…9, 2×2 kernel of ones, bias 0.5.
        let x = t([1, 1, 3, 3], (1...9).map(Float.init))
        let y = Ops.conv2d(x, t([1, 1, 2, 2], [1, 1, 1, 1]), t([1], [0.5]))
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.data == [12.5, 16.5, 24.5, 28.5])
        // Padding 1, stride 2, kernel 3×3 picking the centre: samples (0,0) (0,2) (2,0) (2,2).
        let centre = t([1, 1, 3, 3], [0, 0, 0, 0, 1, 0, 0, 0, 0])
        let z = Ops.conv2d(x, centre, nil, stride: 2, padding: 1)
        #expect(z.shape == [1, 1, 2, 2] && z.data == [1, 3, 7, 9])
    }

    @Test func conv2dWithPaddingWiderThanTheInputReadsOnlyInsideIt() {
        // 1×1 input, 3×3 kernel, padding 1: only the centre tap sees the pixel.
        let y = Ops.conv2d(t([1, 1, 1, 1], [5]), t([1, 1, 3, 3], [1, 1, 1, 1, 2, 1, 1, 1, 1]), nil, padding: 1)
        #expect(y.shape == [1, 1, 1, 1] && y.data == [10])
        // Stride 2 with padding over a 2×3 input: the im2col fast path against a hand count.
        let x = t([1, 1, 2, 3], [1, 2, 3, 4, 5, 6])
        let z = Ops.conv2d(x, t([1, 1, 3, 3], [Float](repeating: 1, count: 9)), t([1], [0.5]), stride: 2, padding: 1)
        #expect(z.shape == [1, 1, 1, 2] && z.data == [12.5, 16.5])
    }

    @Test func conv2dSumsOverInputChannelsAndSeparatesGroups() {
        let x = t([1, 2, 1, 2], [1, 2, 10, 20])
        let full = Ops.conv2d(x, t([1, 2, 1, 1], [1, 2]), nil)
        #expect(full.data == [21, 42])
        let depthwise = Ops.conv2d(x, t([2, 1, 1, 1], [3, -1]), t([2], [0, 1]), groups: 2)
        #expect(depthwise.data == [3, 6, -9, -19])
    }

    @Test func preluScalesOnlyNegativesPerChannel() {
        let y = Ops.prelu(t([1, 2, 1, 2], [-1, 2, -4, 4]), t([2], [0.5, 0.25]))
        #expect(y.data == [-0.5, 2, -1, 4])
        #expect(Ops.relu(t([3], [-1, 0, 2])).data == [0, 0, 2])
    }

    @Test func maxPoolCeilModeKeepsThePartialLastWindowLikePyTorch() {
        // 5 wide, kernel 2, stride 2: floor gives 2 windows, ceil gives 3 (last covers column 4 only).
        #expect(Ops.poolOutputSize(5, kernel: 2, stride: 2, padding: 0, ceilMode: false) == 2)
        #expect(Ops.poolOutputSize(5, kernel: 2, stride: 2, padding: 0, ceilMode: true) == 3)
        // MTCNN's 3×3/2 pooling: 22 → 11 with ceil (10 without); 4 → 2 (a window may not start past the edge).
        #expect(Ops.poolOutputSize(22, kernel: 3, stride: 2, padding: 0, ceilMode: true) == 11)
        #expect(Ops.poolOutputSize(4, kernel: 2, stride: 2, padding: 0, ceilMode: true) == 2)
        let x = t([1, 1, 1, 5], [1, 5, 2, 3, 9])
        #expect(Ops.maxPool2d(x, kernel: 2, stride: 2, ceilMode: true).data == [5, 3, 9])
    }

    @Test func linearUsesPyTorchWeightLayout() {
        let y = Ops.linear(t([2, 3], [1, 2, 3, 4, 5, 6]), t([2, 3], [1, 0, 0, 0, 1, 1]), t([2], [10, 20]))
        #expect(y.shape == [2, 2] && y.data == [11, 25, 14, 31])
    }

    @Test func softmaxNormalisesAlongTheGivenDimension() {
        let y = Ops.softmax(t([1, 2, 1, 2], [0, 1, 0, 1]), dim: 1)
        #expect(abs(y.data[0] - 0.5) < 1e-6 && abs(y.data[1] - 0.5) < 1e-6)
        let z = Ops.softmax(t([1, 2], [0, Float(3).squareRoot() * 0 + 1.0986123]), dim: 1)
        #expect(abs(z.data[0] - 0.25) < 1e-6 && abs(z.data[1] - 0.75) < 1e-6)
    }

    @Test func batchNormFoldsIntoTheConvolution() {
        let (w, b) = Ops.foldBatchNorm(weight: t([1, 1, 1, 1], [2]), bias: t([1], [1]), gamma: t([1], [3]),
                                       beta: t([1], [0.5]), mean: t([1], [1]), variance: t([1], [4]), epsilon: 0)
        // y = 3·(2x + 1 − 1)/2 + 0.5 = 3x + 0.5
        #expect(w.data == [3] && b.data == [0.5])
        #expect(Ops.globalAveragePool(t([1, 2, 1, 2], [1, 3, 5, 7])).data == [2, 6])
    }

    @Test func areaResizeAveragesAdaptiveCells() {
        let x = t([1, 1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Ops.resizeArea(x, height: 1, width: 2).data == [3.5, 5.5])
        // 3 → 2 overlaps the middle column: cells [0,2) and [1,3).
        #expect(Ops.resizeArea(t([1, 1, 1, 3], [0, 3, 6]), height: 1, width: 2).data == [1.5, 4.5])
    }

    @Test func bilinearResizeUsesHalfPixelCentres() {
        let y = Ops.resizeBilinear(t([1, 1, 1, 2], [0, 4]), height: 1, width: 4)
        #expect(y.data == [0, 1, 3, 4])
    }
}
