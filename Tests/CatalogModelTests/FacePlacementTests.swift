import Testing
@testable import CatalogModel

/// The placement rule without a database: every combination a stored face can be in.
struct FacePlacementTests {
    let placed = FacePlacement.Stored(split: .train, label: "happy", excluded: nil)

    @Test func aPlacedFaceKeepsItsSplitAndLabel() {
        #expect(FacePlacement.resolve(review: nil, stored: placed, sources: ["happy"], gate: nil)
                == FacePlacement(label: "happy", split: .train, excluded: nil))
    }

    @Test func aRelabelMovesTheLabelAtOnceAndKeepsTheSplit() {
        let r = FaceReview(action: .relabel, label: "sad", reviewer: "ann")
        #expect(FacePlacement.resolve(review: r, stored: placed, sources: ["happy"], gate: nil)
                == FacePlacement(label: "sad", split: .train, excluded: nil))
    }

    @Test func aRejectTakesTheFaceOutAtOnceAndAnUndoneRejectWaitsForTheNextSplit() {
        let reject = FaceReview(action: .reject, label: nil, reviewer: "ann")
        #expect(FacePlacement.resolve(review: reject, stored: placed, sources: ["happy"], gate: nil)
                == FacePlacement(label: "happy", split: nil, excluded: .rejected))
        // Left out for another reason already: that reason stays.
        let conflict = FacePlacement.Stored(split: nil, label: nil, excluded: .labelConflict)
        #expect(FacePlacement.resolve(review: reject, stored: conflict, sources: ["a", "b"], gate: nil).excluded == .labelConflict)
        // Split while rejected, the reject since undone.
        let wasRejected = FacePlacement.Stored(split: nil, label: "happy", excluded: .rejected)
        #expect(FacePlacement.resolve(review: nil, stored: wasRejected, sources: ["happy"], gate: nil)
                == FacePlacement(label: "happy", split: nil, excluded: .awaitingSplit))
    }

    @Test func theQualityGateOutranksEverythingStored() {
        let accept = FaceReview(action: .accept, label: "happy", reviewer: "ann")
        #expect(FacePlacement.resolve(review: accept, stored: placed, sources: ["happy"], gate: .blurry)
                == FacePlacement(label: "happy", split: nil, excluded: .blurry))
    }

    @Test func beforeAnySplitTheLabelIsTheSourcesWhenTheyAgree() {
        #expect(FacePlacement.resolve(review: nil, stored: nil, sources: ["sad"], gate: nil) == FacePlacement(label: "sad", split: nil, excluded: nil))
        #expect(FacePlacement.resolve(review: nil, stored: nil, sources: ["happy", "sad"], gate: nil).label == nil)
        #expect(FacePlacement.currentLabel(review: "angry", split: "sad", sources: ["happy"]) == "angry")
    }

    @Test func everyGateReasonIsAnExclusionAndImageLevelReasonsAreMarked() {
        for r in FaceRejection.allCases { #expect(Exclusion(r).rawValue == r.rawValue && !Exclusion(r).countsImages) }
        #expect(Exclusion.allCases.filter(\.countsImages) == [.duplicate, .notScanned, .unreadable, .noFace])
    }
}

struct ReviewOrderTests {
    @Test func conflictsComeFirstThenFlaggedThenTheLowestScoreThenTheFaceID() {
        let keys = [ReviewOrder(conflict: false, flagged: false, score: 0.1, faceID: 1),
                    ReviewOrder(conflict: false, flagged: true, score: 0.9, faceID: 2),
                    ReviewOrder(conflict: true, flagged: false, score: 0.99, faceID: 3),
                    ReviewOrder(conflict: false, flagged: false, score: 0.1, faceID: 0)]
        #expect(keys.sorted().map(\.faceID) == [3, 2, 0, 1])
    }
}
