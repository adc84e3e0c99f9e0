import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Terms of use and privacy notice")
struct LegalPagesTests {
    @Test("Both documents exist, are versioned, say what informed consent needs, and are linked from the footer and every terms box")
    func pages() async throws {
        try await withTestApp { app in
            let terms = try await send(app, .GET, "/terms")
            let privacy = try await send(app, .GET, "/privacy")
            #expect(terms.status == .ok && privacy.status == .ok)
            #expect(terms.text.contains("<h1>Terms of use</h1>"))
            #expect(privacy.text.contains("<h1>Privacy notice</h1>"))
            #expect(privacy.text.contains("Version of"))
            // What informed consent to processing health data needs the notice to say.
            let text = privacy.text.lowercased()
            for topic in ["health", "who", "how long", "rights", "/account/export", "/account/delete", "withdraw", "contact"] {
                #expect(text.contains(topic), "the privacy notice says nothing about \(topic)")
            }
            #expect(!privacy.text.contains("<script"))
            for path in ["/", "/magazine", "/providers/patrick-tonnard-md-phd"] {
                let html = try await send(app, .GET, path).text
                #expect(hrefs(in: html).contains("/terms") && hrefs(in: html).contains("/privacy"), "\(path)")
            }
            for path in ["/account/sign-up"] {
                let html = try await send(app, .GET, path).text
                #expect(hrefs(in: html).contains("/terms") && hrefs(in: html).contains("/privacy"), "\(path)")
            }
            // The consultation form's last step.
            let browser = Browser(app)
            let token = try #require(Browser.csrf(in: try await browser.get("/consult/patrick-tonnard-md-phd").text))
            let last = try await browser.post("/consult/patrick-tonnard-md-phd", ConsultAnswers.all() + [("step", "3"), ("go", "next"), ("csrf", token)])
            #expect(hrefs(in: last.text).contains("/terms") && hrefs(in: last.text).contains("/privacy"))
        }
    }

    @Test("The versions accepted are stored with the consents, at sign-up and with a request")
    func versionsStored() async throws {
        try await withTestApp { app in
            let b = Browser(app)
            #expect(try await b.submit("/account/sign-up", [("name", "Reader"), ("email", "reader@example.org"), ("password", AccountTests.password), ("terms", "yes")]).status == .ok)
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "reader@example.org").first())
            let consents = try await Consent.query(on: app.db).filter(\.$user.$id == user.id!).all()
            #expect(Set(consents.map(\.kind)) == ["terms-of-use", "privacy-notice"])
            #expect(consents.first { $0.kind == "terms-of-use" }?.version == app.legal.terms.version)
            #expect(consents.allSatisfy { $0.$consultation.id == nil })
        }
    }

    @Test("A document without its version line is refused when the app starts")
    func versionRequired() {
        #expect(throws: LegalDocument.Problem.self) { try LegalDocument.parse(.terms, text: "title: Terms\n\nbody\nmore") }
        #expect(throws: LegalDocument.Problem.self) { try LegalDocument.parse(.terms, text: "version: soon\ntitle: Terms\n\nbody") }
        #expect((try? LegalDocument.parse(.privacy, text: "version: 2026-11-30\ntitle: Privacy\n\nText.\n"))?.version == "2026-11-30")
    }
}
