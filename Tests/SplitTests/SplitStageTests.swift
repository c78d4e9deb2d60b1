import CurateCore
import Foundation
import Testing
@testable import Split

/// The stage over real SQLite catalogs with random shapes.
struct SplitStageTests {
    static let labels = try! LabelSet(RandomCatalog.labels.map { LabelSpec(name: $0) })

    /// split -> faces, checking on the way that no group (nor photo, nor cluster) spans two splits.
    static func checkGroupsWhole(_ rows: [FaceExportRow], clusters: [ClusterRecord]) {
        var byGroup: [String: Set<SplitName>] = [:], byImage: [String: Set<SplitName>] = [:]
        for r in rows {
            guard let split = r.split else { continue }
            byGroup[r.group!, default: []].insert(split)
            byImage[r.imageSHA256, default: []].insert(split)
        }
        #expect(byGroup.values.allSatisfy { $0.count == 1 })
        #expect(byImage.values.allSatisfy { $0.count == 1 })
        for c in clusters {
            #expect(Set(c.members.flatMap { byImage[$0] ?? [] }).count <= 1, "cluster \(c.id) spans splits")
        }
    }

    /// Per label, every split within the label's largest group of its exact share.
    static func checkBound(_ rows: [FaceExportRow], ratio: SplitRatio) {
        let placed = rows.filter { $0.split != nil }
        for label in Set(placed.compactMap(\.label)) {
            let faces = placed.filter { $0.label == label }
            let largest = Dictionary(grouping: faces, by: { $0.group! }).values.map(\.count).max()!
            for (s, name) in ratio.names.enumerated() {
                let n = faces.count { $0.split == name }
                #expect(abs(Double(n) - ratio.shares[s] * Double(faces.count)) <= Double(largest),
                        "\(label)/\(name): \(n) of \(faces.count), largest group \(largest)")
            }
        }
    }

    @Test func randomCatalogsSplitWholeGroupsCloseToTheRatioWithEveryExclusionCounted() throws {
        for trial in 0..<12 {
            var c = try RandomCatalog(seed: UInt64(trial))
            defer { c.remove() }
            try c.add(Int(50 + c.rng.next() % 250))
            let settings = SplitSettings(ratio: try SplitRatio(trial % 2 == 0 ? "70/15/15" : "80/20"), seed: UInt64(trial))
            let summary = try SplitStage(catalog: c.catalog, labels: Self.labels).run(settings)
            let rows = try c.catalog.faceExportRows()
            #expect(rows.allSatisfy { ($0.split == nil) != ($0.excluded == nil) })
            Self.checkGroupsWhole(rows, clusters: c.clusters)
            Self.checkBound(rows, ratio: settings.ratio)
            #expect(summary.excluded == c.expected, "trial \(trial)")
            let status = try c.catalog.status()
            #expect(status.excluded == c.expected)
            #expect(status.splits == Dictionary(uniqueKeysWithValues: summary.counts.map { ($0.key.rawValue, $0.value) }))
        }
    }

    @Test func rerunsChangeNothingAndNewDataKeepsEveryEarlierAssignment() throws {
        var c = try RandomCatalog(seed: 100)
        defer { c.remove() }
        try c.add(200)
        let stage = SplitStage(catalog: c.catalog, labels: Self.labels)
        let settings = SplitSettings(ratio: try SplitRatio("70/15/15"), seed: 9)
        _ = try stage.run(settings)
        let first = try c.catalog.faceExportRows()
        let again = try stage.run(settings)
        #expect(try c.catalog.faceExportRows() == first)
        #expect(again.newGroups == 0 && again.movedFaces == 0)

        try c.add(300)
        let third = try stage.run(settings)
        let after = try c.catalog.faceExportRows()
        let before = Dictionary(uniqueKeysWithValues: first.map { ($0.faceID, $0.split) })
        // Copies added later can turn an earlier photo's cluster into a label conflict, which
        // takes it out; every face still placed keeps its split.
        for r in after where r.split != nil { if let old = before[r.faceID], let old { #expect(r.split == old) } }
        #expect(third.newGroups > 0 && third.movedFaces == 0)
        Self.checkGroupsWhole(after, clusters: c.clusters)
        Self.checkBound(after, ratio: settings.ratio)
    }

    @Test func sameCatalogAndSeedGiveTheSameSplitAndAnotherSeedAnother() throws {
        var a = try RandomCatalog(seed: 7), b = try RandomCatalog(seed: 7)
        defer { a.remove(); b.remove() }
        try a.add(150); try b.add(150)
        let s = SplitSettings(ratio: try SplitRatio("70/15/15"), seed: 1)
        _ = try SplitStage(catalog: a.catalog, labels: Self.labels).run(s)
        _ = try SplitStage(catalog: b.catalog, labels: Self.labels).run(s)
        let ra = try a.catalog.faceExportRows(), rb = try b.catalog.faceExportRows()
        #expect(ra.map(\.split) == rb.map(\.split))
        _ = try SplitStage(catalog: b.catalog, labels: Self.labels).run(SplitSettings(ratio: s.ratio, seed: 2), reshuffle: true)
        #expect(try b.catalog.faceExportRows().map(\.split) != ra.map(\.split))
    }

    @Test func aPhotoFoundToBeACopyLeavesItsSplitWhileItsOriginalStays() throws {
        var c = try RandomCatalog(seed: 5)
        defer { c.remove() }
        // Two photos, 3 faces and 1 face, with the same label.
        let big = try c.fetch(labels: ["happy"]), small = try c.fetch(labels: ["happy"])
        try c.catalog.recordFaceScans([c.scan(big, faces: 3), c.scan(small, faces: 1)])
        let stage = SplitStage(catalog: c.catalog, labels: Self.labels)
        // 50/50: the two photos land in different splits.
        let settings = SplitSettings(ratio: try SplitRatio("50/50"), seed: 0)
        _ = try stage.run(settings)
        let rows = try c.catalog.faceExportRows()
        let bigSplit = rows.first { $0.imageSHA256 == big }!.split
        #expect(bigSplit != rows.first { $0.imageSHA256 == small }!.split)
        // dedup later finds them near-duplicates: one group, with the big photo canonical.
        try c.catalog.replaceClusters([ClusterRecord(id: 1, members: [big, small], canonical: big, labels: ["happy"])], threshold: 4)
        _ = try stage.run(settings)
        let after = try c.catalog.faceExportRows()
        #expect(after.filter { $0.imageSHA256 == small }.allSatisfy { $0.excluded == .duplicate })
        #expect(Set(after.filter { $0.imageSHA256 == big }.map(\.split)) == [bigSplit])
    }

    @Test func anotherRatioWithoutReshuffleIsRefusedAndRecordsNothing() throws {
        var c = try RandomCatalog(seed: 3)
        defer { c.remove() }
        try c.add(40)
        let stage = SplitStage(catalog: c.catalog, labels: Self.labels)
        _ = try stage.run(SplitSettings(ratio: try SplitRatio("70/15/15"), seed: 0))
        let before = try c.catalog.faceExportRows()
        #expect(throws: CurateError.self) { try stage.run(SplitSettings(ratio: try SplitRatio("80/20"), seed: 0)) }
        #expect(throws: CurateError.self) { try stage.run(SplitSettings(ratio: try SplitRatio("70/15/15"), seed: 1)) }
        #expect(try c.catalog.faceExportRows() == before)
        let reshuffled = try stage.run(SplitSettings(ratio: try SplitRatio("80/20"), seed: 0), reshuffle: true)
        #expect(Set(reshuffled.counts.keys).isSubset(of: [.train, .test]))
    }
}
