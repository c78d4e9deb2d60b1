import CurateCore
import Imaging
import Testing
@testable import Score

/// Synthetic faces: `people` groups of `perPerson` faces; each person has an identity vector
/// shared by all their faces (as a face network's features would be).
private func faces(people: Int, perPerson: Int, dims: Int, seed: UInt64, label: (Int) -> Int)
    -> (x: [[Float]], y: [Int], groups: [String]) {
    var rng = SplitMix(seed: seed)
    func uniform() -> Float { Float(rng.next() % 1_000_000) / 1_000_000 * 2 - 1 }
    var x: [[Float]] = [], y: [Int] = [], groups: [String] = []
    for p in 0..<people {
        let identity = (0..<dims).map { _ in uniform() * 3 }
        for _ in 0..<perPerson {
            x.append(identity.map { $0 + uniform() * 0.3 })
            y.append(label(p))
            groups.append("person\(p)")
        }
    }
    return (x, y, groups)
}

struct RecipeSelectionTests {
    /// The planted leak: every person's label is random, so nothing about a face predicts it,
    /// but all of a person's faces share the label and nearly the same features. A selector
    /// that let a face's own group (hence its own label) into the fit scoring it would score
    /// far above chance; the grouped one must not.
    @Test func aPlantedLabelLeakGivesChanceAccuracy() {
        var labels = SplitMix(seed: 7)
        let personLabel = (0..<120).map { _ in Int(labels.next() % 3) }
        let d = faces(people: 120, perPerson: 4, dims: 160, seed: 1) { personLabel[$0] }
        let outputs = [RecipeSelection.Outputs(recipe: InputRecipe(crop: .aligned), defaultProbs: d.x.map { _ in [0.4, 0.3, 0.3] },
                                               features: d.x)]
        let grouped = GroupedFolds(groups: d.groups, labels: d.y.map(String.init), folds: 5, seed: 0)
        let r = RecipeSelection.run(outputs, y: d.y, classes: 3, folds: grouped, l2: 1, l2Candidates: [1, 100])
        #expect(r.rows[0].trainedAccuracy < 0.45, "grouped out-of-fold accuracy \(r.rows[0].trainedAccuracy)")
        #expect(r.nestedTrainedAccuracy < 0.45, "nested accuracy \(r.nestedTrainedAccuracy)")

        // The same data with folds that ignore the groups (each face its own group) does leak:
        // this is what the test would catch.
        let leaky = GroupedFolds(groups: d.groups.indices.map { "face\($0)" }, labels: d.y.map(String.init), folds: 5, seed: 0)
        let l = RecipeSelection.run(outputs, y: d.y, classes: 3, folds: leaky, l2: 1, l2Candidates: [1])
        #expect(l.rows[0].trainedAccuracy > 0.8, "face-level folds \(l.rows[0].trainedAccuracy)")
    }

