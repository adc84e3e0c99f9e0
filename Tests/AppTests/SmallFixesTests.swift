import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Review fixes")
struct SmallFixesTests {
    @Test("'next' after sign-in follows site paths only: tabs, line breaks, backslashes and protocol-relative paths are refused")
    func safeNext() {
        #expect(AccountController.safeNext("/cases") == "/cases")
        #expect(AccountController.safeNext("/cases/CA-1234-5678?x=1") == "/cases/CA-1234-5678?x=1")
        for bad in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/ /evil.example",
                    "/\u{00A0}/evil.example", "evil", "", "/account/sign-in", "/\u{7F}/x"] {
            #expect(AccountController.safeNext(bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test("A patient's photo keeps its sandbox policy; other pages get the site's")
    func photoSandbox() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let photoID = try #require(try await CasePhoto.query(on: app.db).first()?.id)
            let photo = try await patient.get("/cases/\(reference)/photos/\(photoID)")
            #expect(photo.status == .ok)
            #expect(photo.headers["Content-Security-Policy"] == ["default-src 'none'; sandbox"])
            let page = try await patient.get("/cases/\(reference)")
            #expect(page.headers.first(name: "Content-Security-Policy") == SecurityHeadersMiddleware.contentSecurityPolicy)
        }
    }

    @Test("Every page that carries a CSRF token is no-store, whoever asks")
    func tokensNeverStored() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let photoID = try #require(try await CasePhoto.query(on: app.db).first()?.id)
            var pagesWithTokens = 0
            for route in app.routes.all where route.method == .GET {
                let path = RouteGuardTests.path(of: route, reference: reference, photoID: photoID)
                for browser in [Browser(app), patient] {
                    let res = try await browser.get(path)
                    guard res.text.contains("name=\"csrf\"") else { continue }
                    pagesWithTokens += 1
                    #expect(res.headers.first(name: .cacheControl) == "no-store", "\(path) → \(res.headers.first(name: .cacheControl) ?? "none")")
                }
            }
            #expect(pagesWithTokens >= 10)
            // The decision aid, where this was found.
            #expect(try await Browser(app).get("/decide/lip-rejuvenation").headers.first(name: .cacheControl) == "no-store")
        }
    }

    @Test("A form route refuses bodies it does not take with 415")
    func unsupportedMediaType() async throws {
        try await withTestApp { app in
            for type in ["text/plain", "application/xml", "application/json"] {
                let res = try await app.testing().sendRequest(.POST, "/account/sign-in", headers: ["Content-Type": type], body: ByteBuffer(string: "email=a&password=b"))
                #expect(res.status == .unsupportedMediaType, "\(type)")
            }
            let api = try await app.testing().sendRequest(.POST, "/api/v1/decision-aids/lip-rejuvenation/evaluate", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                          body: ByteBuffer(string: "a=b"))
            #expect(api.status == .unsupportedMediaType)
        }
    }

    @Test("JSON responses keep their key order, so their ETag matches the next time")
    func stableJSON() async throws {
        try await withTestApp { app in
            let first = try await send(app, .GET, "/api/v1/providers?q=lip")
            let second = try await send(app, .GET, "/api/v1/providers?q=lip")
            #expect(first.text == second.text)
            let etag = try #require(first.headers.first(name: .eTag))
            #expect(try await send(app, .GET, "/api/v1/providers?q=lip", headers: ["If-None-Match": etag]).status == .notModified)
            let object = first.text
            #expect(object.range(of: "\"facets\"")!.lowerBound < object.range(of: "\"items\"")!.lowerBound)
        }
    }

    @Test("API tokens expire, and a password change ends them")
    func tokenLifetime() async throws {
        let clock = TestClock(testNow)
        try await withTestApp(clock: clock.appClock) { app in
            let patientID = try #require(try await User.query(on: app.db).filter(\.$email == Demo.patient.email).first()?.id)
            let token = SecretToken.make()
            try await APIToken(id: SecretToken.digest(token), userID: patientID, name: "t", now: testNow).create(on: app.db)
            func call() async throws -> HTTPStatus {
                try await app.testing().sendRequest(.POST, "/api/v1/consultations", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                                                    body: ByteBuffer(string: "{}")).status
            }
            #expect(try await call() == .badRequest) // authenticated; the body is refused
            clock.advance(APIToken.lifetime + 60)
            #expect(try await call() == .unauthorized)
            // A fresh token dies with a password change.
            let second = SecretToken.make()
            try await APIToken(id: SecretToken.digest(second), userID: patientID, name: "t2", now: clock.now).create(on: app.db)
            _ = try await AccountService.setPassword(userID: patientID, password: "new-river-lantern-quartz", consumingToken: nil, keepSession: nil,
                                                     app: app, source: "test", on: app.db)
            #expect(try await APIToken.find(SecretToken.digest(second), on: app.db)?.revokedAt != nil)
        }
    }

    @Test("The featured surgeon's specialty is schema.org's PlasticSurgery, with the directory's wording kept")
    func specialty() async throws {
        try await withTestApp { app in
            let blocks = try jsonLDBlocks(in: try await send(app, .GET, "/providers/patrick-tonnard-md-phd").text)
            let physician = try #require(blocks.first { $0["@type"] as? String == "IndividualPhysician" })
            #expect(physician["medicalSpecialty"] as? String == "https://schema.org/PlasticSurgery")
            #expect((physician["address"] as? [String: Any])?["addressLocality"] as? String == "Ghent")
        }
    }
}
