import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Accounts and sessions")
struct AccountTests {
    static let password = "orchid-lantern-harbour-31"

    /// Signs up and verifies `email`; returns the browser, signed in.
    static func verifiedPatient(_ app: Application, email: String = "pat@example.org") async throws -> Browser {
        let browser = Browser(app)
        let res = try await browser.submit("/account/sign-up", [("name", "Pat Example"), ("email", email), ("password", password), ("terms", "yes")])
        #expect(res.status == .ok)
        let link = try await mailedLink(app, to: email, prefix: "/account/verify?token=")
        let confirm = try await browser.submit(link, to: "/account/verify", [("token", String(link.split(separator: "=").last!))])
        #expect(confirm.status == .seeOther)
        return browser
    }

    @Test("Sign-up sends a verification link; the session cookie is HttpOnly and SameSite=Lax")
    func signUpAndVerify() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let res = try await browser.submit("/account/sign-up", [("name", "Pat Example"), ("email", "Pat@Example.org"), ("password", Self.password), ("terms", "yes")])
            #expect(res.status == .ok)
            #expect(res.text.contains("Check your email"))
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "pat@example.org").first())
            #expect(user.emailVerifiedAt == nil)
            #expect(user.passwordHash.hasPrefix("$2"))
            let link = try await mailedLink(app, to: "pat@example.org", prefix: "/account/verify?token=")
            // GET shows a button and changes nothing.
            let page = try await browser.get(link)
            #expect(page.status == .ok)
            #expect(try await User.find(user.id, on: app.db)?.emailVerifiedAt == nil)
            let confirm = try await browser.post("/account/verify", [("token", String(link.split(separator: "=").last!)), ("csrf", Browser.csrf(in: page.text)!)])
            #expect(confirm.status == .seeOther)
            let cookie = try #require(confirm.headers[.setCookie].first { $0.hasPrefix("careabroad_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"))
            #expect(try await User.find(user.id, on: app.db)?.emailVerifiedAt != nil)
            // The link works once.
            let again = try await browser.post("/account/verify", [("token", String(link.split(separator: "=").last!)), ("csrf", Browser.csrf(in: page.text) ?? "")])
            #expect(again.status == .notFound || again.status == .forbidden)
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "account.verify-email").count()
            #expect(audit == 1)
        }
    }

    @Test("Signing up with an address that has an account answers the same and tells the owner by email")
    func noEnumerationAtSignUp() async throws {
        try await withTestApp { app in
            let a = try await Browser(app).submit("/account/sign-up", [("name", "A"), ("email", Demo.patient.email), ("password", Self.password), ("terms", "yes")])
            let b = try await Browser(app).submit("/account/sign-up", [("name", "A"), ("email", "new@example.org"), ("password", Self.password), ("terms", "yes")])
            #expect(a.status == b.status)
            #expect(Self.withoutTokens(a.text) == Self.withoutTokens(b.text))
            let mail = try await deliverMail(app)
            #expect(mail.contains { $0.recipient == Demo.patient.email && $0.subject.contains("already") == false && $0.body.contains("/account/sign-in") })
        }
    }

    static func withoutTokens(_ html: String) -> String {
        html.replacingOccurrences(of: #"name="csrf" value="[^"]*""#, with: "", options: .regularExpression)
    }

    @Test("Unknown email and wrong password get the same answer; refusals are audited")
    func sameAnswerForUnknownAndWrong() async throws {
        try await withTestApp { app in
            let wrong = try await Browser(app).submit("/account/sign-in", [("email", Demo.patient.email), ("password", "not-the-right-password")])
            let unknown = try await Browser(app).submit("/account/sign-in", [("email", "nobody@example.org"), ("password", "not-the-right-password")])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == wrong.status)
            #expect(Self.withoutTokens(wrong.text).replacingOccurrences(of: Demo.patient.email, with: "X")
                    == Self.withoutTokens(unknown.text).replacingOccurrences(of: "nobody@example.org", with: "X"))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "account.sign-in").filter(\.$outcome == "denied").count() == 2)
        }
    }

    @Test("Sign-in gives a new session id; the old cookie is dead; sign-out ends the session on the server")
    func sessionRotationAndSignOut() async throws {
        try await withTestApp { app in
            let browser = try await Self.verifiedPatient(app)
            let first = try #require(browser.sessionCookie)
            // Signing in again from the same browser (the form of another tab) replaces the session.
            let again = try await browser.submit("/account", to: "/account/sign-in", [("email", "pat@example.org"), ("password", Self.password)])
            #expect(again.status == .seeOther)
            let second = try #require(browser.sessionCookie)
            #expect(first != second)
            let replay = Browser(app)
            replay.cookies = ["careabroad_session": first]
            #expect(try await replay.get("/cases").status == .seeOther)
            #expect(try await browser.get("/cases").status == .ok)
            // Sign-out.
            let home = try await browser.get("/account")
            #expect(home.status == .ok, "\(home.status) \(home.headers)")
            let out = try await browser.submit("/account", to: "/account/sign-out", [])
            #expect(out.status == .seeOther)
            let stolen = Browser(app)
            stolen.cookies = ["careabroad_session": second]
            let after = try await stolen.get("/cases")
            #expect(after.status == .seeOther)
            #expect(after.headers.first(name: .location)?.hasPrefix("/account/sign-in") == true)
        }
    }

    @Test("Sessions end after 30 idle minutes and after 12 hours in any case")
    func timeouts() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            let browser = try await Self.verifiedPatient(app)
            clock.advance(29 * 60)
            #expect(try await browser.get("/cases").status == .ok)
            clock.advance(31 * 60)
            #expect(try await browser.get("/cases").status == .seeOther)

            let busy = try await Self.verifiedPatient(app, email: "busy@example.org")
            for _ in 0..<24 {
                clock.advance(29 * 60)
                _ = try await busy.get("/cases")
            }
            // 11.6 hours of activity: still in; past 12 hours: out, however active.
            #expect(try await busy.get("/cases").status == .ok)
            clock.advance(29 * 60)
            #expect(try await busy.get("/cases").status == .seeOther)
        }
    }

    @Test("A password change ends every other session; a reset link ends them all and works once")
    func passwordChangeAndReset() async throws {
        try await withTestApp { app in
            let laptop = try await Self.verifiedPatient(app)
            let phone = Browser(app)
            #expect(try await phone.signIn("pat@example.org", Self.password).status == .seeOther)
            let newPassword = "copper-violet-window-77"
            let changed = try await laptop.submit("/account/password", [("current", Self.password), ("password", newPassword)])
            #expect(changed.status == .seeOther)
            #expect(try await phone.get("/cases").status == .seeOther)
            #expect(try await laptop.get("/cases").status == .ok)

            // Reset by email.
            let stranger = Browser(app)
            let asked = try await stranger.submit("/account/reset", [("email", "pat@example.org")])
            let unknown = try await Browser(app).submit("/account/reset", [("email", "nobody@example.org")])
            #expect(asked.status == .ok && unknown.status == .ok)
            #expect(Self.withoutTokens(asked.text) == Self.withoutTokens(unknown.text))
            let link = try await mailedLink(app, to: "pat@example.org", prefix: "/account/reset?token=")
            let token = String(link.split(separator: "=").last!)
            let weak = try await stranger.submit(link, to: "/account/reset", [("token", token), ("password", "short")])
            #expect(weak.status == .unprocessableEntity)
            let done = try await stranger.submit(link, to: "/account/reset", [("token", token), ("password", "meadow-signal-quartz-40")])
            #expect(done.status == .ok)
            #expect(try await laptop.get("/cases").status == .seeOther)
            let reused = try await stranger.get(link)
            #expect(reused.status == .notFound)
            #expect(try await Browser(app).signIn("pat@example.org", "meadow-signal-quartz-40").status == .seeOther)
        }
    }

    @Test("Too many failed sign-ins → 429 with Retry-After; allowed again after the window")
    func rateLimit() async throws {
        let clock = TestClock()
        var limits = AppConfig.RateLimits()
        limits.signInPerAccount = 3
        try await withTestApp(rateLimits: limits, clock: clock.appClock) { app in
            let browser = Browser(app)
            for _ in 0..<3 {
                #expect(try await browser.submit("/account/sign-in", [("email", Demo.patient.email), ("password", "wrong-password-x")]).status == .unauthorized)
            }
            let limited = try await browser.submit("/account/sign-in", [("email", Demo.patient.email), ("password", Demo.patient.password)])
            #expect(limited.status == .tooManyRequests)
            let retry = try #require(limited.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect(retry > 0 && retry <= limits.window)
            clock.advance(TimeInterval(limits.window + 1))
            #expect(try await browser.submit("/account/sign-in", [("email", Demo.patient.email), ("password", Demo.patient.password)]).status == .seeOther)
        }
    }

    @Test("Staff need a one-time code: no session without it, and a used code is refused")
    func secondFactor() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let first = try await browser.submit("/account/sign-in", [("email", Demo.staff.email), ("password", Demo.staff.password)])
            #expect(first.headers.first(name: .location) == "/account/two-factor")
            // Password alone: the inbox is not open.
            #expect(try await browser.get("/inbox").status == .seeOther)
            let user = try #require(try await User.query(on: app.db).filter(\.$email == Demo.staff.email).first())
            let secret = try app.vault.openWithMaster(try #require(user.totpSecret), context: "totp:\(user.id!)")
            let code = SignInCode.code(secret: secret, counter: SignInCode.counter(at: app.clock.now()))
            let wrong = try await browser.submit("/account/two-factor", [("code", code == "000000" ? "111111" : "000000")])
            #expect(wrong.status == .unauthorized)
            let ok = try await browser.submit("/account/two-factor", [("code", code)])
            #expect(ok.status == .seeOther)
            #expect(try await browser.get("/inbox").status == .ok)
            // The same code a second time, in another browser: refused.
            let other = Browser(app)
            _ = try await other.submit("/account/sign-in", [("email", Demo.staff.email), ("password", Demo.staff.password)])
            #expect(try await other.submit("/account/two-factor", [("code", code)]).status == .unauthorized)
        }
    }

    @Test("Passwords: 12 to 128 characters, common ones refused, at sign-up")
    func passwordRules() async throws {
        try await withTestApp { app in
            for (password, ok) in [("elevenchars", false), ("twelve chars", true), (String(repeating: "ab1 ", count: 32), true),
                                   (String(repeating: "x", count: 129), false), ("password1234", false), ("qwertyuiop12", false)] {
                let res = try await Browser(app).submit("/account/sign-up", [("name", "A"), ("email", "p\(password.count)@example.org"), ("password", password), ("terms", "yes")])
                #expect((res.status == .ok) == ok, "\(password.prefix(20)): \(res.status)")
            }
        }
    }
}
