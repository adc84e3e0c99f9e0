import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

/// Issue 10's "done when", on the demo data, with the render cache on (so "at once" is shown through it).
@Suite("Running the platform: the demo scenario")
struct RunningThePlatformTests {
    @Test("An article with an image goes through review and is published to the magazine, search, feed and sitemap at once; the featured practice changes a price and submits a credential; the administrator verifies it and the badge shows with its date on the profile and in search; it expires and loses the badge")
    func scenario() async throws {
        let clock = TestClock()
        try await withTestApp(renderCache: true, clock: clock.appClock) { app in
            // The pages readers see, cached before anything changes.
            for path in ["/magazine", "/feed.xml", "/sitemap.xml", "/providers/\(DemoAccounts.featuredSurgeonSlug)"] {
                #expect(try await Browser(app).get(path).status == .ok)
            }
            _ = try await CredentialWorkflowTests.withoutBadge(app)

            // The editor uploads an image and drafts an article with it.
            let editor = try await staffBrowser(app, StudioTests.editor.email, StudioTests.editor.password)
            let reviewer = try await staffBrowser(app, StudioTests.reviewer.email, StudioTests.reviewer.password)
            let uploaded = try await MediaTests.upload(editor, TestPhotos.jpeg(width: 900, height: 600), alt: "Lips seen from the front, before treatment")
            let image = try #require(uploaded.headers.first(name: .location)?.split(separator: "=").last.map(String.init))
            let category = try #require(try await Category.query(on: app.db).first()?.slug)
            let body = "## Week one\n\n![Lips seen from the front](/media/\(image)/1024)\n\nSwelling peaks on day two."
            let created = try await editor.submit("/studio/articles/new", StudioTests.form(category, body: body))
            let path = try #require(created.headers.first(name: .location))
            #expect(try await editor.submit(path, to: path + "/actions", [("action", "submit-for-review"), ("expected_revision", "1")]).status == .seeOther)
            // The reviewer returns it with a comment; the editor fixes it; the reviewer approves; the editor publishes.
            #expect(try await reviewer.submit(path, to: path + "/actions", [("action", "return-with-comments"), ("expected_revision", "1"),
                                                                            ("comment", "Say when the bruising fades.")]).status == .seeOther)
            #expect(try await editor.get(path).text.contains("Say when the bruising fades."))
            #expect(try await editor.submit(path, StudioTests.form(category, body: body + " Bruising fades within ten days.") + [("expected_revision", "1")]).status == .seeOther)
            #expect(try await editor.submit(path, to: path + "/actions", [("action", "submit-for-review"), ("expected_revision", "2")]).status == .seeOther)
            #expect(try await reviewer.submit(path, to: path + "/actions", [("action", "approve"), ("expected_revision", "2")]).status == .seeOther)
            #expect(try await editor.submit(path, to: path + "/actions", [("action", "publish"), ("expected_revision", "2")]).status == .seeOther)
            let article = try await Browser(app).get("/magazine/recovery-after-lip-grafting").text
            #expect(article.contains("Bruising fades within ten days.") && article.contains("srcset=\"/media/\(image)/320 320w"))
            #expect(article.contains("Helen Marsh"))
            #expect(try await Browser(app).get("/magazine").text.contains("/magazine/recovery-after-lip-grafting"))
            #expect(try await Browser(app).get("/magazine?q=bruising").text.contains("/magazine/recovery-after-lip-grafting"))
            #expect(try await Browser(app).get("/feed.xml").text.contains("recovery-after-lip-grafting"))
            #expect(try await Browser(app).get("/sitemap.xml").text.contains("/magazine/recovery-after-lip-grafting"))

            // The featured practice's staff change a price range and submit a credential.
            let staff = try await staffBrowser(app)
            let place = try await PracticeProfileTests.surgeonPlace(app)
            let snapshot = try await ProfileService.load(place, on: app.db)
            var rows = snapshot.offers
            let index = try #require(rows.firstIndex { $0.procedure == "microfat-lip-grafting" })
            rows[index].price = PriceRange(min: 3200, max: 4500, currency: .eur)
            #expect(try await staff.submit("/practice/profile", PracticeProfileTests.offerFields(rows, version: snapshot.version)).status == .seeOther)
            var profile = try await Browser(app).get("/providers/\(DemoAccounts.featuredSurgeonSlug)").text
            #expect(profile.contains("3,200 – 4,500 EUR") && profile.contains("Updated on 25 November 2026: prices."))
            let sent = try await CredentialWorkflowTests.submit(staff, CredentialWorkflowTests.submission(), files: [CredentialWorkflowTests.pdf])
            let credentialID = try #require(Int(sent.headers.first(name: .location)?.split(separator: "?").first?.split(separator: "/").last ?? ""))
            #expect(try await Browser(app).get("/providers/\(DemoAccounts.featuredSurgeonSlug)").text.contains("Submitted, not yet verified"))

            // The administrator verifies it: the badge with its date on the profile and in search.
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            #expect(try await admin.submit("/admin/credentials/\(credentialID)", [
                ("outcome", "verified"), ("what_checked", "Holder, number and status at the register"),
                ("register_url", "https://register.example.org/SMC-00042"), ("expires", "2026-12-31"), ("version", "0")]).status == .seeOther)
            profile = try await Browser(app).get("/providers/\(DemoAccounts.featuredSurgeonSlug)").text
            #expect(profile.contains("Verified credential · checked 25 November 2026"))
            let search = try await Browser(app).get("/providers?q=tonnard&verified=1").text
            #expect(search.contains("/providers/\(DemoAccounts.featuredSurgeonSlug)"))

            // It expires: the badge goes the same day, everywhere.
            clock.advance(37 * 86_400)
            #expect(try await CredentialService.expireLapsed(app: app) >= 1)
            #expect(!(try await Browser(app).get("/providers/\(DemoAccounts.featuredSurgeonSlug)").text.contains("badge-verified")))
            #expect(!(try await Browser(app).get("/providers?q=tonnard&verified=1").text.contains("/providers/\(DemoAccounts.featuredSurgeonSlug)")))
        }
    }
}
