import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

@Suite("Bad input")
struct BadInputTests {
    static let longQuery = String(repeating: "a", count: 10_240)

    static let missingPages = [
        "/magazine/no-such-article", "/magazine/category/no-such-category", "/procedures/no-such-procedure",
        "/providers/no-such-provider", "/clinics/no-such-clinic", "/no-such-page", "/magazine/Not_A_Slug",
        "/providers/dr-selin-aydin-", "/providers/%3Cscript%3E", "/consult-nothing", "/magazine/category/",
    ]

    @Test("Unknown or malformed slugs answer the site's 404 page")
    func siteNotFound() async throws {
        try await withTestApp { app in
            for path in Self.missingPages {
                let res = try await send(app, .GET, path)
                #expect(res.status == .notFound, "\(path)")
                #expect(res.headers.contentType == .html)
                #expect(res.text.contains("Page not found"))
                #expect(res.text.contains("<p class=\"error-code\">404</p>"))
                #expect(res.text.contains("href=\"/styles.css\""))
                #expect(res.text.contains("<meta name=\"robots\" content=\"noindex\"/>"))
                #expect(res.headers.first(name: .cacheControl) == "no-store")
                #expect(!res.text.contains("<script>"))
            }
        }
    }

    /// (query, parameter the message must name)
    static let refusedSearches: [(String, String)] = [
        ("min_price=-5", "min_price"),
        ("min_price=abc", "min_price"),
        ("max_price=1.2.3", "max_price"),
        ("currency=XXX", "currency"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("limit=1000000000", "limit"),
        ("limit=1e9", "limit"),
        ("q=" + longQuery, "q"),
        ("q=" + String(repeating: "b", count: 201), "q"),
        ("q=%FF%FE", "q"),
        ("min_price=500&max_price=100", "min_price"),
        ("country=XYZ", "country"),
        ("country=1", "country"),
        ("language=x", "language"),
        ("procedure=NOT_A_SLUG", "procedure"),
        ("city=%3Cscript%3E", "city"),
        ("verified=perhaps", "verified"),
        ("page=1&page=2", "page"),
    ]

    @Test("Refused search parameters: the site answers 400 with a page naming the parameter")
    func siteBadRequest() async throws {
        try await withTestApp { app in
            for (query, parameter) in Self.refusedSearches {
                let res = try await send(app, .GET, "/providers?" + query)
                #expect(res.status == .badRequest, "\(query.prefix(60))")
                #expect(res.headers.contentType == .html)
                #expect(res.text.contains("We could not handle this request"))
                #expect(res.text.contains("<p class=\"lead\">The parameter '\(parameter)'"), "\(query.prefix(60)) should name \(parameter)")
                #expect(res.text.contains("<p class=\"error-code\">400</p>"))
            }
        }
    }

    @Test("Refused search parameters: the API answers 400 problem+json naming the parameter")
    func apiBadRequest() async throws {
        try await withTestApp { app in
            for (query, parameter) in Self.refusedSearches {
                let res = try await send(app, .GET, "/api/v1/providers?" + query)
                #expect(res.status == .badRequest, "\(query.prefix(60))")
                #expect(res.headers.contentType?.subType == "problem+json")
                let body = try jsonObject(res)
                #expect(body["status"] as? Int == 400)
                #expect(body["title"] as? String == "Bad Request")
                #expect(body["type"] as? String == "about:blank")
                let detail = try #require(body["detail"] as? String)
                #expect(detail.contains("'\(parameter)'"), "\(detail)")
                #expect(!detail.contains("error.param."))
            }
        }
    }

    @Test("Specific messages for the common mistakes")
    func messages() async throws {
        try await withTestApp { app in
            let cases: [(String, String)] = [
                ("min_price=-5", "The parameter 'min_price' cannot be negative."),
                ("min_price=abc", "The parameter 'min_price' must be a number."),
                ("currency=XXX", "The parameter 'currency' must be a known ISO 4217 currency code, such as EUR or USD."),
                ("page=0", "The parameter 'page' must be between 1 and 10,000."),
                ("limit=1000000000", "The parameter 'limit' must be between 1 and 100."),
                ("q=%FF%FE", "The parameter 'q' contains bytes that are not valid UTF-8 text."),
                ("min_price=500&max_price=100", "The parameter 'min_price' must not be higher than max_price."),
                ("q=" + Self.longQuery, "The parameter 'q' is too long (at most 4,096 characters)."),
            ]
            for (query, message) in cases {
                let res = try await send(app, .GET, "/api/v1/providers?" + query)
                #expect(try jsonObject(res)["detail"] as? String == message, "\(query.prefix(40))")
            }
        }
    }

    @Test("Other pages refuse bad paging and text the same way")
    func otherBadRequests() async throws {
        try await withTestApp { app in
            for path in [
                "/magazine?page=0", "/magazine?page=abc", "/magazine?limit=0", "/magazine?q=%FF", "/magazine/category/dental?page=-1",
                "/api/v1/articles?page=0", "/api/v1/articles?category=no-such-category", "/api/v1/procedures?limit=1000000000",
                "/providers-platform-single?provider=%FF",
            ] {
                let res = try await send(app, .GET, path)
                #expect(res.status == .badRequest, "\(path)")
                if path.hasPrefix("/api/") {
                    #expect(res.headers.contentType?.subType == "problem+json")
                } else {
                    #expect(res.text.contains("We could not handle this request"), "\(path)")
                }
            }
        }
    }

    @Test("Hostile but well-formed input never causes a server error")
    func noServerErrors() async throws {
        try await withTestApp { app in
            for path in [
                "/providers?q=%22a%22%20OR%20b*", "/providers?q=NEAR(a%20b)", "/providers?q=%27%3B%20DROP%20TABLE%20practitioners%3B--",
                "/providers?q=*", "/providers?q=%22", "/providers?q=a%3A*%20%7C%20!b", "/providers?q=%E2%80%AE%F0%9F%98%80",
                "/providers?q=%00", "/providers?q=" + String(repeating: "x%20", count: 60), "/magazine?q=%22a%22%20OR%20b*",
                "/magazine?q=" + String(repeating: "implant%20", count: 20), "/api/v1/providers?q=%5C%22%5C", "/providers?q=xyzzy&page=10000",
                "/providers?currency=jpy&max_price=100000", "/providers?min_price=0&max_price=0",
                "/providers?max_price=99999999999", "/api/v1/articles?q=-",
            ] {
                let res = try await send(app, .GET, path)
                #expect(res.status == .ok, "\(path.prefix(80)) → \(res.status)")
            }
        }
    }

    /// A page number more than two past the last page makes the pagination links build an invalid range
    /// (`Fragments.pagination`), which traps and ends the whole process. The requests therefore run in a child
    /// process: a crash fails this test instead of ending the test run.
    @Test("A page number past the last page answers normally and does not crash the server")
    func pageBeyondTheEnd() async throws {
        // A crashed child cannot remove its SQLite file, so it keeps its database in a folder removed here afterwards.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("careabroad-exit-tests")
        defer { try? FileManager.default.removeItem(at: folder) }
        await #expect(processExitsWith: .success) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("careabroad-exit-tests")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            setenv("TMPDIR", folder.path, 1)
            try await withTestApp { app in
                for path in ["/providers?page=4", "/providers?page=6", "/providers?page=10000", "/providers?country=TR&limit=5&page=5",
                             "/magazine?page=5", "/magazine/category/dental?page=9"] {
                    let res = try await app.testing().sendRequest(.GET, path)
                    guard res.status == .ok, res.body.string.contains("</html>") else {
                        print("\(path) answered \(res.status)")
                        exit(3)
                    }
                }
            }
        }
    }

    @Test("The legacy profile address redirects permanently")
    func legacyRedirect() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/providers-platform-single?provider=patrick-tonnard-md-phd")
            #expect(res.status == .movedPermanently)
            #expect(res.headers.first(name: .location) == "/providers/patrick-tonnard-md-phd")
            let sample = try await send(app, .GET, "/providers-platform-single?provider=dr-selin-aydin&utm_source=x")
            #expect(sample.status == .movedPermanently)
            #expect(sample.headers.first(name: .location) == "/providers/dr-selin-aydin")
        }
    }

    @Test("The legacy address with an unknown, malformed or missing provider is not found")
    func legacyNotFound() async throws {
        try await withTestApp { app in
            for path in [
                "/providers-platform-single?provider=no-such-provider", "/providers-platform-single", "/providers-platform-single?provider=",
                "/providers-platform-single?provider=Patrick-Tonnard", "/providers-platform-single?other=patrick-tonnard-md-phd",
            ] {
                let res = try await send(app, .GET, path)
                #expect(res.status == .notFound, "\(path)")
                #expect(res.text.contains("Page not found"))
                #expect(res.headers.first(name: .location) == nil)
            }
        }
    }
}
