import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Form guards")
struct FormGuardTests {
    @Test("Every state-changing form refuses a POST without its CSRF token (403), signed in or not")
    func csrfEverywhere() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let routes = ["/account/sign-in", "/account/sign-up", "/account/sign-out", "/account/reset", "/account/verify",
                          "/account/verify/resend", "/account/password", "/account/two-factor", "/account/two-factor/setup",
                          "/account/api-tokens", "/account/delete", "/consult/patrick-tonnard-md-phd",
                          "/cases/\(reference)/reply", "/cases/\(reference)/withdraw", "/inbox/\(reference)/actions"]
            let open: Set<String> = ["/account/sign-in", "/account/sign-up", "/account/reset", "/account/verify", "/account/verify/resend",
                                     "/consult/patrick-tonnard-md-phd"]
            let anonymous = Browser(app)
            for browser in [anonymous, patient] {
                for route in routes {
                    let res = try await browser.post(route, [("email", Demo.patient.email), ("password", Demo.patient.password), ("confirm", "yes")])
                    // Signed out, a private route sends the visitor to sign in before it reads the form.
                    let want: HTTPStatus = browser === anonymous && !open.contains(route) ? .seeOther : .forbidden
                    #expect(res.status == want, "\(route) → \(res.status)")
                }
            }
            // Nothing changed: the case is still there and the patient still signed in.
            #expect(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first()?.status == CaseStatus.submitted.rawValue)
            #expect(try await patient.get("/cases").status == .ok)
        }
    }

    @Test("Sign-up, reset and submissions are rate limited too (429 with Retry-After)")
    func otherRateLimits() async throws {
        var limits = AppConfig.RateLimits()
        limits.signUpPerAddress = 1
        limits.resetPerAddress = 1
        limits.submissionsPerAddress = 1
        try await withTestApp(rateLimits: limits) { app in
            let browser = Browser(app)
            #expect(try await browser.submit("/account/sign-up", [("name", "A"), ("email", "r1@example.org"), ("password", "amber-river-lamp-77"), ("terms", "yes")]).status == .ok)
            let signUp = try await browser.submit("/account/sign-up", [("name", "A"), ("email", "r2@example.org"), ("password", "amber-river-lamp-77"), ("terms", "yes")])
            #expect(signUp.status == .tooManyRequests)
            #expect(signUp.headers.first(name: "Retry-After") != nil)
            #expect(try await browser.submit("/account/reset", [("email", "r1@example.org")]).status == .ok)
            #expect(try await browser.submit("/account/reset", [("email", "r1@example.org")]).status == .tooManyRequests)
            #expect(try await Browser(app).sendConsultation(guestEmail: "g1@example.org").status == .seeOther)
            let second = try await Browser(app).sendConsultation(guestEmail: "g2@example.org")
            #expect(second.status == .tooManyRequests)
            #expect(try await ConsultationCase.query(on: app.db).count() == 1)
        }
    }

    @Test("The development mailbox does not exist in production")
    func mailboxNotInProduction() async throws {
        let app = try await Application.make(.production)
        do {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("careabroad-prod-\(UUID().uuidString).sqlite").path
            try await configure(app, config: AppConfig(database: .sqlite(path: path), seedDemoOnEmpty: false, masterKey: testMasterKey, bcryptCost: 4),
                                clock: .fixed(testNow))
            try await app.autoMigrate()
            #expect(try await app.testing().sendRequest(.GET, "/dev/mailbox").status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/healthz").status == .ok)
            try await app.asyncShutdown()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}
