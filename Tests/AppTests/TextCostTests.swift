import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import Plot
@testable import App
import Domain

/// One request must not cost seconds of CPU on every later view: limits in bytes and linear escaping.
@Suite("Text cost")
struct TextCostTests {
    /// `&` followed by letters that each carry `marks` combining marks: the shape that made escaping quadratic.
    static func hostile(bytes: Int, marks: Int = 50) -> String {
        let unit = "a" + String(repeating: "\u{0301}", count: marks)
        let count = bytes / unit.utf8.count
        return "&" + String(repeating: unit, count: count)
    }

    /// The fastest of a few runs, in nanoseconds (the minimum is the least disturbed by other work).
    static func fastest(_ runs: Int = 5, _ work: () -> Void) -> UInt64 {
        var best = UInt64.max
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            work()
            best = min(best, DispatchTime.now().uptimeNanoseconds - start)
        }
        return best
    }

    @Test("Escaping a hostile answer grows linearly: 1 MB costs about ten times 100 KB, not a hundred")
    func linearEscaping() throws {
        let small = Self.hostile(bytes: 100_000), large = Self.hostile(bytes: 1_000_000)
        func render(_ text: String) -> String {
            Node<HTML.BodyContext>.div(.p(.plain(text)), .p(.plain(text))).render()
        }
        let out = render(large)
        #expect(out.utf8.starts(with: "<div><p>&amp;a\u{0301}".utf8))
        #expect(out.utf8.count == 2 * (large.utf8.count + 4) + "<div><p></p><p></p></div>".utf8.count)
        _ = render(small) // warm up
        let ratio = Double(Self.fastest { _ = render(large) }) / Double(Self.fastest { _ = render(small) })
        // Linear work gives about 10; Plot's own escaper gave about 100 on this input.
        #expect(ratio < 30, "1 MB took \(ratio)× as long as 100 KB")
    }

    @Test("Text limits count bytes too: one 'character' with thousands of combining marks is refused")
    func byteLimits() {
        let bomb = "&" + String(repeating: "a" + String(repeating: "\u{0301}", count: 5_000), count: 2_000)
        #expect(bomb.count == 2_001)
        var reader = FormReader(FormInput(["concerns": [bomb]]))
        #expect(reader.text("concerns", max: 4_000) == nil)
        #expect(reader.problems == [FieldProblem("concerns", .tooLong(max: 4_000))])
        // Ordinary accented text within the limit passes, and no field passes 64 KB whatever its limit.
        var ok = FormReader(FormInput(["goals": ["Résumé naïve café " + String(repeating: "é", count: 900)]]))
        #expect(ok.text("goals", max: 4_000) != nil)
        var huge = FormReader(FormInput(["x": [String(repeating: "a", count: 70_000)]]))
        #expect(huge.text("x", max: 1_000_000) == nil)
        #expect(TextLimits.maxBytes(forCharacters: Int.max) == TextLimits.maxFieldBytes)
    }

    @Test("The consultation API refuses an answer that is short in characters but large in bytes, and stores nothing")
    func apiRefusesCombiningMarkBomb() async throws {
        try await withTestApp(rateLimits: ConsultationTests.generousLimits) { app in
            let token = SecretToken.make()
            let patientID = try #require(try await User.query(on: app.db).filter(\.$email == Demo.patient.email).first()?.id)
            try await APIToken(id: SecretToken.digest(token), userID: patientID, name: "t", now: testNow).create(on: app.db)
            var answers: [String: Any] = [:]
            for (k, v) in ConsultAnswers.all() where k != "idempotency_key" { answers[k] = v }
            answers["concerns"] = "&" + String(repeating: "a" + String(repeating: "\u{0301}", count: 500), count: 1_500)
            let body: [String: Any] = ["provider": "patrick-tonnard-md-phd", "answers": answers,
                                       "consent": ["healthData": true, "shareWithProvider": true, "terms": true]]
            let data = try JSONSerialization.data(withJSONObject: body)
            let before = try await ConsultationCase.query(on: app.db).count()
            let res = try await app.testing().sendRequest(.POST, "/api/v1/consultations",
                                                          headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json",
                                                                    "Idempotency-Key": UUID().uuidString.lowercased()],
                                                          body: ByteBuffer(data: data))
            #expect(res.status == .unprocessableEntity, "\(res.status): \(res.text.prefix(300))")
            #expect(res.text.contains("\"field\":\"concerns\""))
            #expect(try await ConsultationCase.query(on: app.db).count() == before)
        }
    }

    @Test("A form field over 64 KB is refused naming that field, not the first field of the form")
    func overLongFieldNamed() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let page = try await browser.get("/consult/patrick-tonnard-md-phd")
            let token = try #require(Browser.csrf(in: page.text))
            let res = try await browser.postMultipart("/consult/patrick-tonnard-md-phd",
                                                      [("csrf", token), ("step", "2"), ("concerns", String(repeating: "x", count: 70_000))])
            #expect(res.status == .badRequest)
            #expect(res.text.contains("concerns"))
            #expect(!res.text.contains("&#39;csrf&#39;") && !res.text.contains("'csrf'"))
        }
    }
}
