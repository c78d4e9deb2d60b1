import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport

/// Review decisions through the catalog: what they change in export, scoring, status and split.
@Suite(.enabled(if: ReviewWorkspace.ready, Comment(rawValue: ReviewWorkspace.why)))
struct ReviewDecisionTests {
    func exported(_ ws: URL) throws -> [Int64: [String: Any]] {
        let lines = try ReviewWorkspace.curate(ws, "export", "--format", "jsonl").split(separator: "\n")
        var out: [Int64: [String: Any]] = [:]
        for l in lines {
            let o = try JSONSerialization.jsonObject(with: Data(l.utf8)) as! [String: Any]
            out[(o["face_id"] as! NSNumber).int64Value] = o
        }
        return out
    }

    @Test func relabelAcceptRejectAndUndoShowEverywhereAtOnce() throws {
        let ws = try ReviewWorkspace.copy("review-decide")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        let catalog = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing)
        let labels = ["angry", "happy", "sad"]
        let queue = try catalog.reviewQueue(ReviewQuery(limit: 1000))
        #expect(queue.total == queue.items.count && queue.items.count > 10)
        // Label conflicts first, then flagged faces, then lowest self-confidence.
        let keys = queue.items.map { ($0.candidates != nil ? 0 : 1, $0.flagged ? 0 : 1, $0.selfConfidence) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(queue.items.first?.candidates != nil, "the workspace's one conflict comes first")
        let labelled = queue.items.filter { $0.candidates == nil }
        let (f0, f1, f2) = (labelled[0], labelled[1], labelled[2])
        let before = try catalog.status()
        let newLabel: String = labels.first { $0 != f0.label }!

        let e0 = try catalog.recordReview(faceID: f0.faceID, action: .relabel, label: newLabel, reviewer: "ann")
        #expect(e0.oldLabel == f0.label && e0.newLabel == newLabel)
        let e1 = try catalog.recordReview(faceID: f1.faceID, action: .accept, label: nil, reviewer: "ann")
        #expect(e1.oldLabel == f1.label && e1.newLabel == f1.label)
        _ = try catalog.recordReview(faceID: f2.faceID, action: .reject, label: nil, reviewer: "ann")

        var rows = try exported(ws)
        #expect(rows[f0.faceID]?["label"] as? String == newLabel)
        #expect(rows[f1.faceID]?["label"] as? String == f1.label)
        #expect(rows[f0.faceID]?["reviewed"] as? String == "relabel" && rows[f1.faceID]?["reviewed"] as? String == "accept")
        #expect(rows[f2.faceID]?["excluded"] as? String == "rejected" && rows[f2.faceID]?["split"] is NSNull)
        // Status: the relabel moved one face between labels of its split; the reject left it.
        let after = try catalog.status()
        #expect(after.reviewed == ["relabel": 1, "accept": 1, "reject": 1])
        #expect(after.excluded["rejected"] == 1)
        let placed = { (s: CatalogStatus) in s.splits.values.flatMap(\.values).reduce(0, +) }
        #expect(placed(after) == placed(before) - 1)
        // ...and agrees with the export face by face.
        var counted: [String: [String: Int]] = [:]
        for r in rows.values { if let s = r["split"] as? String { counted[s, default: [:]][r["label"] as! String, default: 0] += 1 } }
        #expect(counted == after.splits)

        // Reviewed faces leave the default queue; --all keeps them.
        let open = try catalog.reviewQueue(ReviewQuery(limit: 1000)).items.map(\.faceID)
        #expect(!open.contains(f0.faceID) && !open.contains(f1.faceID) && !open.contains(f2.faceID))
        #expect(try catalog.reviewQueue(ReviewQuery(all: true, limit: 1000)).total == queue.total)
        #expect(try catalog.reviewQueue(ReviewQuery(label: newLabel, all: true, limit: 1000)).items.contains { $0.faceID == f0.faceID })

        // Undo takes back the reviewer's latest decision only; another reviewer has nothing to undo.
        #expect(try catalog.undoLastReview(reviewer: "bob") == nil)
        let undo = try #require(try catalog.undoLastReview(reviewer: "ann"))
        #expect(undo.faceID == f2.faceID && undo.action == .undo)
        rows = try exported(ws)
        #expect(rows[f2.faceID]?["excluded"] is NSNull && rows[f2.faceID]?["split"] as? String == f2.split?.rawValue)
        #expect(try catalog.reviewQueue(ReviewQuery(limit: 1000)).items.contains { $0.faceID == f2.faceID })

        // The history keeps every row, the undo naming what it took back.
        let history = try catalog.reviewHistory()
        #expect(history.map(\.action) == [.relabel, .accept, .reject, .undo])
        #expect(history[3].undoes == history[2].id && history.allSatisfy { $0.reviewer == "ann" })

        #expect(throws: CurateError.self) { try catalog.recordReview(faceID: 999_999, action: .reject, label: nil, reviewer: "ann") }
    }

