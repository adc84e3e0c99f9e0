import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Editorial workflow, stored")
struct EditorialServiceTests {
    static func user(_ app: Application, _ email: String) async throws -> SignedInUser {
        let u = try #require(try await User.query(on: app.db).filter(\.$email == email).first())
        return SignedInUser(id: u.id!, email: u.email, displayName: u.displayName, role: u.roleValue, emailVerified: true, sessionID: "test",
                            secondFactorDone: true, totpEnabled: true)
    }

    static let fields = ArticleFields(title: "Recovery after lip grafting, week by week", slug: "recovery-after-lip-grafting",
                                      summary: "What the first weeks usually look like (sample article).",
                                      bodyMarkdown: "## Week one\n\nSwelling peaks on day two canary-body-1.\n\n## Week two\n\nMost swelling settles.",
                                      category: "aesthetic-surgery", author: "maya-lindgren", procedures: ["microfat-lip-grafting"])

    @Test("Draft, review with a comment, approval by a medical reviewer, publication: the magazine, search, feed and sitemap show it at once")
    func wholeFlow() async throws {
        try await withTestApp(renderCache: true) { app in
            let editor = try await Self.user(app, "editor@demo.careabroad.test")
            let reviewer = try await Self.user(app, "reviewer@demo.careabroad.test")
            var f = Self.fields
            let categories = try await Category.query(on: app.db).all().map(\.slug)
            f.category = try #require(categories.first)
            let id = try await EditorialService.createArticle(f, by: editor, app: app, source: "test", on: app.db)
            func act(_ a: EditorialAction, _ by: SignedInUser, revision: Int, comment: String? = nil) async throws -> Result<EditorialStatus, EditorialRefusal> {
                try await EditorialService.act(item: id, a, expectedRevision: revision, by: by, comment: comment, scheduledAt: nil, app: app, source: "test", on: app.db)
            }
            #expect(try await act(.submitForReview, editor, revision: 1) == .success(.inReview))
            // Only a medical reviewer approves or returns; a return needs its comment.
            #expect(try await act(.approve, editor, revision: 1) == .failure(.notReviewer))
            #expect(try await act(.returnWithComments, reviewer, revision: 1) == .failure(.missing("comment")))
            #expect(try await act(.returnWithComments, reviewer, revision: 1, comment: "Say when bruising fades.") == .success(.returned))
            f.bodyMarkdown += "\n\nBruising fades within ten days."
            #expect(try await EditorialService.saveArticle(item: id, f, expectedRevision: 1, by: editor, app: app, source: "test", on: app.db) == .success(2))
            // A save from the older page is refused.
            #expect(try await EditorialService.saveArticle(item: id, f, expectedRevision: 1, by: editor, app: app, source: "test", on: app.db) == .failure(.stale))
            #expect(try await act(.submitForReview, editor, revision: 2) == .success(.inReview))
            #expect(try await act(.approve, reviewer, revision: 2) == .success(.approved))

            // Cache the magazine first: publication must reach it.
            #expect(try await app.testing().sendRequest(.GET, "/magazine").body.string.contains(f.title) == false)
            #expect(try await act(.publish, editor, revision: 2) == .success(.published))
            let page = try await app.testing().sendRequest(.GET, "/magazine/\(f.slug)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("canary-body-1"))
            #expect(page.body.string.contains("Helen Marsh") || page.body.string.contains("Dr. Helen Marsh"))
            #expect(try await app.testing().sendRequest(.GET, "/magazine").body.string.contains(f.title))
            #expect(try await app.testing().sendRequest(.GET, "/magazine?q=bruising").body.string.contains(f.title))
            #expect(try await app.testing().sendRequest(.GET, "/feed.xml").body.string.contains(f.slug))
            #expect(try await app.testing().sendRequest(.GET, "/sitemap.xml").body.string.contains(f.slug))

            // A minor edit goes live at once ("updated"); a clinical edit goes back to review and the page stays as approved.
            var minor = f
            minor.summary = "The first weeks after lip grafting (sample article)."
            #expect(try await EditorialService.saveArticle(item: id, minor, expectedRevision: 2, by: editor, app: app, source: "test", on: app.db) == .success(3))
            #expect(try await EditorialService.item(id, on: app.db)?.statusValue == .updated)
            #expect(try await app.testing().sendRequest(.GET, "/magazine/\(f.slug)").body.string.contains("The first weeks after lip grafting"))
            var clinical = minor
            clinical.bodyMarkdown = clinical.bodyMarkdown.replacingOccurrences(of: "ten days", with: "three weeks")
            #expect(try await EditorialService.saveArticle(item: id, clinical, expectedRevision: 3, by: editor, app: app, source: "test", on: app.db) == .success(4))
            #expect(try await EditorialService.item(id, on: app.db)?.statusValue == .inReview)
            let live = try await app.testing().sendRequest(.GET, "/magazine/\(f.slug)").body.string
            #expect(live.contains("ten days") && !live.contains("three weeks"))
            let actions = try await AuditEvent.query(on: app.db).filter(\.$objectType == "editorial-item").all().map(\.action)
            #expect(actions.contains("studio.approve") && actions.contains("studio.publish") && actions.contains("studio.save.substantive"))
        }
    }

    @Test("A reviewer does not approve their own revision; a scheduled page goes live at its time, by the platform")
    func ownRevisionAndSchedule() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            let editor = try await Self.user(app, "editor@demo.careabroad.test")
            let reviewer = try await Self.user(app, "reviewer@demo.careabroad.test")
            var f = Self.fields
            f.category = try #require(try await Category.query(on: app.db).first()?.slug)
            let id = try await EditorialService.createArticle(f, by: reviewer, app: app, source: "test", on: app.db)
            _ = try await EditorialService.act(item: id, .submitForReview, expectedRevision: 1, by: editor, comment: nil, scheduledAt: nil, app: app, source: "t", on: app.db)
            #expect(try await EditorialService.act(item: id, .approve, expectedRevision: 1, by: reviewer, comment: nil, scheduledAt: nil, app: app, source: "t", on: app.db)
                    == .failure(.ownRevision))
            // Editing is closed while in review; the reviewer returns it, the editor saves, and the reviewer can approve that.
            #expect(try await EditorialService.saveArticle(item: id, f, expectedRevision: 1, by: editor, app: app, source: "t", on: app.db) == .failure(.notAllowed))
            _ = try await EditorialService.act(item: id, .returnWithComments, expectedRevision: 1, by: reviewer, comment: "Another pair of eyes, please.",
                                               scheduledAt: nil, app: app, source: "t", on: app.db)
            #expect(try await EditorialService.saveArticle(item: id, f, expectedRevision: 1, by: editor, app: app, source: "t", on: app.db) == .success(2))
            _ = try await EditorialService.act(item: id, .submitForReview, expectedRevision: 2, by: editor, comment: nil, scheduledAt: nil, app: app, source: "t", on: app.db)
            #expect(try await EditorialService.act(item: id, .approve, expectedRevision: 2, by: reviewer, comment: nil, scheduledAt: nil, app: app, source: "t", on: app.db)
                    == .success(.approved))
            let at = testNow.addingTimeInterval(3_600)
            #expect(try await EditorialService.act(item: id, .schedule, expectedRevision: 2, by: editor, comment: nil, scheduledAt: testNow.addingTimeInterval(-1), app: app,
                                                   source: "t", on: app.db) == .failure(.missing("scheduled_at")))
            #expect(try await EditorialService.act(item: id, .schedule, expectedRevision: 2, by: editor, comment: nil, scheduledAt: at, app: app, source: "t", on: app.db)
                    == .success(.scheduled))
            #expect(try await EditorialService.publishDue(app: app) == 0)
            #expect(try await app.testing().sendRequest(.GET, "/magazine/\(f.slug)").status == .notFound)
            clock.advance(3_601)
            #expect(try await EditorialService.publishDue(app: app) == 1)
            #expect(try await app.testing().sendRequest(.GET, "/magazine/\(f.slug)").status == .ok)
            #expect(try await EditorialService.publishDue(app: app) == 0)
            let item = try #require(try await EditorialService.item(id, on: app.db))
            #expect(item.statusValue == .published && item.live_revision == 2)
            #expect(item.review_due_at == ReviewSchedule.due(after: testNow))
        }
    }
}
