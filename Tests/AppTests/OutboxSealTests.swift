import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

/// Outgoing messages carry working links: never in plaintext at rest, and gone after the retention period.
@Suite("Outbox at rest")
struct OutboxSealTests {
    @Test("Message bodies are sealed at rest: no link, token or name in the row; the delivered message is intact")
    func sealed() async throws {
        try await withTestApp { app in
            let b = Browser(app)
            #expect(try await b.submit("/account/sign-up", [("name", "Sealed Person"), ("email", "sealed@example.org"),
                                                           ("password", AccountTests.password), ("terms", "yes")]).status == .ok)
            let row = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == "sealed@example.org").first())
            #expect(row.body.isEmpty)
            let sealed = try #require(row.bodySealed)
            #expect(!TestImages.contains(sealed, "/account/verify"))
            #expect(!TestImages.contains(sealed, "Sealed Person"))
            // Delivery opens it: the mailbox gets the whole message with its working link.
            let link = try await mailedLink(app, to: "sealed@example.org", prefix: "/account/verify?token=")
            #expect(try await b.get(link).status == .ok)
        }
    }

    @Test("Delivered messages are deleted after the retention period (7 days by default); plaintext from before is sealed")
    func retention() async throws {
        let clock = TestClock(testNow)
        try await withTestApp(clock: clock.appClock) { app in
            let b = Browser(app)
            #expect(try await b.submit("/account/sign-up", [("name", "Kept"), ("email", "kept@example.org"),
                                                           ("password", AccountTests.password), ("terms", "yes")]).status == .ok)
            _ = try await deliverMail(app)
            // A row written by the earlier release, body in plaintext, not yet delivered.
            let legacy = OutboxMessage()
            legacy.id = UUID().uuidString.lowercased(); legacy.kind = "legacy"; legacy.recipient = "old@example.org"; legacy.subject = "Old"
            legacy.body = "Reset: https://careabroad.test/account/reset?token=legacy-secret"; legacy.createdAt = testNow
            legacy.nextAttemptAt = testNow.addingTimeInterval(86_400 * 30); legacy.attempts = 0
            try await legacy.create(on: app.db)
            clock.advance(6 * 86_400)
            try await Housekeeping.run(app: app)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$recipient == "kept@example.org").count() >= 1)
            let resealed = try #require(try await OutboxMessage.find(legacy.id, on: app.db))
            #expect(resealed.body.isEmpty && resealed.bodySealed != nil)
            clock.advance(2 * 86_400)
            try await Housekeeping.run(app: app)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$recipient == "kept@example.org").count() == 0)
            // Not delivered yet: kept (sealed) until it is.
            #expect(try await OutboxMessage.find(legacy.id, on: app.db) != nil)
        }
    }
}
