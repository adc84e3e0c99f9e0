import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Trusted proxies")
struct TrustedProxyTests {
    @Test("Behind a trusted proxy, rate limits and the audit trail use the forwarded client; from anyone else the header is ignored")
    func forwarded() async throws {
        try await withTestApp { app in
            let port = Int.random(in: 20_000...40_000)
            app.config.trustedProxies = [try #require(IPNetwork("127.0.0.1/32"))]
            let tester = try app.testing(method: .running(hostname: "127.0.0.1", port: port))
            let res = try await tester.sendRequest(.POST, "/account/sign-in", headers: ["X-Forwarded-For": "198.51.100.23", "Content-Type": "application/x-www-form-urlencoded"],
                                                   body: ByteBuffer(string: "email=x%40example.org&password=y"))
            #expect(res.status == .forbidden) // no CSRF token; the refusal is not what this test is about
            let signIn = try await tester.sendRequest(.GET, "/account/sign-in", headers: ["X-Forwarded-For": "198.51.100.23"])
            #expect(signIn.status == .ok)
            // A refused sign-in is audited with the forwarded address.
            let cookie = signIn.headers[.setCookie].first.map { String($0.split(separator: ";")[0]) } ?? ""
            let token = try #require(Browser.csrf(in: signIn.body.string))
            let wrong = try await tester.sendRequest(.POST, "/account/sign-in",
                                                     headers: ["X-Forwarded-For": "198.51.100.23", "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                                     body: ByteBuffer(string: "email=nobody%40example.org&password=wrong-password-123&csrf=\(token)"))
            #expect(wrong.status == .unauthorized)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "account.sign-in").filter(\.$source == "198.51.100.23").count() == 1)
            // Without the proxy trusted, the same header is ignored.
            app.config.trustedProxies = []
            _ = try await tester.sendRequest(.POST, "/account/sign-in",
                                             headers: ["X-Forwarded-For": "198.51.100.99", "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                             body: ByteBuffer(string: "email=nobody%40example.org&password=wrong-password-123&csrf=\(token)"))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$source == "198.51.100.99").count() == 0)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "account.sign-in").filter(\.$source == "127.0.0.1").count() == 1)
        }
    }
}