    @Test func pagesFollowTheQueueOrderWhileDecisionsAreMade() throws {
        let ws = try ReviewWorkspace.copy("review-pages")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        let catalog = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing)
        for rank in ScoreSettings.RankBy.allCases {
            let full = try catalog.reviewQueue(ReviewQuery(all: true, rankBy: rank, limit: 10_000)).items.map(\.faceID)
            var paged: [Int64] = []
            var after: Int64?
            repeat {
                let page = try catalog.reviewQueue(ReviewQuery(all: true, rankBy: rank, after: after, limit: 7))
                #expect((page.total == nil) == (after != nil))
                paged += page.items.map(\.faceID)
                after = page.items.last?.faceID
                if page.items.count < 7 { break }
            } while true
            #expect(paged == full, "\(rank)")
        }
        // A decision on the first page does not shift the second (the reviewed face leaves the default queue).
        let full = try catalog.reviewQueue(ReviewQuery(limit: 10_000)).items.map(\.faceID)
        let first = try catalog.reviewQueue(ReviewQuery(limit: 7)).items
        _ = try catalog.recordReview(faceID: first[0].faceID, action: .reject, label: nil, reviewer: "ann")
        let second = try catalog.reviewQueue(ReviewQuery(after: first.last!.faceID, limit: 7)).items.map(\.faceID)
        #expect(second == Array(full[7..<14]))
    }

    @Test func splitKeepsReviewerLabelsAndLeavesRejectedFacesOut() throws {
        let ws = try ReviewWorkspace.copy("review-split")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        let catalog = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing)
        let items = try catalog.reviewQueue(ReviewQuery(limit: 1000)).items.filter { $0.candidates == nil }
        let (f0, f2) = (items[0], items[1])
        let newLabel: String = ["angry", "happy", "sad"].first { $0 != f0.label }!
        _ = try catalog.recordReview(faceID: f0.faceID, action: .relabel, label: newLabel, reviewer: "ann")
        _ = try catalog.recordReview(faceID: f2.faceID, action: .reject, label: nil, reviewer: "ann")
        _ = try ReviewWorkspace.curate(ws, "split")

        var rows = try exported(ws)
        #expect(rows[f0.faceID]?["label"] as? String == newLabel && rows[f0.faceID]?["split"] as? String == f0.split?.rawValue)
        #expect(rows[f2.faceID]?["excluded"] as? String == "rejected")
        #expect(try catalog.status().excluded["rejected"] == 1)

        // The ImageFolder tree follows: the relabelled crop sits under its new label, the rejected one is gone.
        let out = ws.deletingLastPathComponent().appendingPathComponent("export")
        _ = try ReviewWorkspace.curate(ws, "export", "--format", "imagefolder", "--out", out.path)
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: out.appendingPathComponent("\(f0.split!)/\(newLabel)/\(f0.faceID).png").path))
        #expect(!fm.fileExists(atPath: out.appendingPathComponent("\(f0.split!)/\(f0.label ?? "")/\(f0.faceID).png").path))
        let all = fm.enumerator(atPath: out.path)!.compactMap { $0 as? String }
        #expect(!all.contains { $0.hasSuffix("/\(f2.faceID).png") })

        // Undoing the reject: the face waits for the next split, which places it again.
        _ = try catalog.undoLastReview(reviewer: "ann")
        rows = try exported(ws)
        #expect(rows[f2.faceID]?["excluded"] as? String == "awaiting_split")
        #expect(try catalog.status().excluded["awaiting_split"] == 1)
        _ = try ReviewWorkspace.curate(ws, "split")
        rows = try exported(ws)
        #expect(rows[f2.faceID]?["split"] is String && rows[f2.faceID]?["excluded"] is NSNull)

        // Scoring ranks by the reviewer's label.
        _ = try ReviewWorkspace.curate(ws, "score", "--models", ReviewWorkspace.models)
        let scored = try #require(try catalog.reviewItem(faceID: f0.faceID))
        #expect(scored.scoredLabel == newLabel)
    }
}
