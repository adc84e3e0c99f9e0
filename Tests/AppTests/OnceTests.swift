import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

/// "Once" means one conditional write: 20 requests at once, exactly one winner, no 5xx — on SQLite and on
/// PostgreSQL (CI runs the suite on both; PostgreSQL has no write gate to hide a race).
@Suite("Used once")
struct OnceTests {
    static let attempts = 20

    /// Limits high enough that only the one-time rule can refuse a request.
    static var limits: AppConfig.RateLimits {
        var l = AppConfig.RateLimits()
        l.signInPerAccount = 1_000; l.signInPerAddress = 1_000; l.signUpPerAddress = 1_000; l.resetPerAddress = 1_000
        l.submissionsPerAccount = 1_000; l.submissionsPerAddress = 1_000
        return l
    }

    /// Runs `attempts` copies of `request` at once and returns their statuses.
    static func race(_ request: @escaping @Sendable (Int) async throws -> HTTPStatus) async throws -> [HTTPStatus] {
        try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
            for i in 0..<attempts { group.addTask { try await request(i) } }
            var all: [HTTPStatus] = []
            for try await status in group { all.append(status) }
            return all
        }
    }

    static func noServerErrors(_ statuses: [HTTPStatus], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(statuses.allSatisfy { $0.code < 500 }, "\(statuses.map(\.code))", sourceLocation: sourceLocation)
    }

    /// A browser on the form page: its cookies and the token the page carries.
    static func browserWithToken(_ app: Application, _ page: String) async throws -> (Browser, String) {
        let b = Browser(app)
        let html = try await b.get(page).text
        return (b, try #require(Browser.csrf(in: html)))
    }

    @Test("One email-verification link, 20 requests at once: one confirms, the others are told the link is used")
    func verificationLink() async throws {
        try await withTestApp(rateLimits: Self.limits) { app in
            let signUp = Browser(app)
            #expect(try await signUp.submit("/account/sign-up", [("name", "Once"), ("email", "once@example.org"), ("password", AccountTests.password), ("terms", "yes")]).status == .ok)
            let link = try await mailedLink(app, to: "once@example.org", prefix: "/account/verify?token=")
            let token = String(link.split(separator: "=").last!)
            var browsers: [(Browser, String)] = []
            for _ in 0..<Self.attempts { browsers.append(try await Self.browserWithToken(app, link)) }
            let tabs = browsers
            let statuses = try await Self.race { i in
                try await tabs[i].0.post("/account/verify", [("token", token), ("csrf", tabs[i].1)]).status
            }
            Self.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses.map(\.code))")
            #expect(statuses.filter { $0 == .notFound }.count == Self.attempts - 1)
            #expect(try await UserSession.query(on: app.db).join(User.self, on: \UserSession.$user.$id == \User.$id)
                .filter(User.self, \.$email == "once@example.org").count() == 1)
        }
    }

    @Test("One reset link, 20 new passwords at once: exactly one is set")
    func resetLink() async throws {
        try await withTestApp(rateLimits: Self.limits) { app in
            let (b, t) = try await Self.browserWithToken(app, "/account/reset")
            #expect(try await b.post("/account/reset", [("email", Demo.patient.email), ("csrf", t)]).status == .ok)
            let link = try await mailedLink(app, to: Demo.patient.email, prefix: "/account/reset?token=")
            let token = String(link.split(separator: "=").last!)
            var browsers: [(Browser, String)] = []
            for _ in 0..<Self.attempts { browsers.append(try await Self.browserWithToken(app, link)) }
            let tabs = browsers
            let statuses = try await Self.race { i in
                try await tabs[i].0.post("/account/reset", [("token", token), ("password", "granite-orchard-\(i)-lantern-x"), ("csrf", tabs[i].1)]).status
            }
            Self.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses.map(\.code))")
            #expect(statuses.filter { $0 == .notFound }.count == Self.attempts - 1)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "account.password-change").count() == 1)
        }
    }

    @Test("One sign-in code, 20 requests at once: one session completes the second factor")
    func signInCode() async throws {
        try await withTestApp(rateLimits: Self.limits) { app in
            let user = try #require(try await User.query(on: app.db).filter(\.$email == Demo.staff.email).first())
            let secret = try app.vault.openWithMaster(try #require(user.totpSecret), context: "totp:\(user.id!)")
            var browsers: [(Browser, String)] = []
            for _ in 0..<Self.attempts {
                let b = Browser(app)
                let res = try await b.submit("/account/sign-in", [("email", Demo.staff.email), ("password", Demo.staff.password)])
                #expect(res.headers.first(name: .location) == "/account/two-factor")
                browsers.append((b, try #require(Browser.csrf(in: try await b.get("/account/two-factor").text))))
            }
            let code = SignInCode.code(secret: secret, counter: SignInCode.counter(at: app.clock.now()))
            let tabs = browsers
            let statuses = try await Self.race { i in
                try await tabs[i].0.post("/account/two-factor", [("code", code), ("csrf", tabs[i].1)]).status
            }
            Self.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses.map(\.code))")
            #expect(statuses.filter { $0 == .unauthorized }.count == Self.attempts - 1)
            #expect(try await UserSession.query(on: app.db).filter(\.$user.$id == user.id!).filter(\.$secondFactorDone == true).count() == 1)
        }
    }

    @Test("20 sign-ups with one new address at once: one account, every answer the same, no 5xx")
    func signUpRace() async throws {
        try await withTestApp(rateLimits: Self.limits) { app in
            var browsers: [(Browser, String)] = []
            for _ in 0..<Self.attempts { browsers.append(try await Self.browserWithToken(app, "/account/sign-up")) }
            let tabs = browsers
            let statuses = try await Self.race { i in
                try await tabs[i].0.post("/account/sign-up", [("name", "Racer"), ("email", "racer@example.org"),
                                                                  ("password", AccountTests.password), ("terms", "yes"), ("csrf", tabs[i].1)]).status
            }
            Self.noServerErrors(statuses)
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses.map(\.code))")
            #expect(try await User.query(on: app.db).filter(\.$email == "racer@example.org").count() == 1)
        }
    }

    @Test("20 staff actions on one case at once: one marks it in review, the others are told it changed")
    func inboxAction() async throws {
        try await withTestApp(rateLimits: Self.limits) { app in
            let (_, reference) = try await patientWithCase(app)
            let staff = Browser(app)
            #expect(try await staff.signIn(Demo.staff.email, Demo.staff.password).status == .seeOther)
            let token = try #require(Browser.csrf(in: try await staff.get("/inbox/\(reference)").text))
            let copies = (0..<Self.attempts).map { _ in staff.copy() }
            let statuses = try await Self.race { i in
                try await copies[i].post("/inbox/\(reference)/actions", [("action", "mark-in-review"), ("csrf", token)]).status
            }
            Self.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses.map(\.code))")
            #expect(statuses.filter { $0 == .conflict }.count == Self.attempts - 1)
            let caseID = try #require(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first()?.id)
            #expect(try await CaseEvent.query(on: app.db).filter(\.$consultation.$id == caseID).filter(\.$kind == "mark-in-review").count() == 1)
        }
    }

    @Test("20 withdrawals of one case at once: one withdraws it, the others are told it is already withdrawn")
    func withdrawal() async throws {
        try await withTestApp(rateLimits: Self.limits) { app in
            let (patient, reference) = try await patientWithCase(app)
            let token = try #require(Browser.csrf(in: try await patient.get("/cases/\(reference)").text))
            let copies = (0..<Self.attempts).map { _ in patient.copy() }
            let statuses = try await Self.race { i in
                try await copies[i].post("/cases/\(reference)/withdraw", [("confirm", "yes"), ("csrf", token)]).status
            }
            Self.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses.map(\.code))")
            #expect(statuses.filter { $0 == .conflict }.count == Self.attempts - 1)
            let caseID = try #require(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first()?.id)
            #expect(try await CaseEvent.query(on: app.db).filter(\.$consultation.$id == caseID).filter(\.$kind == "withdraw").count() == 1)
        }
    }
}

