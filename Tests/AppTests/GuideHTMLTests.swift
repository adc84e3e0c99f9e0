import Foundation
import Testing
import SQLKit
import VaporTesting
@testable import App

@Suite("Stored guide sections")
struct GuideHTMLTests {
    static let tricky = ["", "plain", "quote \" backslash \\ slash / </script>", "controls \u{08}\u{0C}\n\r\t\u{01}\u{1F}", "é 東京 👩🏽‍⚕️ e\u{301}",
                         "<p>A <a href=\"/procedures/x\" rel=\"nofollow noopener\">link</a> &amp; more</p>", "\u{FFFF}\u{10FFFF}"]

    @Test("The hand-written reader gives what JSONDecoder gives for what JSONEncoder writes")
    func readsWhatTheEncoderWrites() throws {
        for options in [JSONEncoder.OutputFormatting.sortedKeys, [.sortedKeys, .withoutEscapingSlashes], [.prettyPrinted]] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = options
            var map: [String: String] = [:]
            for (i, text) in Self.tricky.enumerated() { map["key \(i) \(text)"] = text + " " + String(i) }
            let json = String(decoding: try encoder.encode(map), as: UTF8.self)
            #expect(GuideHTML.stringMap(json) == map)
            #expect(GuideHTML.stringMap(json) == (try JSONDecoder().decode([String: String].self, from: Data(json.utf8))))
        }
        #expect(GuideHTML.stringMap("{}") == [:])
        #expect(GuideHTML.stringMap(#"{"a":"\ud83d\ude00"}"#) == ["a": "😀"])
    }

    @Test("Anything but an object of strings is left to JSONDecoder", arguments: [
        "", "[]", "{", "{\"a\":1}", "{\"a\":\"b\",}", "{\"a\" \"b\"}", "{\"a\":\"b\"} x", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"unterminated}",
        "{\"a\":\"raw \n newline\"}",
    ])
    func refusesOtherJSON(_ json: String) {
        #expect(GuideHTML.stringMap(json) == nil)
    }

    @Test("Every demo guide's stored sections read the same both ways")
    func demoGuides() async throws {
        try await withTestApp { app in
            for p in try await Procedure.query(on: app.db).all() {
                let json = GuideHTML.render(GuideHTML.markdown(of: p))
                let decoded = try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
                #expect(GuideHTML.stringMap(json) == decoded, "\(p.slug)")
                #expect(decoded.count == GuideHTML.sections.count + 2)
            }
        }
    }

    @Test("A guide stored without its HTML shows the same sections, from its Markdown")
    func guideWithoutStoredHTML() async throws {
        try await withTestApp { app in
            let slug = "microfat-lip-grafting"
            var stored = ""
            try await app.testing().test(.GET, "/procedures/\(slug)") { res in
                #expect(res.status == .ok)
                stored = res.body.string
            }
            try await (app.db as! any SQLDatabase).update("procedures").set("sections_html", to: SQLLiteral.null)
                .where("slug", .equal, SQLBind(slug)).run()
            try await app.testing().test(.GET, "/procedures/\(slug)") { res in
                #expect(res.status == .ok)
                let page = res.body.string
                for id in ["what", "suits", "not-suits", "preparation", "how", "recovery", "risks", "alternatives"] {
                    let section = { (html: String) in html.components(separatedBy: "<section id=\"\(id)\">").dropFirst().first?.components(separatedBy: "</section>").first }
                    #expect(section(page) != nil && section(page) == section(stored), "\(id)")
                }
            }
        }
    }

    @Test("Entities in a stored link decode in one pass as they did by replacing", arguments: [
        "", "plain", "a &amp; b", "&quot;x&quot; &lt;y&gt; &#39;z&#39;", "&amp;amp; &amp;lt;", "& alone &", "&unknown; &#40;", "&am", "é &amp; 東京",
    ])
    func entities(_ text: String) {
        #expect(HTMLSanitizer.decodeEntities(text) == HTMLSanitizer.decodeEntitiesByReplacing(text))
    }
}
