import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

/// Whoever signs up first with someone else's address must not keep a way in once the owner confirms it.
@Suite("Unverified accounts")
struct UnverifiedAccountTests {
    @Test("An unconfirmed address cannot sign in (no session, no tokens); it is offered a new link instead")
    func noSignInBeforeConfirmation() async throws {
        try await withTestApp { app in
            let squatter = Browser(app)
            #expect(try await squatter.submit("/account/sign-up", [("name", "Squatter"), ("email", "victim@example.org"),
                                                                  ("password", AccountTests.password), ("terms", "yes")]).status == .ok)
            let res = try await squatter.submit("/account/sign-in", [("email", "victim@example.org"), ("password", AccountTests.password)])
            #expect(res.status == .forbidden)
            #expect(res.text.contains("Confirm your email address first"))
            #expect(squatter.sessionCookie == nil)
            #expect(try await UserSession.query(on: app.db).join(User.self, on: \UserSession.$user.$id == \User.$id)
                .filter(User.self, \.$email == "victim@example.org").count() == 0)
            // Nothing private opens, and no token can be made.
            #expect(try await squatter.get("/account/api-tokens").status == .seeOther)
            #expect(try await squatter.get("/account").status == .seeOther)
            // The page's button sends a new link (the same answer for any address).
            let resend = try await squatter.post("/account/verify/resend", [("email", try #require(Browser.hiddenValue("email", in: res.text))),
                                                                             ("csrf", try #require(Browser.csrf(in: res.text)))])
            #expect(resend.status == .ok)
            let links = try await deliverMail(app).filter { $0.recipient == "victim@example.org" && $0.body.contains("/account/verify?token=") }
            #expect(links.count == 2)
        }
    }

    @Test("Confirming the address ends every other session and API token the account had")
    func confirmingEndsEverythingElse() async throws {
        try await withTestApp { app in
            let squatter = Browser(app)
            #expect(try await squatter.submit("/account/sign-up", [("name", "Squatter"), ("email", "victim2@example.org"),
                                                                  ("password", AccountTests.password), ("terms", "yes")]).status == .ok)
            // A session and a token from before this release (or any other way in), written directly.
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "victim2@example.org").first())
            let oldSession = SecretToken.make(), oldToken = SecretToken.make()
            try await UserSession(id: SecretToken.digest(oldSession), userID: user.id!, now: testNow, secondFactorDone: true).create(on: app.db)
            try await APIToken(id: SecretToken.digest(oldToken), userID: user.id!, name: "squatter", now: testNow).create(on: app.db)
            // Before confirmation the old session opens nothing.
            let old = Browser(app)
            old.cookies["careabroad_session"] = oldSession
            #expect(try await old.get("/cases").status == .seeOther)

            let owner = Browser(app)
            let link = try await mailedLink(app, to: "victim2@example.org", prefix: "/account/verify?token=")
            #expect(try await owner.submit(link, to: "/account/verify", [("token", String(link.split(separator: "=").last!))]).status == .seeOther)
            #expect(try await owner.get("/cases").status == .ok)
            #expect(try await UserSession.find(SecretToken.digest(oldSession), on: app.db) == nil)
            #expect(try await APIToken.find(SecretToken.digest(oldToken), on: app.db)?.revokedAt != nil)
            let api = try await app.testing().sendRequest(.POST, "/api/v1/consultations",
                                                          headers: ["Authorization": "Bearer \(oldToken)", "Content-Type": "application/json"],
                                                          body: ByteBuffer(string: "{}"))
            #expect(api.status == .unauthorized)
        }
    }

    @Test("An older confirmation link clicked after the address is confirmed signs nobody out")
    func laterLinkKeepsSessions() async throws {
        try await withTestApp { app in
            let first = Browser(app)
            #expect(try await first.submit("/account/sign-up", [("name", "Twice"), ("email", "twice.link@example.org"),
                                                               ("password", AccountTests.password), ("terms", "yes")]).status == .ok)
            let oldLink = try await mailedLink(app, to: "twice.link@example.org", prefix: "/account/verify?token=")
            let resendPage = try await first.submit("/account/sign-in", [("email", "twice.link@example.org"), ("password", AccountTests.password)])
            _ = try await first.post("/account/verify/resend", [("email", "twice.link@example.org"), ("csrf", try #require(Browser.csrf(in: resendPage.text)))])
            let newLink = try await mailedLink(app, to: "twice.link@example.org", prefix: "/account/verify?token=")
            #expect(newLink != oldLink)
            let owner = Browser(app)
            #expect(try await owner.submit(newLink, to: "/account/verify", [("token", String(newLink.split(separator: "=").last!))]).status == .seeOther)
            #expect(try await owner.get("/cases").status == .ok)
            let other = Browser(app)
            #expect(try await other.submit(oldLink, to: "/account/verify", [("token", String(oldLink.split(separator: "=").last!))]).status == .seeOther)
            // The owner's session lives on.
            #expect(try await owner.get("/cases").status == .ok)
        }
    }
}