@Suite("Second-factor enrolment once")
struct EnrolmentOnceTests {
    @Test("20 enrolments of one account at once (each with its own secret): exactly one secret is kept and completes a session")
    func enrolOnce() async throws {
        try await withTestApp(rateLimits: OnceTests.limits) { app in
            let hash: String = try app.password.sync.hash(Passwords.prepared("enrol-amber-window-73"))
            let user = User(email: "new.staff@example.org", passwordHash: hash, displayName: "New staff", role: .provider, now: testNow)
            user.emailVerifiedAt = testNow
            try await user.create(on: app.db)
            var tabs: [(Browser, String, String)] = []
            for _ in 0..<OnceTests.attempts {
                let b = Browser(app)
                #expect(try await b.submit("/account/sign-in", [("email", "new.staff@example.org"), ("password", "enrol-amber-window-73")]).status == .seeOther)
                let page = try await b.get("/account/two-factor/setup").text
                tabs.append((b, try #require(Browser.csrf(in: page)), try #require(Browser.hiddenValue("secret", in: page))))
            }
            let all = tabs
            let statuses = try await OnceTests.race { i in
                let secret = try #require(SignInCode.decodeBase32(all[i].2))
                let code = SignInCode.code(secret: secret, counter: SignInCode.counter(at: app.clock.now()))
                return try await all[i].0.post("/account/two-factor/setup", [("secret", all[i].2), ("code", code), ("csrf", all[i].1)]).status
            }
            OnceTests.noServerErrors(statuses)
            let stored = try #require(try await User.find(user.id, on: app.db)?.totpSecret)
            let kept = try app.vault.openWithMaster(stored, context: "totp:\(user.id!)")
            let winners = all.indices.filter { SignInCode.decodeBase32(all[$0].2) == kept }
            #expect(winners.count == 1)
            #expect(try await UserSession.query(on: app.db).filter(\.$user.$id == user.id!).filter(\.$secondFactorDone == true).count() == 1)
        }
    }
}

extension Browser {
    /// Another browser with the same cookies (a second tab): one per concurrent request, since a browser's cookie
    /// jar is not shared between tasks.
    func copy() -> Browser {
        let b = Browser(app)
        b.cookies = cookies
        b.origin = origin
        return b
    }
}
