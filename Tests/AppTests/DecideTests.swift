import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Decision aid pages and API")
struct DecideTests {
    /// Walks the lip aid step by step as a browser would, answering with `answers` (question → choices).
    static func walk(_ browser: Browser, aid: String, answers: [(String, [String])]) async throws -> TestingHTTPResponse {
        let first = try await browser.get("/decide/\(aid)")
        #expect(first.status == .ok)
        var page = first
        for (index, (question, choices)) in answers.enumerated() {
            let token = try #require(Browser.csrf(in: page.text))
            #expect(page.text.contains("name=\"\(question)\""), "step \(index) does not ask \(question)")
            var fields: [(String, String)] = [("csrf", token), ("step", "\(index)"), ("go", index == answers.count - 1 ? "result" : "next")]
            // The hidden answers of the page travel back, as a browser sends them.
            fields += hidden(in: page.text)
            fields += choices.map { (question, $0) }
            page = try await browser.post("/decide/\(aid)", fields)
        }
        return page
    }

    /// Every hidden answer field of a page (not the CSRF token or the step).
    static func hidden(in html: String) -> [(String, String)] {
        var out: [(String, String)] = []
        var rest = html[...]
        while let r = rest.range(of: "<input type=\"hidden\" name=\"") {
            let after = rest[r.upperBound...]
            guard let nameEnd = after.firstIndex(of: "\"") else { break }
            let name = String(after[..<nameEnd])
            guard let v = after.range(of: "value=\"") else { break }
            let valueStart = v.upperBound
            guard let valueEnd = after[valueStart...].firstIndex(of: "\"") else { break }
            if !["csrf", "step", "go"].contains(name) { out.append((name, String(after[valueStart..<valueEnd]).replacingOccurrences(of: "&amp;", with: "&"))) }
            rest = after[valueEnd...]
        }
        return out
    }

    static let smokerOverfilled: [(String, [String])] = [("concerns", ["overfilled"]), ("change", ["subtle"]), ("surgery", ["open"]),
        ("downtime", ["none"]), ("soon", ["weeks"]), ("last", ["years"]), ("health", ["smoking"])]
    static let fiftyFive: [(String, [String])] = [("concerns", ["long-upper-lip", "vertical-lines"]), ("change", ["subtle"]), ("surgery", ["open"]),
        ("downtime", ["weeks"]), ("soon", ["months"]), ("last", ["years"]), ("health", [])]

    @Test("Each persona walks the lip aid to an explained result with providers, reviewer, date and disclaimer")
    func personas() async throws {
        try await withTestApp { app in
            let a = try await Self.walk(Browser(app), aid: "lip-rejuvenation", answers: Self.smokerOverfilled)
            #expect(a.status == .ok)
            #expect(a.text.contains("Your result"))
            #expect(a.text.contains("Dissolve earlier filler first"))
            #expect(a.text.contains("Suits your answers"))
            #expect(a.text.contains("Smoking slows healing"))
            #expect(a.text.contains("Medical disclaimer"))
            #expect(a.text.contains("Dr. Amara Lindqvist"))
            let b = try await Self.walk(Browser(app), aid: "lip-rejuvenation", answers: Self.fiftyFive)
            #expect(b.text.contains("Nanofat grafting"))
            #expect(b.text.contains("Not a fit for your answers"))
            #expect(b.text.contains("action=\"/consult/"), "providers offering nanofat are listed with a consultation button")
        }
    }

