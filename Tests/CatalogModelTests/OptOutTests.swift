import Testing
@testable import CatalogModel

struct OptOutTests {
    let all = Set(OptOutDirective.allCases)

    func check(_ name: String, _ value: String, honoured: Set<OptOutDirective>? = nil) -> OptOutDirective? {
        OptOut.directive(header: name, value: value, agent: "curate", honoured: honoured ?? all)
    }

    @Test func robotsTagDirectivesForEveryCrawlerAreHonoured() {
        #expect(check("X-Robots-Tag", " noai") == .noai)
        #expect(check("x-robots-tag", "nofollow, NoImageAI") == .noimageai)
        #expect(check("X-Robots-Tag", "none") == .noindex, "none is noindex plus nofollow")
        #expect(check("X-Robots-Tag", "nofollow, noarchive") == nil)
        #expect(check("X-Robots-Tag", "max-image-preview: large, noml") == .noml, "a valued directive is not a crawler name")
    }

    @Test func directivesScopedToAnotherCrawlerDoNotApplyAndOnesScopedToCurateDo() {
        #expect(check("X-Robots-Tag", "googlebot: noindex") == nil)
        #expect(check("X-Robots-Tag", "curate: noindex, noai") == .noindex)
        #expect(check("X-Robots-Tag", "CURATE: noml") == .noml)
    }

    @Test func onlyHonouredDirectivesCount() {
        #expect(check("X-Robots-Tag", "noindex", honoured: [.noai]) == nil)
        #expect(check("X-Robots-Tag", "none", honoured: [.noai]) == nil)
        #expect(check("X-Robots-Tag", "noai", honoured: []) == nil)
        #expect(check("tdm-reservation", "1", honoured: [.noai]) == nil)
    }

    @Test func tdmReservationOneReservesAndZeroDoesNot() {
        #expect(check("TDM-Reservation", " 1\r\n") == .tdmReservation)
        #expect(check("tdm-reservation", "0") == nil)
        #expect(check("Content-Type", "noai") == nil)
    }

    @Test func theAgentTokenIsTheFirstProductName() {
        #expect(OptOut.agentToken("curate/0.1 (dataset curation; libcurl)") == "curate")
        #expect(OptOut.agentToken("MyBot") == "mybot")
    }
}