    @Test func foldsKeepGroupsWholeAndEveryFoldHasEveryLabel() {
        let d = faces(people: 60, perPerson: 3, dims: 2, seed: 2) { $0 % 3 }
        let f = GroupedFolds(groups: d.groups, labels: d.y.map(String.init), folds: 5, seed: 3)
        for (g, i) in zip(d.groups, f.fold) { #expect(f.fold[d.groups.firstIndex(of: g)!] == i) }
        for k in 0..<5 { #expect(Set(f.indices(k).test.map { d.y[$0] }) == [0, 1, 2]) }
    }

    @Test func theBetterRecipeIsChosenAndTheChoiceIsDeterministic() {
        // Recipe B's features carry the label; recipe A's are noise.
        let d = faces(people: 90, perPerson: 2, dims: 4, seed: 4) { $0 % 3 }
        var rng = SplitMix(seed: 9)
        let noise: [[Float]] = d.x.map { r in r.map { _ in Float(rng.next() % 1000) / 1000 } }
        let signal: [[Float]] = zip(d.x, d.y).map { r, y in r + [Float(y) * 2 + Float(rng.next() % 1000) / 1000] }
        let probs: [[Float]] = d.y.map { _ in [Float(1) / 3, 1 / 3, 1 / 3] }
        let a = RecipeSelection.Outputs(recipe: InputRecipe(crop: .margin), defaultProbs: probs, features: noise)
        let b = RecipeSelection.Outputs(recipe: InputRecipe(crop: .context, flip: true), defaultProbs: probs, features: signal)
        let folds = GroupedFolds(groups: d.groups, labels: d.y.map(String.init), folds: 5, seed: 0)
        let r1 = RecipeSelection.run([a, b], y: d.y, classes: 3, folds: folds, l2: 1, l2Candidates: [1, 10])
        let r2 = RecipeSelection.run([a, b], y: d.y, classes: 3, folds: folds, l2: 1, l2Candidates: [1, 10])
        #expect(r1.bestIndex == 1 && r1.best == "context area luma flip")
        #expect(InputRecipe(crop: .margin, margin: 40).description == "margin 40 area luma")
        #expect(r1.nestedTrainedAccuracy > 0.9)
        #expect(r1 == r2)
    }
}

struct CalibrationTests {
    @Test func anOverconfidentModelGetsATemperatureAboveOne() {
        // Right 70% of the time, but always 0.99 sure.
        var probs: [[Float]] = [], y: [Int] = []
        for i in 0..<200 {
            let predicted = i % 2
            probs.append(predicted == 0 ? [0.99, 0.01] : [0.01, 0.99])
            y.append(i % 10 < 7 ? predicted : 1 - predicted)
        }
        let t = Temperature.fit(probs, y)
        #expect(t > 2)
        // Calibrated: the likeliest class keeps ~0.7.
        let p = Temperature.apply([0.99, 0.01], t)
        #expect(abs(p[0] - 0.7) < 0.02, "\(p)")
        #expect(Temperature.apply([0.99, 0.01], t)[0] > 0.5, "the likeliest class is kept")
    }

    @Test func groupBootstrapIsDeterministicAndCoversTheEstimate() {
        let groups = (0..<200).map { "g\($0 / 4)" }
        let right = (0..<200).map { $0 % 5 != 0 }
        let b = GroupBootstrap(resamples: 500, seed: 1)
        let stat: ([Int]) -> Double? = { idx in Double(idx.count { right[$0] }) / Double(idx.count) }
        let i1 = b.interval(groups: groups, stat), i2 = b.interval(groups: groups, stat)
        #expect(i1 == i2)
        #expect(i1!.contains(0.8) && i1!.lowerBound > 0.7 && i1!.upperBound < 0.9)
    }

    @Test func reportsPrecisionRecallAndConfusionIntervals() {
        let given = [0, 0, 0, 1, 1, 1, 2, 2], predicted = [0, 0, 1, 1, 1, 1, 2, 0]
        let s = TrainReport.scores(given, predicted, labels: ["a", "b", "c"], groups: given.indices.map { "p\($0)" },
                                   bootstrap: GroupBootstrap(resamples: 200))
        #expect(s.perClass["a"] == 2.0 / 3 && s.precision?["a"] == 2.0 / 3 && s.precision?["b"] == 0.75)
        #expect(s.confusion == [[2, 1, 0], [0, 3, 0], [1, 0, 1]])
        #expect(s.intervals?.accuracy.count == 2)
        #expect(s.intervals?.confusionRate[0][0].count == 2)
    }
}

struct InputRecipeTests {
    @Test func keysOfEarlierRecipesAreUnchanged() {
        #expect(InputRecipe(crop: .stored, resize: .area).key == "area")
        #expect(InputRecipe(crop: .aligned, zoom: 0.8, resize: .bilinear).key == "bilinear:zoom0.8")
        #expect(InputRecipe(crop: .context, gray: .equalized, flip: true).key == "area:context:eq:flip")
        #expect(Set(InputRecipe.candidates.map(\.key)).count == InputRecipe.candidates.count)
        #expect(!InputRecipe.candidates.contains { $0.crop == .photo })
    }

    @Test func mirrorAndEqualisation() {
        let side = MiniXception.inputSize
        let x = (0..<(side * side)).map { Float($0 % side) }
        let m = FaceInput.mirrored(x[...])
        #expect(m[0] == Float(side - 1) && m[side - 1] == 0)
        let g = PixelImage(width: 4, height: 1, channels: 1, pixels: [10, 10, 20, 30])
        #expect(FaceInput.equalized(g).pixels == [0, 0, 128, 255])
    }

    @Test func contextCropIsSquareAndBlackBeyondThePhoto() {
        let photo = PixelImage(width: 10, height: 10, channels: 1, pixels: [UInt8](repeating: 200, count: 100))
        let c = FaceInput.context(photo, box: [0, 0, 4, 6], grow: 1.5)
        #expect(c.width == 9 && c.height == 9)
        #expect(c.pixels[0] == 0 && c.pixels[8 * 9 + 8] == 200)
    }
}
