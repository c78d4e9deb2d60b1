import Catalogs
import CurateCore
import Foundation
import Testing
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `curate review` over HTTP: the token rule, bad requests, Ctrl-C; then the page in Chromium.
@Suite(.enabled(if: ReviewWorkspace.ready, Comment(rawValue: ReviewWorkspace.why)))
struct ReviewServerTests {
    @Test func aBusyPortIsAClearErrorNotABindTrace() throws {
        let ws = try ReviewWorkspace.copy("review-port")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        let first = try ReviewProcess(workspace: ws)
        let port = String(first.url.port!)
        let second = try runCurate(["review", "--workspace", ws.path, "--pipeline", ReviewWorkspace.pipeline, "--port", port])
        #expect(second.status == 1 && second.err.contains("port \(port) on 127.0.0.1 is in use"), "\(second.err)")
        #expect(!second.err.contains("errno") && !second.err.contains("bind("))
        _ = first.stop()
    }

    @Test func requestsWithoutTheTokenAreRefusedAndChangeNothing() async throws {
        let ws = try ReviewWorkspace.copy("review-token")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        let server = try ReviewProcess(workspace: ws)
        let token = server.token
        let face = try #require(try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing)
            .reviewQueue(ReviewQuery(limit: 1)).items.first).faceID
        let decision = #"{"face_id": \#(face), "action": "reject"}"#

        #expect(try await server.request("GET", "/?token=\(token)").status == 200)
        for path in ["/", "/?token=", "/?token=\(String(token.reversed()))", "/api/queue", "/crop/\(face)", "/photo/\(face)"] {
            #expect(try await server.request("GET", path).status == 403, "GET \(path)")
        }
        #expect(try await server.request("POST", "/api/decide", body: decision).status == 403)
        #expect(try await server.request("POST", "/api/decide?token=bad", body: decision).status == 403)
        #expect(try await server.request("POST", "/api/undo").status == 403)
        // Mutations are POST only; bad bodies are refused with a reason.
        #expect(try await server.request("GET", "/api/decide?token=\(token)").status >= 400)
        let bad = try await server.request("POST", "/api/decide?token=\(token)", body: #"{"face_id": \#(face), "action": "relabel", "label": "bored"}"#)
        #expect(bad.status == 400 && bad.body.contains("angry"))
        #expect(try await server.request("POST", "/api/decide?token=\(token)", body: "not json").status == 400)
        #expect(try await server.request("POST", "/api/decide?token=\(token)", body: #"{"face_id": 999999, "action": "reject"}"#).status == 400)
        let catalog = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing)
        #expect(try catalog.reviewHistory().isEmpty)

        // With the token: the crop is the PNG on disk, the photo a JPEG thumbnail, the decision recorded.
        let crop = try await server.request("GET", "/crop/\(face)?token=\(token)")
        #expect(crop.status == 200)
        let ok = try await server.request("POST", "/api/decide?token=\(token)", body: decision)
        #expect(ok.status == 200 && ok.body.contains(#""action":"reject""#))
        #expect(try catalog.reviewHistory().map(\.reviewer) == ["tester"])
        #expect(server.stop() == 0)
    }

    @Test(.enabled(if: ReviewWorkspace.browserReady, Comment(rawValue: ReviewWorkspace.browserWhy)))
    func keyboardAndMouseDecisionsInChromiumReachTheCatalog() throws {
        let ws = try ReviewWorkspace.copy("review-browser")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        let server = try ReviewProcess(workspace: ws)
        let shot = ws.deletingLastPathComponent().appendingPathComponent("review.png")
        let seen = try runBrowserScript("review_browser.py", [server.url.absoluteString, shot.path])
        #expect(server.stop() == 0)

        let ids = (seen["ids"] as! [NSNumber]).map(\.int64Value)
        let given = seen["given"] as! [String]
        let catalog = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing)
        let history = try catalog.reviewHistory()
        // relabel (digit), accept (Enter), reject (x), undo (z), reject (x), relabel (mouse).
        #expect(history.map(\.action) == [.relabel, .accept, .reject, .undo, .reject, .relabel])
        #expect(history.map(\.faceID) == [ids[0], ids[1], ids[2], ids[2], ids[2], ids[4]])
        #expect(history[0].newLabel == seen["relabel_to"] as? String && (history[0].oldLabel ?? "") == given[0])
        #expect(history[1].newLabel == given[1] && history[3].undoes == history[2].id)
        #expect(history[5].newLabel == seen["mouse_label"] as? String)
        #expect(history.allSatisfy { $0.reviewer == "tester" })
        #expect(seen["undone_current"] as? String == String(ids[2]))
        // The page showed each decision on its card; card 3 was skipped over and stays open.
        #expect(seen["shown"] as? [String: String] == [String(ids[0]): "relabel", String(ids[1]): "accept",
                                                      String(ids[2]): "reject", String(ids[3]): "", String(ids[4]): "relabel"])
        let reloaded = (seen["after_reload"] as! [NSNumber]).map(\.int64Value)
        #expect(reloaded.first == ids[3] && Set(reloaded).isDisjoint(with: [ids[0], ids[1], ids[2], ids[4]]))
        #expect((seen["console_errors"] as! [String]).isEmpty)
        #expect(try Data(contentsOf: shot).count > 20_000)

        let item = try #require(try catalog.reviewItem(faceID: ids[0]))
        #expect(item.label == seen["relabel_to"] as? String)
    }
}