    @Test("Going back keeps the answers; a missing answer stays on its step with a message")
    func backAndErrors() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let first = try await browser.get("/decide/lip-rejuvenation")
            let token = try #require(Browser.csrf(in: first.text))
            let missing = try await browser.post("/decide/lip-rejuvenation", [("csrf", token), ("step", "0"), ("go", "next")])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.text.contains("id=\"concerns-error\""))
            let second = try await browser.post("/decide/lip-rejuvenation", [("csrf", token), ("step", "0"), ("go", "next"), ("concerns", "thin")])
            #expect(second.text.contains("name=\"change\""))
            let back = try await browser.post("/decide/lip-rejuvenation", Self.hidden(in: second.text) + [("csrf", token), ("step", "1"), ("go", "back"), ("change", "subtle")])
            #expect(back.text.contains("value=\"thin\" checked"))
            #expect(Self.hidden(in: back.text).contains { $0 == ("change", "subtle") })
        }
    }

    @Test("Request a consultation carries the result into the form, editable, and it is stored with the request")
    func intoConsultation() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let result = try await Self.walk(browser, aid: "lip-rejuvenation", answers: Self.fiftyFive)
            let token = try #require(Browser.csrf(in: result.text))
            let prepared = try #require(Self.hidden(in: result.text).first { $0.0 == "prepared_with" }?.1)
            #expect(prepared.contains("lip-rejuvenation 1.0.0"))
            let form = try await browser.post("/consult/patrick-tonnard-md-phd", [("csrf", token), ("go", "start"), ("procedures", "nanofat-grafting"), ("prepared_with", prepared)])
            #expect(form.status == .ok)
            #expect(form.text.contains("value=\"nanofat-grafting\" checked"))
            #expect(form.text.contains("name=\"prepared_with\""))
            let answers = ConsultAnswers.all(procedure: "nanofat-grafting") + [("prepared_with", prepared)]
            let sent = try await browser.sendConsultation(answers: answers, guestEmail: "aid@example.org")
            #expect(sent.status == .seeOther)
            let row = try #require(try await ConsultationCase.query(on: app.db).first())
            let detail = try await CaseService.detail(row, app: app, on: app.db)
            #expect(detail.payload?.request.preparedWith?.contains("lip-rejuvenation 1.0.0") == true)
        }
    }

    @Test("The API returns the definition and evaluates answers; incomplete or contradictory answers get problem+json")
    func api() async throws {
        try await withTestApp { app in
            let definition = try await send(app, .GET, "/api/v1/decision-aids/facial-ageing")
            #expect(definition.status == .ok)
            #expect(try jsonObject(definition)["version"] as? String == "1.0.0")
            #expect(try await send(app, .GET, "/api/v1/decision-aids/no-such-aid").status == .notFound)
            let body = #"{"answers": {"concerns": ["jowls", "hollows"], "surgery": ["yes"], "downtime": ["weeks"], "severity": 3, "health": []}}"#
            let ok = try await app.testing().sendRequest(.POST, "/api/v1/decision-aids/facial-ageing/evaluate", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: body))
            #expect(ok.status == .ok)
            let result = try jsonObject(ok)
            let options = try #require(result["options"] as? [[String: Any]])
            #expect(options.first { $0["option"] as? String == "macs-lift" }?["fit"] as? String == "suits")
            #expect(result["version"] as? String == "1.0.0")
            let bad = #"{"answers": {"concerns": ["jowls"], "surgery": ["yes", "no"], "severity": 9}}"#
            let refused = try await app.testing().sendRequest(.POST, "/api/v1/decision-aids/facial-ageing/evaluate", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: bad))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.headers.contentType?.subType == "problem+json")
            #expect(refused.text.contains("\"question\":\"surgery\""))
            #expect(refused.text.contains("\"question\":\"downtime\""))
        }
    }

    @Test("The lip article and the lip and face guides lead to their aid; other guides do not")
    func entryPoints() async throws {
        try await withTestApp { app in
            for (page, aid) in [("/magazine/natural-lip-rejuvenation-microfat-nanofat", "lip-rejuvenation"), ("/procedures/microfat-lip-grafting", "lip-rejuvenation"),
                                ("/procedures/nanofat-grafting", "facial-ageing"), ("/procedures/macs-lift-facelift", "facial-ageing")] {
                let text = try await send(app, .GET, page).text
                #expect(text.contains("href=\"/decide/\(aid)\""), "\(page) → \(aid)")
            }
            let dental = try await send(app, .GET, "/procedures/dental-implants").text
            #expect(dental.contains("href=\"/decide/") == false)
        }
    }

    @Test("/decide lists both aids")
    func index() async throws {
        try await withTestApp { app in
            let page = try await send(app, .GET, "/decide")
            #expect(page.status == .ok)
            #expect(page.text.contains("/decide/lip-rejuvenation"))
            #expect(page.text.contains("/decide/facial-ageing"))
            #expect(try await send(app, .GET, "/decide/no-such-aid").status == .notFound)
        }
    }
}
