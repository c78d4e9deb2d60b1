import CurateCore
import Testing
@testable import Fetch

struct URLListParserTests {
    let labels = try! LabelSet([LabelSpec(name: "angry", aliases: ["anger"]),
                                LabelSpec(name: "happy", aliases: ["happiness"]),
                                LabelSpec(name: "sad", aliases: ["sadness"])])

    @Test func plainListTakesItsLabelFromTheFileName() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        let r = p.parse(text: "# scraped\n\nhttp://a.org/1.jpg\n  https://b.org/2.png  \n", name: "urls/happiness.txt")
        #expect(r.problems.isEmpty)
        #expect(r.entries.map(\.url) == ["http://a.org/1.jpg", "https://b.org/2.png"])
        #expect(r.entries.map(\.label) == ["happy", "happy"])
        #expect(r.entries.map(\.line) == [3, 4])
    }

    @Test func labelOptionOverridesTheFileName() throws {
        let p = try URLListParser(labels: labels, defaultLabel: "Anger")
        let r = p.parse(text: "http://a.org/1.jpg\n", name: "happy.txt")
        #expect(r.entries.first?.label == "angry")
    }

    @Test func unknownLabelOptionIsAnErrorNamingTheAllowedOnes() {
        #expect { try URLListParser(labels: labels, defaultLabel: "bored") } throws: { e in
            "\(e)".contains("bored") && "\(e)".contains("angry, happy, sad")
        }
    }

    @Test func tabSeparatedLinesCarryTheirOwnLabels() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        let r = p.parse(text: "sadness\thttp://a.org/1.jpg\nangry\tfile:///tmp/x.png\n", name: "mixed.txt")
        #expect(r.problems.isEmpty)
        #expect(r.entries.map(\.label) == ["sad", "angry"])
    }

    @Test func csvUsesItsHeaderColumnsAndQuotes() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        let text = "id,Label,URL\n1,happy,http://a.org/1.jpg\n2,\"sad\",\"http://a.org/x,y.jpg\"\n3,,http://a.org/3.jpg\n"
        let r = p.parse(text: text, name: "list.csv")
        #expect(r.entries.map(\.url) == ["http://a.org/1.jpg", "http://a.org/x,y.jpg"])
        #expect(r.entries.map(\.label) == ["happy", "sad"])
        #expect(r.problems.map(\.line) == [4])   // no label and none from the file name
    }

    @Test func csvWithoutAURLColumnIsReported() throws {
        let p = try URLListParser(labels: labels, defaultLabel: "happy")
        let r = p.parse(text: "name,link\na,http://a.org/1.jpg\n", name: "bad.csv")
        #expect(r.entries.isEmpty)
        #expect(r.problems.count == 1 && r.problems[0].line == 1)
    }

    @Test func malformedLinesAreReportedWithFileAndLineAndSkipped() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        let text = """
            happy\thttp://a.org/1.jpg
            not a url
            happy\tftp://a.org/2.jpg
            bored\thttp://a.org/3.jpg
            happy\thttp:///nohost.jpg
            a\tb\tc
            sad\thttp://a.org/4.jpg
            """
        let r = p.parse(text: text, name: "l.txt")
        #expect(r.entries.map(\.line) == [1, 7])
        #expect(r.problems.map(\.line) == [2, 3, 4, 5, 6])
        #expect(r.problems.map(\.description)[2].hasPrefix("l.txt:4: unknown label 'bored'"))
    }

    @Test func aLatin1LineIsReportedWithItsByteAndSkippedWhileTheRestIsRead() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        // "happy<TAB>http://a.org/café.jpg" saved as Latin-1 (é = 0xE9), between two good lines.
        var bytes = Array("happy\thttp://a.org/1.jpg\r\n".utf8)
        bytes += Array("happy\thttp://a.org/caf".utf8) + [0xE9] + Array(".jpg\n".utf8)
        bytes += Array("sad\thttp://a.org/2.jpg\n".utf8)
        let r = p.parse(bytes: bytes, name: "list.tsv")
        #expect(r.entries.map(\.url) == ["http://a.org/1.jpg", "http://a.org/2.jpg"])
        #expect(r.entries.map(\.line) == [1, 3])
        #expect(r.problems.map(\.description) == ["list.tsv:2: byte 0xE9 at column 23 is not UTF-8 (is the list saved as UTF-8?); line skipped"])
    }

    @Test func nonASCIIPathsArePercentEncodedAsBrowsersDoAndEncodedOnesStayTheSame() throws {
        let p = try URLListParser(labels: labels, defaultLabel: "happy")
        let r = p.parse(text: "http://a.org/café.jpg?q=ü\nhttp://a.org/caf%C3%A9.jpg\nhttp://bücher.de/1.jpg\n", name: "l.txt")
        #expect(r.entries.map(\.url) == ["http://a.org/caf%C3%A9.jpg?q=%C3%BC", "http://a.org/caf%C3%A9.jpg"])
        #expect(r.problems.count == 1 && r.problems[0].line == 3 && r.problems[0].message.contains("punycode"))
    }

    @Test func aQuotedCSVFieldWithALineBreakOrACommaAndDoubledQuotesIsOneRecord() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        let text = """
            url,label,note
            http://a.org/1.jpg,happy,"taken at dusk
            # not a comment: still the note
            (scanned)"
            "http://a.org/x,y.jpg",sad,"she said ""no, thanks"", twice"
            http://a.org/3.jpg,angry,

            """
        let r = p.parse(text: text, name: "list.csv")
        #expect(r.problems.isEmpty, "\(r.problems)")
        #expect(r.entries.map(\.url) == ["http://a.org/1.jpg", "http://a.org/x,y.jpg", "http://a.org/3.jpg"])
        #expect(r.entries.map(\.label) == ["happy", "sad", "angry"])
        #expect(r.entries.map(\.line) == [2, 5, 6])   // where each record starts
    }

    @Test func csvLineNumbersHoldWithCRLFAndOldMacLineBreaksInsideAndBetweenRecords() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        for br in ["\r\n", "\r"] {
            let text = ["url,label,note", "http://a.org/1.jpg,happy,\"two", "lines\"", "http://a.org/2.jpg,bored,", ""].joined(separator: br)
            let r = p.parse(text: text, name: "list.csv")
            #expect(r.entries.map(\.line) == [2], "\(br.debugDescription)")
            #expect(r.problems.map(\.description) == ["list.csv:4: unknown label 'bored'; allowed: angry, happy, sad"])
        }
    }

    @Test func spacesAroundAQuotedCSVFieldAreNotPartOfIt() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        let r = p.parse(text: "url , label\n  \"http://a.org/x,y.jpg\" , \"sad\"  \n", name: "list.csv")
        #expect(r.problems.isEmpty, "\(r.problems)")
        #expect(r.entries.map(\.url) == ["http://a.org/x,y.jpg"] && r.entries.map(\.label) == ["sad"])
    }

    @Test func anUnclosedCSVQuoteIsReportedAtTheLineItOpensOn() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        let text = "url,label,note\nhttp://a.org/1.jpg,happy,ok\nhttp://a.org/2.jpg,sad,\"oops\nhttp://a.org/3.jpg,sad,\n"
        let r = p.parse(text: text, name: "list.csv")
        #expect(r.entries.map(\.line) == [2])
        #expect(r.problems.map(\.line) == [3])
        #expect(r.problems.first?.message.hasPrefix("a quoted field opened on this line is never closed, so lines 3–4 were read as one record") == true,
                "\(r.problems)")
    }

    @Test func aStrayQuoteThatRunsTheURLFieldOverLinesIsReportedAndLaterLinesKeepTheirNumbers() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        let text = "url,label\n\"http://a.org/1.jpg,happy\nhttp://a.org/2.jpg\",sad\nhttp://a.org/3.jpg,happy\n"
        let r = p.parse(text: text, name: "list.csv")
        #expect(r.entries.map(\.line) == [4])
        #expect(r.problems.map(\.description)
                == ["list.csv:2: the 'url' field runs over lines 2–3; is a quote not closed, or a quote inside a field not doubled (\"\")?"])
    }

    @Test func aCommentWithAnUnclosedQuoteInACSVIsReportedRatherThanSwallowingLines() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        let text = """
            url,label
            # fine, "quoted, and closed"
            http://a.org/1.jpg,happy
            # from the,"old list
            http://a.org/2.jpg,sad
            "
            http://a.org/3.jpg,sad
            """
        let r = p.parse(text: text, name: "list.csv")
        #expect(r.entries.map(\.line) == [3, 7])
        #expect(r.problems.map(\.line) == [4] && r.problems[0].message.contains("lines 4–6"), "\(r.problems)")
    }

    @Test func aLatin1LineInsideAMultiLineCSVRecordSkipsThatRecordOnly() throws {
        let p = try URLListParser(labels: labels, defaultLabel: nil)
        var bytes = Array("url,label,note\nhttp://a.org/1.jpg,happy,\"caf".utf8) + [0xE9] + Array("\nau lait\"\n".utf8)
        bytes += Array("http://a.org/2.jpg,sad,\n".utf8)
        let r = p.parse(bytes: bytes, name: "list.csv")
        #expect(r.entries.map(\.line) == [4])
        #expect(r.problems.map(\.description)
                == ["list.csv:2: byte 0xE9 at column 30 is not UTF-8 (is the list saved as UTF-8?); the record on lines 2–3 skipped"])
    }
}
