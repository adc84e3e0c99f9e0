import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App

@Suite("Render cache and ETags")
struct CacheTests {
    @Test("A second GET serves the same page with the same ETag")
    func sameETag() async throws {
        try await withTestApp(renderCache: true) { app in
            for path in ["/", "/magazine/natural-lip-rejuvenation-microfat-nanofat", "/providers?q=nanofat", "/api/v1/providers"] {
                let first = try await send(app, .GET, path)
                #expect(first.status == .ok)
                let etag = try #require(first.headers.first(name: .eTag))
                #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
                #expect(app.renderCache.count >= 1)
                let second = try await send(app, .GET, path)
                #expect(second.status == .ok)
                #expect(second.headers.first(name: .eTag) == etag)
                #expect(second.text == first.text)
                #expect(second.headers.contentType == first.headers.contentType)
                #expect(second.headers.first(name: .cacheControl)?.contains("max-age") == true)
                // Security headers are added to cached answers too.
                #expect(second.headers.first(name: "Content-Security-Policy") != nil)
            }
        }
    }

    @Test("If-None-Match with the current ETag answers 304 with no body")
    func notModified() async throws {
        try await withTestApp(renderCache: true) { app in
            let first = try await send(app, .GET, "/magazine")
            let etag = try #require(first.headers.first(name: .eTag))
            let again = try await send(app, .GET, "/magazine", headers: ["If-None-Match": etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            #expect(again.headers.first(name: .eTag) == etag)
            let list = try await send(app, .GET, "/magazine", headers: ["If-None-Match": "\"other\", \(etag)"])
            #expect(list.status == .notModified)
            let stale = try await send(app, .GET, "/magazine", headers: ["If-None-Match": "\"not-the-etag\""])
            #expect(stale.status == .ok)
            #expect(stale.text == first.text)
        }
    }

    @Test("Different queries are cached separately")
    func queriesAreKeys() async throws {
        try await withTestApp(renderCache: true) { app in
            let one = try await send(app, .GET, "/providers?country=TR")
            let two = try await send(app, .GET, "/providers?country=BE")
            #expect(one.headers.first(name: .eTag) != two.headers.first(name: .eTag))
            #expect(one.text.contains("6 providers found"))
            #expect(two.text.contains("1 provider found"))
        }
    }

    @Test("Errors are not cached")
    func errorsNotCached() async throws {
        try await withTestApp(renderCache: true) { app in
            let before = app.renderCache.count
            let res = try await send(app, .GET, "/providers?page=0")
            #expect(res.status == .badRequest)
            #expect(res.headers.first(name: .eTag) == nil)
            let missing = try await send(app, .GET, "/providers/no-such-provider")
            #expect(missing.status == .notFound)
            #expect(app.renderCache.count == before)
        }
    }

    @Test("After invalidate() changed content is served")
    func invalidation() async throws {
        try await withTestApp(renderCache: true) { app in
            let path = "/magazine/lasik-who-is-a-candidate"
            let first = try await send(app, .GET, path)
            let etag = try #require(first.headers.first(name: .eTag))
            #expect(first.text.contains("LASIK: who is a good candidate"))

            let article = try #require(try await Article.query(on: app.db).filter(\.$slug == "lasik-who-is-a-candidate").first())
            article.title = "LASIK, revised title for the cache test"
            try await article.save(on: app.db)

            // Still the cached page until the cache is told.
            let cached = try await send(app, .GET, path)
            #expect(cached.headers.first(name: .eTag) == etag)
            #expect(!cached.text.contains("revised title for the cache test"))

            app.renderCache.invalidate()
            #expect(app.renderCache.count == 0)
            let fresh = try await send(app, .GET, path)
            #expect(fresh.status == .ok)
            #expect(fresh.text.contains("LASIK, revised title for the cache test"))
            let newETag = try #require(fresh.headers.first(name: .eTag))
            #expect(newETag != etag)
            // The old ETag no longer matches.
            let conditional = try await send(app, .GET, path, headers: ["If-None-Match": etag])
            #expect(conditional.status == .ok)
            #expect(conditional.text.contains("revised title for the cache test"))
        }
    }

    @Test("With the cache off every request renders afresh, still with an ETag")
    func cacheOff() async throws {
        try await withTestApp(renderCache: false) { app in
            let first = try await send(app, .GET, "/magazine/lasik-who-is-a-candidate")
            let etag = try #require(first.headers.first(name: .eTag))
            #expect(app.renderCache.count == 0)
            let article = try #require(try await Article.query(on: app.db).filter(\.$slug == "lasik-who-is-a-candidate").first())
            article.summary = "A changed summary, visible at once."
            try await article.save(on: app.db)
            let second = try await send(app, .GET, "/magazine/lasik-who-is-a-candidate")
            #expect(second.text.contains("A changed summary, visible at once."))
            #expect(second.headers.first(name: .eTag) != etag)
        }
    }
}
