import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// The render cache cannot be filled from outside.
@Suite("Render cache bounds")
struct CacheBoundTests {
    @Test("Parameters a page does not read make no new entries (/sitemap.xml?x=N)")
    func unknownParameters() async throws {
        try await withTestApp(renderCache: true) { app in
            for n in 0..<50 { #expect(try await send(app, .GET, "/sitemap.xml?x=\(n)").status == .ok) }
            #expect(app.renderCache.count == 1)
            let a = try await send(app, .GET, "/providers?q=lip&utm_source=a")
            let b = try await send(app, .GET, "/providers?utm_source=b&q=lip")
            #expect(a.status == .ok && b.status == .ok)
            #expect(a.headers.first(name: .eTag) == b.headers.first(name: .eTag))
            #expect(app.renderCache.count == 2)
            // A parameter the page reads still makes its own page.
            let c = try await send(app, .GET, "/providers?q=nanofat")
            #expect(c.headers.first(name: .eTag) != a.headers.first(name: .eTag))
            #expect(app.renderCache.count == 3)
        }
    }

    @Test("The cache holds at most its byte budget, dropping the oldest pages first")
    func byteBudget() {
        let cache = RenderCache(enabled: true, ttl: 300, maxBytes: 100_000)
        let now = Date()
        for i in 0..<500 {
            let body = ByteBuffer(bytes: [UInt8](repeating: UInt8(i % 200), count: 2_000))
            cache.store("/page/\(i)", .init(body: body, etag: "\"\(i)\"", contentType: "text/html", storedAt: now, generation: cache.generation))
            #expect(cache.bytes <= 100_000)
        }
        #expect(cache.lookup("/page/499", now: now) != nil)
        #expect(cache.lookup("/page/0", now: now) == nil)
        #expect(cache.count < 50 && cache.count > 40)
    }

    @Test("Every cached route declares the query parameters it reads")
    func declared() async throws {
        try await withTestApp(seed: false) { app in
            for route in app.routes.all where route.method == .GET {
                #expect(route.userInfo[RenderCacheQuery.key] is [String], "\(route.path.string)")
            }
        }
    }
}

@Suite("Render cache order")
struct CacheOrderTests {
    @Test("Storing the same pages again and again keeps the eviction list bounded, and a fresh store is not evicted as old")
    func restores() {
        let cache = RenderCache(enabled: true, ttl: 300, maxBytes: 1_000_000)
        let now = Date()
        for round in 0..<2_000 {
            for page in 0..<5 {
                cache.store("/p/\(page)", .init(body: ByteBuffer(string: "page \(page) round \(round)"), etag: "\"\(round)\"", contentType: "text/html",
                                                 storedAt: now, generation: cache.generation))
            }
        }
        #expect(cache.count == 5)
        #expect(cache.orderLength < 2 * 5 + 1_100)
        // Fill up to the budget: the stale pairs of /p/0 must not evict its fresh copy before older pages.
        let small = RenderCache(enabled: true, ttl: 300, maxEntries: 3)
        for key in ["/a", "/b", "/a", "/c", "/d"] {
            small.store(key, .init(body: ByteBuffer(string: key), etag: "\"x\"", contentType: "text/html", storedAt: now, generation: small.generation))
        }
        #expect(small.lookup("/a", now: now) != nil)
        #expect(small.lookup("/b", now: now) == nil)
        #expect(small.count == 3)
    }
}
