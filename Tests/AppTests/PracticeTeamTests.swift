import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Practice team")
struct PracticeTeamTests {
    static let newcomer = "new.colleague@example.org"
    static let password = "harbour-violet-ledger-81"

    /// The owner invites `email`; returns the emailed link's path and query.
    static func invite(_ owner: Browser, _ app: Application, email: String = newcomer, role: String = "staff") async throws -> String {
        #expect(try await owner.submit("/practice/team", [("action", "invite"), ("email", email), ("role", role)]).status == .seeOther)
        return try await mailedLink(app, to: email, prefix: "/invitations?token=")
    }

    @Test("The owner invites a colleague by email; the colleague creates an account, must set up the second factor before any staff page, joins the team, and the owner sees who did what")
    func inviteAndJoin() async throws {
        try await withTestApp { app in
            let owner = try await staffBrowser(app)
            let link = try await Self.invite(owner, app)
            // The mail's body is sealed at rest in the outbox; the token is only stored as its digest.
            let token = try #require(link.split(separator: "=").last.map(String.init))
            #expect(try await (app.db as! any SQLDatabase).select().column("id").from("staff_invitations").all().map { try $0.decode(column: "id", as: String.self) }
                    == [SecretToken.digest(token)])

            let newcomer = Browser(app)
            let page = try await newcomer.get(link)
            #expect(page.status == .ok && page.text.contains("Tonnard"))
            let weak = try await newcomer.submit(link, to: "/invitations", [("token", token), ("name", "Nora Sample"), ("password", "short")])
            #expect(weak.status == .unprocessableEntity)
            let created = try await newcomer.submit(link, to: "/invitations", [("token", token), ("name", "Nora Sample"), ("password", Self.password)])
            #expect(created.status == .seeOther)
            #expect(created.headers.first(name: .location) == "/account/two-factor/setup")
            // No staff page before the second factor.
            #expect(try await newcomer.get("/practice").status == .seeOther)
            let setup = try await newcomer.get("/account/two-factor/setup").text
            let secretText = try #require(Browser.hiddenValue("secret", in: setup))
            let secret = try #require(SignInCode.decodeBase32(secretText))
            let code = SignInCode.code(secret: secret, counter: SignInCode.counter(at: app.clock.now()))
            #expect(try await newcomer.submit("/account/two-factor/setup", [("secret", secretText), ("code", code)]).status == .seeOther)
            #expect(try await newcomer.get("/practice").status == .ok)
            #expect(try await newcomer.get("/inbox").status == .ok)
            // The link works once.
            #expect(try await Browser(app).get(link).status == .notFound)

            let team = try await owner.get("/practice/team").text
            #expect(team.contains("Nora Sample"))
            #expect(team.contains("Invited a member"))
            #expect(team.contains("Joined the team"))
            // Staff see the team but cannot change it.
            #expect(!(try await newcomer.get("/practice/team").text.contains("Send the invitation")))
            let token2 = try #require(Browser.csrf(in: try await newcomer.get("/practice/profile").text))
            #expect(try await newcomer.post("/practice/team", [("action", "invite"), ("email", "x@example.org"), ("role", "owner"), ("csrf", token2)]).status == .forbidden)
        }
    }

    @Test("Removing a member ends their access at once; the last owner cannot be removed; a withdrawn invitation no longer works")
    func removeAndRevoke() async throws {
        try await withTestApp { app in
            let owner = try await staffBrowser(app)
            let link = try await Self.invite(owner, app)
            let token = try #require(link.split(separator: "=").last.map(String.init))
            let colleague = Browser(app)
            _ = try await colleague.submit(link, to: "/invitations", [("token", token), ("name", "Nora Sample"), ("password", Self.password)])
            let colleagueID = try #require(try await User.query(on: app.db).filter(\.$email == Self.newcomer).first()?.id)
            #expect(try await owner.submit("/practice/team", [("action", "remove"), ("user", "\(colleagueID)")]).status == .seeOther)
            #expect(try await Membership.query(on: app.db).filter(\.$user.$id == colleagueID).count() == 0)
            #expect(try await UserSession.query(on: app.db).filter(\.$user.$id == colleagueID).count() == 0)
            #expect(try await colleague.get("/practice").status == .seeOther)

            let ownerID = try #require(try await User.query(on: app.db).filter(\.$email == Demo.staff.email).first()?.id)
            #expect(try await owner.submit("/practice/team", [("action", "remove"), ("user", "\(ownerID)")]).status == .conflict)

            let second = try await Self.invite(owner, app, email: "second@example.org")
            let secondToken = try #require(second.split(separator: "=").last.map(String.init))
            #expect(try await owner.submit("/practice/team", [("action", "revoke"), ("invitation", SecretToken.digest(secondToken))]).status == .seeOther)
            #expect(try await Browser(app).get(second).status == .notFound)
            #expect(try await Browser(app).submit("/account/sign-in", to: "/invitations", [("token", secondToken), ("name", "X"), ("password", Self.password)]).status == .notFound)
        }
    }

    @Test("An invitation cannot be used by another account, nor twice at once")
    func wrongAccountAndRace() async throws {
        try await withTestApp { app in
            let owner = try await staffBrowser(app)
            let link = try await Self.invite(owner, app)
            let token = try #require(link.split(separator: "=").last.map(String.init))
            // Signed in as another practice's staff: refused, nothing joined.
            let other = try await staffBrowser(app, Demo.lale.email, Demo.lale.password)
            let page = try await other.get(link)
            #expect(page.text.contains("This invitation is for \(Self.newcomer)"))
            let csrf = try #require(Browser.csrf(in: try await other.get("/practice/profile").text))
            #expect(try await other.post("/invitations", [("token", token), ("csrf", csrf)]).status == .conflict)
            // Twenty browsers racing with the same link: one account, one membership.
            var tabs: [(Browser, String)] = []
            for _ in 0..<OnceTests.attempts {
                let b = Browser(app)
                tabs.append((b, try #require(Browser.csrf(in: try await b.get(link).text))))
            }
            let all = tabs
            let statuses = try await OnceTests.race { i in
                try await all[i].0.post("/invitations", [("token", token), ("name", "Racer \(i)"), ("password", Self.password), ("csrf", all[i].1)]).status
            }
            OnceTests.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .seeOther }.count == 1)
            #expect(try await User.query(on: app.db).filter(\.$email == Self.newcomer).count() == 1)
            let id = try #require(try await User.query(on: app.db).filter(\.$email == Self.newcomer).first()?.id)
            #expect(try await Membership.query(on: app.db).filter(\.$user.$id == id).count() == 1)
        }
    }

    @Test("Two owners removing each other at once: one removal wins, the practice keeps an owner")
    func ownersRace() async throws {
        try await withTestApp { app in
            let first = try await staffBrowser(app)
            let link = try await Self.invite(first, app, role: "owner")
            let token = try #require(link.split(separator: "=").last.map(String.init))
            let second = Browser(app)
            _ = try await second.submit(link, to: "/invitations", [("token", token), ("name", "Nora Sample"), ("password", Self.password)])
            let setup = try await second.get("/account/two-factor/setup").text
            let secretText = try #require(Browser.hiddenValue("secret", in: setup))
            let code = SignInCode.code(secret: try #require(SignInCode.decodeBase32(secretText)), counter: SignInCode.counter(at: app.clock.now()))
            #expect(try await second.submit("/account/two-factor/setup", [("secret", secretText), ("code", code)]).status == .seeOther)
            let firstID = try #require(try await User.query(on: app.db).filter(\.$email == Demo.staff.email).first()?.id)
            let secondID = try #require(try await User.query(on: app.db).filter(\.$email == Self.newcomer).first()?.id)
            let tokens = (try #require(Browser.csrf(in: try await first.get("/practice/team").text)), try #require(Browser.csrf(in: try await second.get("/practice/team").text)))
            let statuses = try await OnceTests.race { i in
                i % 2 == 0
                    ? try await first.post("/practice/team", [("action", "remove"), ("user", "\(secondID)"), ("csrf", tokens.0)]).status
                    : try await second.post("/practice/team", [("action", "remove"), ("user", "\(firstID)"), ("csrf", tokens.1)]).status
            }
            OnceTests.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .seeOther }.count == 1)
            let surgeonID = try #require(try await Practitioner.query(on: app.db).filter(\.$slug == DemoAccounts.featuredSurgeonSlug).first()?.id)
            #expect(try await Membership.query(on: app.db).filter(\.$practitioner.$id == surgeonID).filter(\.$role == "owner").count() == 1)
        }
    }
}
