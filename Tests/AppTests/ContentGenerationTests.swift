import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Every node sees a content change")
struct ContentGenerationTests {
    /// A second app process on the same database (the same SQLite file or PostgreSQL schema), with its own render
    /// cache that checks the generation on every request.
    static func secondNode(of app: Application, _ body: (Application) async throws -> Void) async throws {
        var config = app.config
        config.renderCacheEnabled = true
        config.renderCacheCheckMillis = 0
        let node = try await Application.make(.testing)
        node.logger.logLevel = .warning
        do {
            try await configure(node, config: config, clock: .fixed(testNow))
            try await body(node)
        } catch {
            try await node.asyncShutdown()
            throw error
        }
        try await node.asyncShutdown()
    }

    static let slug = "natural-lip-rejuvenation-microfat-nanofat"

    @Test("A page cached on one node is dropped there as soon as another node moves the content generation")
    func twoNodes() async throws {
        try await withTestApp(renderCache: true) { app in
            try await Self.secondNode(of: app) { node in
                let first = try await node.testing().sendRequest(.GET, "/magazine/\(Self.slug)")
                #expect(first.status == .ok)
                // Another node changes the article without telling anyone: this node keeps its cached page…
                try await (app.db as! any SQLDatabase).raw("UPDATE articles SET title = 'Generation canary title' WHERE slug = \(bind: Self.slug)").run()
                #expect(try await node.testing().sendRequest(.GET, "/magazine/\(Self.slug)").body.string.contains("Generation canary title") == false)
                // …until the change moves the generation, in the writing node's transaction.
                try await app.db.transaction { tx in try await ContentGeneration.bump(on: tx) }
                #expect(try await node.testing().sendRequest(.GET, "/magazine/\(Self.slug)").body.string.contains("Generation canary title"))
                // A provider index write (search generation) drops pages too.
                try await (app.db as! any SQLDatabase).raw("UPDATE articles SET title = 'Second canary' WHERE slug = \(bind: Self.slug)").run()
                try await ProviderIndexer.bumpGeneration(app.db as! any SQLDatabase)
                #expect(try await node.testing().sendRequest(.GET, "/magazine/\(Self.slug)").body.string.contains("Second canary"))
            }
        }
    }

    @Test("A node asks the database at most once per check interval")
    func interval() async throws {
        try await withTestApp(renderCache: true) { app in
            let cache = RenderCache(enabled: true, ttl: 300, checkInterval: 0.25)
            let t0 = Date(timeIntervalSince1970: 1_000_000)
            try await cache.sync(on: app.db, now: t0)
            cache.store("/x", .init(body: ByteBuffer(string: "page"), etag: "\"1\"", contentType: "text/html", storedAt: t0, generation: cache.generation))
            try await ContentGeneration.bump(on: app.db)
            try await cache.sync(on: app.db, now: t0.addingTimeInterval(0.1))
            #expect(cache.lookup("/x", now: t0.addingTimeInterval(0.1)) != nil)   // not asked yet
            try await cache.sync(on: app.db, now: t0.addingTimeInterval(0.3))
            #expect(cache.lookup("/x", now: t0.addingTimeInterval(0.3)) == nil)   // asked, and the generation moved
        }
    }
}
