import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport

/// A near-duplicate cluster whose copies carry different labels (the shared review workspace
/// holds one): listed, reported, scored, queued first, and settled by a reviewer's label.
@Suite(.serialized, .enabled(if: ReviewWorkspace.ready, Comment(rawValue: ReviewWorkspace.why)))
struct LabelConflictTests {
    @Test func aConflictIsListedQueuedFirstAndSettledByAReviewerThenPlacedBySplit() throws {
        let ws = try ReviewWorkspace.copy("conflict")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        let listed = try ReviewWorkspace.curate(ws, "dedup", "--list")
        #expect(listed.contains("1 label conflict (") && listed.contains("LABEL CONFLICT"), "\(listed)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ReviewWorkspace.curate(ws, "dedup", "--list", "--json").utf8)) as? [String: Any])
        let conflicts = try #require(json["conflicts"] as? [[String: Any]])
        #expect(conflicts.count == 1)
        let labels = try #require(conflicts.first?["labels"] as? [String])
        #expect(labels.count == 2 && (conflicts.first?["members"] as? [[String: Any]])?.count == 2)
        #expect(((conflicts.first?["members"] as? [[String: Any]])?.flatMap { ($0["sources"] as? [[String: Any]]) ?? [] } ?? [])
                .allSatisfy { $0["url"] is String && $0["list_file"] is String && $0["line"] is Int })

        // Scored and first in the queue, with its candidate labels and no given label.
        let catalog = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing)
        let first = try #require(try catalog.reviewQueue(ReviewQuery(limit: 1)).items.first)
        #expect(first.candidates == labels && first.label == nil && first.scoredLabel == nil, "\(first)")
        let before = try catalog.status().excluded["label_conflict"] ?? 0
        #expect(before >= 1)
        #expect(try catalog.faceExportRows().first { $0.faceID == first.faceID }?.excluded == .labelConflict)

        // A reviewer's label settles it: it leaves the conflict queue, and split places it.
        _ = try catalog.recordReview(faceID: first.faceID, action: .relabel, label: labels[1], reviewer: "tester")
        _ = try ReviewWorkspace.curate(ws, "split")
        let placed = try #require(try catalog.faceExportRows().first { $0.faceID == first.faceID })
        #expect(placed.split != nil && placed.label == labels[1] && placed.excluded == nil, "\(placed)")
        #expect((try catalog.status().excluded["label_conflict"] ?? 0) == before - 1)
        #expect(try ReviewWorkspace.curate(ws, "dedup", "--list").contains("1 of 1 face settled by review"))
        _ = try ReviewWorkspace.curate(ws, "score", "--models", ReviewWorkspace.models)
        #expect(try catalog.reviewQueue(ReviewQuery(all: true, limit: 500)).items.allSatisfy { $0.candidates == nil })

        let out = ws.deletingLastPathComponent().appendingPathComponent("report.html")
        _ = try ReviewWorkspace.curate(ws, "report", "--out", out.path)
        let html = try String(contentsOf: out, encoding: .utf8)
        #expect(html.contains("<h2>Label conflicts</h2>") && html.contains("1 of 1 face settled") && html.contains("<b>\(labels[0])</b>"))
    }
}