@Suite(.enabled(if: ReviewWorkspace.browserReady, Comment(rawValue: ReviewWorkspace.browserWhy)))
struct TryImagePageTests {
    @Test func uploadsAreCheckedByDecodingPredictedDrawnAndAdded() async throws {
        let ws = try ReviewWorkspace.copy("try-image")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        let server = try ReviewProcess(workspace: ws, ["--models", ReviewWorkspace.models])
        let fixtures = sharedDir.appendingPathComponent("fixtures/images")
        let junk = ws.deletingLastPathComponent().appendingPathComponent("photo.png")
        try Data("this is text, whatever its name says".utf8).write(to: junk)
        let shot = ws.deletingLastPathComponent().appendingPathComponent("try.png")
        let seen = try runBrowserScript("try_browser.py", [server.url.absoluteString, fixtures.appendingPathComponent("astronaut.png").path,
                                                           fixtures.appendingPathComponent("chelsea.png").path, junk.path, shot.path])
        let face = seen["face"] as! [String: Any], noface = seen["noface"] as! [String: Any], bad = seen["junk"] as! [String: Any]
        #expect(face["state"] as? String == "done" && face["faces"] as? String == "1" && face["predicted"] as? [String] == ["happy"])
        #expect(face["drawn_width"] as? Int == 512)
        #expect(noface["state"] as? String == "done" && noface["faces"] as? String == "0")
        #expect((noface["message"] as? String)?.contains("no face") == true)
        #expect(bad["state"] as? String == "error" && (bad["message"] as? String)?.contains("415") == true)
        #expect((seen["console_errors"] as! [String]).isEmpty, "\(seen["console_errors"]!)")

        // Over the size limit: refused before decoding; without the token: refused.
        let token = server.token
        var big = URLRequest(url: URL(string: "\(server.base)/api/predict?token=\(token)")!)
        big.httpMethod = "POST"
        big.httpBody = Data(count: 21 << 20)
        let (_, response) = try await URLSession.shared.data(for: big)
        #expect((response as! HTTPURLResponse).statusCode == 413)
        #expect(try await server.request("POST", "/api/predict", body: "x").status == 403)
        #expect(try await server.request("GET", "/try").status == 403)
        #expect(server.stop() == 0)

        // The added photo is in the catalog, with its label and provenance, stored once.
        let catalog = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing)
        let added = try catalog.allProvenance().filter { $0.url.contains("/uploads/") }
        #expect(added.count == 1 && added.first?.state == .fetched)
        let sha = try #require(added.first?.sha256)
        #expect(FileManager.default.fileExists(atPath: ws.appendingPathComponent("uploads/\(sha).png").path))
        #expect(try catalog.imageExportRows().first { $0.sha256 == sha }?.labels == ["happy"])
    }
}

@Suite(.enabled(if: ReviewWorkspace.browserReady, Comment(rawValue: ReviewWorkspace.browserWhy)))
struct ReportTests {
    @Test func reportIsSelfContainedAndRendersInChromium() throws {
        let ws = try ReviewWorkspace.copy("report")
        defer { try? FileManager.default.removeItem(at: ws.deletingLastPathComponent()) }
        let catalog = try CatalogFactory.open(.sqlite(path: ws.appendingPathComponent("catalog.sqlite").path), .existing)
        let first = try #require(try catalog.reviewQueue(ReviewQuery(limit: 2)).items.first)
        _ = try catalog.recordReview(faceID: first.faceID, action: .reject, label: nil, reviewer: "tester")
        let out = ws.deletingLastPathComponent().appendingPathComponent("report.html")
        #expect(try ReviewWorkspace.curate(ws, "report", "--out", out.path).contains("wrote"))
        let html = try String(contentsOf: out, encoding: .utf8)
        #expect(html.contains("Content-Security-Policy") && !html.contains("src=\"http") && !html.contains("<script"))
        #expect(html.contains("1 of") && html.contains("reviewed"))
        // The copy made for this workspace shows as a cluster with a label conflict.
        #expect(html.contains("1 clusters, 1 with conflicting labels") && html.contains(" · label conflict"))

        let shot = ws.deletingLastPathComponent().appendingPathComponent("report.png")
        let page = try runBrowserScript("report_browser.py", [out.path, shot.path])
        #expect(page["sections"] as? [String] == ["summary", "splits", "failures", "clusters", "conflicts", "noface", "gate", "suspicious", "confusion", "review"])
        #expect((page["svgs"] as! Int) >= 4)
        let images = page["images"] as! Int
        #expect(images > 10 && page["decoded"] as? Int == images && page["external"] as? Int == 0)
        #expect((page["console_errors"] as! [String]).isEmpty, "\(page["console_errors"]!)")
        let size = page["screenshot"] as! [Int]
        #expect(size[1] > 1500 && (page["colours"] as! Int) > 200)
    }
}
