import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Editorial studio")
struct StudioTests {
    static let editor = DemoAccounts.accounts.first { $0.email == "editor@demo.careabroad.test" }!
    static let reviewer = DemoAccounts.accounts.first { $0.email == "reviewer@demo.careabroad.test" }!

    static func form(_ category: String, body: String = "## Week one\n\nSwelling peaks on day two.") -> [(String, String)] {
        [("title", "Recovery after lip grafting"), ("slug", ""), ("summary", "The first weeks (sample article)."), ("body", body),
         ("category", category), ("author", "maya-lindgren"), ("featured_provider", "patrick-tonnard-md-phd"),
         ("procedures", "microfat-lip-grafting"), ("clinical", "yes"), ("intent", "save")]
    }

    @Test("An editor drafts with a preview, the reviewer returns it with a comment, the editor fixes it, the reviewer approves, the editor publishes")
    func flow() async throws {
        try await withTestApp { app in
            let category = try #require(try await Category.query(on: app.db).first()?.slug)
            let editor = try await staffBrowser(app, Self.editor.email, Self.editor.password)
            let reviewer = try await staffBrowser(app, Self.reviewer.email, Self.reviewer.password)
            #expect(try await editor.get("/studio").status == .ok)
            // The preview renders on the server and stores nothing; HTML in the text is shown, never run.
            let preview = try await editor.submit("/studio/articles/new", Self.form(category, body: "## Week one\n\n<script>alert(1)</script>") .map {
                $0.0 == "intent" ? ("intent", "preview") : $0 })
            #expect(preview.status == .ok)
            #expect(preview.text.contains("<h2>Week one</h2>"))
            #expect(!preview.text.contains("<script>alert"))
            #expect(try await EditorialService.item(1, on: app.db) == nil)
            let bad = try await editor.submit("/studio/articles/new", Self.form("no-such-category"))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("href=\"#category\""))
            let created = try await editor.submit("/studio/articles/new", Self.form(category))
            #expect(created.status == .seeOther)
            let path = try #require(created.headers.first(name: .location))
            #expect(try await editor.submit(path, to: path + "/actions", [("action", "submit-for-review"), ("expected_revision", "1")]).status == .seeOther)
            #expect(try await editor.submit(path, to: path + "/actions", [("action", "approve"), ("expected_revision", "1")]).status == .forbidden)
            #expect(try await reviewer.get("/studio/review").text.contains("Recovery after lip grafting"))
            let returned = try await reviewer.submit(path, to: path + "/actions", [("action", "return-with-comments"), ("expected_revision", "1"),
                                                                                  ("comment", "Say when bruising fades.")])
            #expect(returned.status == .seeOther)
            #expect(try await editor.get(path).text.contains("Say when bruising fades."))
            let fixed = try await editor.submit(path, Self.form(category, body: "## Week one\n\nSwelling peaks on day two. Bruising fades in ten days.")
                                                + [("expected_revision", "1")])
            #expect(fixed.status == .seeOther)
            // Differences between revisions 1 and 2, line by line.
            let compare = try await editor.get(path + "?from=1&to=2").text
            #expect(compare.contains("<ins>+ Swelling peaks on day two. Bruising fades in ten days.\n</ins>"))
            #expect(try await editor.submit(path, to: path + "/actions", [("action", "submit-for-review"), ("expected_revision", "2")]).status == .seeOther)
            #expect(try await reviewer.submit(path, to: path + "/actions", [("action", "approve"), ("expected_revision", "2")]).status == .seeOther)
            #expect(try await editor.submit(path, to: path + "/actions", [("action", "publish"), ("expected_revision", "2")]).status == .seeOther)
            let live = try await Browser(app).get("/magazine/recovery-after-lip-grafting")
            #expect(live.status == .ok && live.text.contains("Bruising fades in ten days."))
            // Restoring revision 1 is a new revision 3: a clinical change after approval, so back to review; the live page stays.
            #expect(try await editor.submit(path, to: path + "/restore", [("revision", "1"), ("expected_revision", "2")]).status == .seeOther)
            #expect(try await EditorialService.item(1, on: app.db)?.statusValue == .inReview)
            #expect(try await Browser(app).get("/magazine/recovery-after-lip-grafting").text.contains("Bruising fades in ten days."))
        }
    }

    @Test("The studio is for editors only: other roles get 403, signed-out visitors the way to sign in")
    func access() async throws {
        try await withTestApp { app in
            let staff = try await staffBrowser(app)
            #expect(try await staff.get("/studio").status == .forbidden)
            #expect(try await Browser(app).get("/studio/articles").status == .seeOther)
            let patient = Browser(app)
            _ = try await patient.signIn(Demo.patient.email, Demo.patient.password)
            #expect(try await patient.get("/studio/review").status == .forbidden)
        }
    }
}
