import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App
import Domain

@Suite("No lockout by strangers")
struct LockoutTests {
    @Test("Strangers' failed attempts are throttled but do not lock the owner out of a device the owner used before")
    func deviceCookie() async throws {
        var limits = AppConfig.RateLimits()
        limits.signInPerAccount = 3
        limits.signInPerAddress = 1_000
        try await withTestApp(rateLimits: limits) { app in
            let owner = Browser(app)
            #expect(try await owner.signIn(Demo.patient.email, Demo.patient.password).status == .seeOther)
            #expect(owner.cookies["careabroad_device"] != nil)
            let token = try #require(Browser.csrf(in: try await owner.get("/account").text))
            _ = try await owner.post("/account/sign-out", [("csrf", token)])

            let stranger = Browser(app)
            var statuses: [HTTPStatus] = []
            for i in 0..<5 {
                statuses.append(try await stranger.submit("/account/sign-in", [("email", Demo.patient.email), ("password", "wrong-guess-\(i)-xx")]).status)
            }
            // The owner's first sign-in (before it had the cookie) used one of the three.
            #expect(statuses.prefix(2).allSatisfy { $0 == .unauthorized }, "\(statuses)")
            #expect(statuses.last == .tooManyRequests)
            // Another browser without the cookie is throttled too (the account's allowance for unknown devices)…
            #expect(try await Browser(app).submit("/account/sign-in", [("email", Demo.patient.email), ("password", Demo.patient.password)]).status == .tooManyRequests)
            // …but the owner's own browser still signs in.
            #expect(try await owner.signIn(Demo.patient.email, Demo.patient.password).status == .seeOther)
            #expect(try await owner.get("/cases").status == .ok)
        }
    }

    @Test("A device cookie is bound to its account and its expiry, and cannot be forged")
    func cookieBinding() {
        let key = SymmetricKey(size: .bits256)
        let cookie = DeviceCookie.make(email: "a@example.org", key: key, now: testNow)
        #expect(DeviceCookie.nonce(cookie, email: "a@example.org", key: key, now: testNow) != nil)
        #expect(DeviceCookie.nonce(cookie, email: "b@example.org", key: key, now: testNow) == nil)
        #expect(DeviceCookie.nonce(cookie, email: "a@example.org", key: SymmetricKey(size: .bits256), now: testNow) == nil)
        #expect(DeviceCookie.nonce(cookie, email: "a@example.org", key: key, now: testNow.addingTimeInterval(DeviceCookie.lifetime + 1)) == nil)
        var parts = cookie.split(separator: ".").map(String.init)
        parts[1] = String(Int64(parts[1])! + 86_400 * 365)
        #expect(DeviceCookie.nonce(parts.joined(separator: "."), email: "a@example.org", key: key, now: testNow) == nil)
    }
}
