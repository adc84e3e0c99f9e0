import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import NIOConcurrencyHelpers
@testable import App
import Domain

/// Counts the password work done, to show two answers cost the same without timing them.
final class CountingHasher: PasswordHasher {
    let inner: any PasswordHasher
    let counts = NIOLockedValueBox((hash: 0, verify: 0))
    init(_ inner: any PasswordHasher) { self.inner = inner }
    func hash<Password: DataProtocol>(_ password: Password) throws -> [UInt8] {
        counts.withLockedValue { $0.hash += 1 }
        return try inner.hash(password)
    }
    func verify<Password: DataProtocol, Digest: DataProtocol>(_ password: Password, created digest: Digest) throws -> Bool {
        counts.withLockedValue { $0.verify += 1 }
        return try inner.verify(password, created: digest)
    }
    var total: Int { counts.withLockedValue { $0.hash + $0.verify } }
}

/// Bcrypt at the test cost, through Vapor's `Bcrypt`.
struct TestBcrypt: PasswordHasher {
    func hash<Password: DataProtocol>(_ password: Password) throws -> [UInt8] {
        Array(try Bcrypt.hash(String(decoding: Array(password), as: UTF8.self), cost: 4).utf8)
    }
    func verify<Password: DataProtocol, Digest: DataProtocol>(_ password: Password, created digest: Digest) throws -> Bool {
        try Bcrypt.verify(String(decoding: Array(password), as: UTF8.self), created: String(decoding: Array(digest), as: UTF8.self))
    }
}

@Suite("Guest requests and existing accounts")
struct GuestRequestTests {
    @Test("A guest giving an existing account's address is asked for its password; nothing is stored under it without it")
    func existingAddress() async throws {
        try await withTestApp(rateLimits: OnceTests.limits) { app in
            let patientID = try #require(try await User.query(on: app.db).filter(\.$email == Demo.patient.email).first()?.id)
            let before = try await ConsultationCase.query(on: app.db).filter(\.$patient.$id == patientID).count()
            let stranger = Browser(app)
            let res = try await stranger.sendConsultation(extra: ConsultAnswers.consent + [("name", "Stranger"), ("email", Demo.patient.email),
                                                                                         ("password", "stranger-guess-amber-9")])
            #expect(res.status == .unprocessableEntity)
            #expect(res.text.contains("An account already uses this email address"))
            // What was typed is kept (the answers travel in the page), the password is not echoed.
            #expect(res.text.contains(ConsultAnswers.secretConcern))
            #expect(!res.text.contains("stranger-guess-amber-9"))
            #expect(try await ConsultationCase.query(on: app.db).filter(\.$patient.$id == patientID).count() == before)
            #expect(stranger.sessionCookie == nil)

            // The owner, with the right password, is signed in and the request is sent from the account.
            let owner = Browser(app)
            let sent = try await owner.sendConsultation(extra: ConsultAnswers.consent + [("name", "Alex"), ("email", Demo.patient.email),
                                                                                      ("password", Demo.patient.password)])
            #expect(sent.status == .seeOther)
            #expect(sent.headers.first(name: .location)?.hasPrefix("/cases/CA-") == true)
            #expect(owner.sessionCookie != nil)
            #expect(try await ConsultationCase.query(on: app.db).filter(\.$patient.$id == patientID).count() == before + 1)
        }
    }

    @Test("A new address and an existing one cost the same password work (one hash each), so timing tells nothing")
    func sameWork() async throws {
        try await withTestApp(rateLimits: OnceTests.limits) { app in
            let counter = CountingHasher(TestBcrypt())
            app.passwords.use { _ in counter }
            let a = try await Browser(app).sendConsultation(extra: ConsultAnswers.consent + ConsultAnswers.guest(email: "brand.new@example.org"))
            #expect(a.status == .seeOther)
            let newAddress = counter.total
            let b = try await Browser(app).sendConsultation(extra: ConsultAnswers.consent + ConsultAnswers.guest(email: Demo.patient.email))
            #expect(b.status == .unprocessableEntity)
            #expect(newAddress == 1)
            #expect(counter.total - newAddress == 1)
        }
    }

    @Test("Back and Continue from the last step keep the name, the email and the ticked consents")
    func lastStepKept() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let page = try await browser.get("/consult/patrick-tonnard-md-phd")
            let token = try #require(Browser.csrf(in: page.text))
            let last = ConsultAnswers.all() + [("name", "Kept Name"), ("email", "kept@example.org"), ("consent_health", "yes"), ("terms", "yes")]
            let back = try await browser.postMultipart("/consult/patrick-tonnard-md-phd", last + [("step", "4"), ("go", "back"), ("csrf", token)])
            #expect(back.status == .ok)
            #expect(Browser.hiddenValue("name", in: back.text) == "Kept Name")
            #expect(Browser.hiddenValue("email", in: back.text) == "kept@example.org")
            #expect(Browser.hiddenValue("consent_health", in: back.text) == "yes")
            // Continue: the last step shows them again.
            var fields: [(String, String)] = []
            for name in ["name", "email", "consent_health", "terms"] { fields.append((name, Browser.hiddenValue(name, in: back.text) ?? "")) }
            let again = try await browser.post("/consult/patrick-tonnard-md-phd", ConsultAnswers.all() + fields + [("step", "3"), ("go", "next"), ("csrf", token)])
            #expect(again.status == .ok)
            #expect(again.text.contains("value=\"Kept Name\""))
            #expect(again.text.contains("value=\"kept@example.org\""))
            let consent = startTags(in: again.text).first { $0.contains("name=\"consent_health\"") && $0.contains("checkbox") }
            #expect(consent?.contains("checked") == true)
        }
    }

    @Test("A returning guest whose address is not confirmed yet is told so, not that the password is wrong")
    func unconfirmedReturningGuest() async throws {
        try await withTestApp(rateLimits: OnceTests.limits) { app in
            let first = try await Browser(app).sendConsultation(extra: ConsultAnswers.consent + ConsultAnswers.guest(email: "returning@example.org"))
            #expect(first.status == .seeOther)
            let again = try await Browser(app).sendConsultation(extra: ConsultAnswers.consent + ConsultAnswers.guest(email: "returning@example.org"))
            #expect(again.status == .unprocessableEntity)
            #expect(again.text.contains("not confirmed yet"))
            #expect(!again.text.contains("This does not match"))
        }
    }
}
