import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

/// Walks `app.routes.all`: a route added later is covered without anyone listing it here.
@Suite("Route guards")
struct RouteGuardTests {
    /// A concrete path for a registered route: its parameters filled with values that exist in the test data.
    static func path(of route: Vapor.Route, reference: String, photoID: String) -> String {
        "/" + route.path.map { component -> String in
            switch component {
            case .constant(let c): return c
            case .parameter(let name):
                switch name {
                case SiteURL.referenceKey: return reference
                case SiteURL.photoKey, SiteURL.attachmentKey, SiteURL.appointmentKey: return photoID
                case SiteURL.quoteKey, SiteURL.itemKey: return "1"
                case SiteURL.widthKey: return "640"
                default: return route.path.first?.description == "decide" || route.path.dropFirst(2).first?.description == "decision-aids"
                    ? "lip-rejuvenation" : "patrick-tonnard-md-phd"
                }
            case .anything, .catchall: return "x"
            }
        }.joined(separator: "/")
    }

    @Test("Every registered route records its access, and every POST route is a form or an API route")
    func everyRouteIsGuarded() async throws {
        try await withTestApp(seed: false) { app in
            #expect(app.routes.all.count > 40)
            for route in app.routes.all {
                let access = try #require(route.access, "\(route.method) \(route.path.string) was registered without GuardedRoutes")
                if route.method == .POST { #expect(access != .open, "\(route.path.string)") }
            }
        }
    }

    @Test("Every private route refuses a signed-out request; every form route refuses a POST without its CSRF token")
    func signedOutAndCSRF() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let photoID = try #require(try await CasePhoto.query(on: app.db).first()?.id)
            let staff = Browser(app)
            #expect(try await staff.signIn(Demo.staff.email, Demo.staff.password).status == .seeOther)
            var privateChecked = 0, csrfChecked = 0
            for route in app.routes.all {
                let access = try #require(route.access)
                let path = Self.path(of: route, reference: reference, photoID: photoID)
                let anonymous = Browser(app)
                if access.isPrivate {
                    let res = route.method == .GET ? try await anonymous.get(path) : try await anonymous.post(path, [("csrf", "x")])
                    if access == .bearer {
                        #expect(res.status == .unauthorized, "\(route.method) \(path) → \(res.status)")
                    } else {
                        #expect(res.status == .seeOther, "\(route.method) \(path) → \(res.status)")
                        let location = res.headers.first(name: .location) ?? ""
                        #expect(location.hasPrefix("/account/sign-in?") && location.contains("reason=signin-required"), "\(path) → \(location)")
                    }
                    privateChecked += 1
                }
                if route.method == .POST && access.needsCSRF {
                    // Signed in with the role the route takes, so only the missing token can refuse it.
                    let browser: Browser
                    if case .signedIn(let roles) = access, roles.contains(.provider) { browser = staff } else { browser = patient }
                    let res = try await browser.post(path, [("confirm", "yes"), ("action", "mark-in-review"), ("answer", "x")])
                    #expect(res.status == .forbidden, "\(route.method) \(path) without a token → \(res.status)")
                    csrfChecked += 1
                }
            }
            #expect(privateChecked >= 20)
            #expect(csrfChecked >= 15)
            // Nothing was changed by the refused requests.
            #expect(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first()?.status == CaseStatus.submitted.rawValue)
        }
    }

    @Test("Signed-out visitors sent to sign-in are told why, and come back to the page they asked for")
    func signInReason() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let res = try await browser.get("/cases")
            let location = try #require(res.headers.first(name: .location))
            #expect(location == "/account/sign-in?next=%2Fcases&reason=signin-required")
            let page = try await browser.get(location)
            #expect(page.text.contains("Please sign in to continue"))
            let token = try #require(Browser.csrf(in: page.text))
            let signedIn = try await browser.post("/account/sign-in", [("email", Demo.patient.email), ("password", Demo.patient.password),
                                                                       ("next", "/cases"), ("csrf", token)])
            #expect(signedIn.headers.first(name: .location) == "/cases")
        }
    }

    /// Bodies that once could stop the process, or that a form reader must refuse.
    static func brokenBodies(csrf: String) -> [(name: String, contentType: String?, body: [UInt8])] {
        let boundary300 = String(repeating: "b", count: 300)
        let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        var manyParts = ""
        for i in 0..<260 { manyParts += "--B\r\nContent-Disposition: form-data; name=\"f\(i)\"\r\n\r\nx\r\n" }
        manyParts += "--B--\r\n"
        return [
            ("empty boundary", "multipart/form-data; boundary=", Array("--\r\n\r\n".utf8)),
            ("quoted empty boundary", "multipart/form-data; boundary=\"\"", Array("x".utf8)),
            ("missing boundary", "multipart/form-data", Array("--x\r\n".utf8)),
            ("300-byte boundary", "multipart/form-data; boundary=\(boundary300)",
             Array("--\(boundary300)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n--\(boundary300)--\r\n".utf8)),
            ("truncated part", "multipart/form-data; boundary=B",
             Array("--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n--B\r\nContent-Disposition: form-data; name=\"concerns\"\r\n\r\nhalf a".utf8)),
            ("headers without end", "multipart/form-data; boundary=B", Array(("--B\r\nContent-Disposition: form-data; name=\"a\"" + String(repeating: "x", count: 8_000)).utf8)),
            ("too many parts", "multipart/form-data; boundary=B", Array(manyParts.utf8)),
            ("part text not UTF-8", "multipart/form-data; boundary=B",
             Array("--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n".utf8) + [0xC3, 0x28, 0xFF] + Array("\r\n--B--\r\n".utf8)),
            ("invalid percent-encoding", "application/x-www-form-urlencoded", Array("csrf=\(csrf)&name=%ZZ%&email=%E0%A4%A".utf8)),
            ("bytes that are not UTF-8", "application/x-www-form-urlencoded", [0x63, 0x73, 0x72, 0x66, 0x3D, 0xFF, 0xFE, 0xC0, 0x80]),
            ("deeply nested JSON", "application/json", Array(nested.utf8)),
            ("JSON as text/plain", "text/plain", Array("{\"provider\":\"patrick-tonnard-md-phd\"}".utf8)),
            ("XML", "application/xml", Array("<?xml version=\"1.0\"?><form><csrf>\(csrf)</csrf></form>".utf8)),
            ("no content type", nil, Array("csrf=\(csrf)".utf8)),
            ("empty multipart", "multipart/form-data; boundary=B", []),
        ]
    }

    @Test("Every POST route answers a corpus of broken bodies with a 4xx, and the server lives on")
    func brokenBodiesEverywhere() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let photoID = try #require(try await CasePhoto.query(on: app.db).first()?.id)
            let apiToken = SecretToken.make()
            let patientID = try #require(try await User.query(on: app.db).filter(\.$email == Demo.patient.email).first()?.id)
            try await APIToken(id: SecretToken.digest(apiToken), userID: patientID, name: "corpus", now: testNow).create(on: app.db)
            let csrf = try #require(Browser.csrf(in: try await patient.get("/account").text))
            var sent = 0
            for route in app.routes.all where route.method == .POST {
                let path = Self.path(of: route, reference: reference, photoID: photoID)
                for broken in Self.brokenBodies(csrf: csrf) {
                    var headers: HTTPHeaders = [:]
                    if let type = broken.contentType { headers.replaceOrAdd(name: .contentType, value: type) }
                    if route.access == .bearer { headers.replaceOrAdd(name: .authorization, value: "Bearer \(apiToken)") }
                    if let cookie = patient.sessionCookie { headers.replaceOrAdd(name: .cookie, value: "careabroad_session=\(cookie)") }
                    let res = try await app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(bytes: broken.body))
                    #expect((400..<500).contains(res.status.code) || (res.status == .seeOther && route.access?.isPrivate == true),
                            "\(broken.name) → POST \(path): \(res.status)")
                    sent += 1
                }
            }
            #expect(sent >= 15 * 15)
            #expect(try await send(app, .GET, "/healthz").status == .ok)
        }
    }

    @Test("A body announced larger than the route takes is refused before it is read; uploads are counted first")
    func largeBodies() async throws {
        var limits = AppConfig.RateLimits()
        limits.largeBodiesPerAddress = 2
        try await withTestApp(rateLimits: limits) { app in
            // Unauthenticated: the API answers 401 before it reads the body.
            let res = try await app.testing().sendRequest(.POST, "/api/v1/consultations", headers: ["Content-Type": "application/json"],
                                                          body: ByteBuffer(bytes: [UInt8](repeating: 0x20, count: 2_000_000)))
            #expect(res.status == .unauthorized)
            // A sign-in form does not take 1 MB.
            let big = try await app.testing().sendRequest(.POST, "/account/sign-in", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                          body: ByteBuffer(bytes: [UInt8](repeating: 0x61, count: 1_000_000)))
            #expect(big.status == .payloadTooLarge)
            // Large uploads to the request form are counted per address before they are read.
            var statuses: [HTTPStatus] = []
            for _ in 0..<3 {
                statuses.append(try await app.testing().sendRequest(.POST, "/consult/patrick-tonnard-md-phd", headers: ["Content-Type": "multipart/form-data; boundary=B"],
                                                                      body: ByteBuffer(bytes: [UInt8](repeating: 0x61, count: 500_000))).status)
            }
            #expect(statuses.last == .tooManyRequests, "\(statuses)")
        }
    }
}
