import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
import Crypto
@testable import App
import Domain

/// The audit chain cannot be cut short, rewritten or forked without `verify` saying so.
@Suite("Audit chain")
struct AuditChainTests {
    /// An app with a few dozen audit rows.
    static func withChain(_ body: @escaping (Application, [AuditEvent]) async throws -> Void) async throws {
        try await withTestApp { app in
            _ = try await patientWithCase(app)
            for i in 0..<5 {
                try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "test", action: "test.\(i)", objectType: "test", source: "test"), app: app)
            }
            let rows = try await AuditEvent.query(on: app.db).sort(\.$id).all()
            #expect(rows.count >= 6)
            #expect(try await AuditLog.verify(app: app, on: app.db).intact)
            try await body(app, rows)
        }
    }

    /// `count` rows as the release before the keyed chain wrote them: plain SHA-256 links, no head.
    static func writeLegacyRows(_ count: Int, _ app: Application) async throws {
        var previous = AuditLog.genesis
        for i in 0..<count {
            let row = AuditEvent()
            row.at = AuditLog.millisecondPrecision(testNow); row.actorRole = "old"; row.action = "old.\(i)"; row.objectType = "test"
            row.source = "test"; row.outcome = "success"; row.previousHash = previous
            row.hash = AuditLog.legacyHash(of: row, previous: previous)
            try await row.create(on: app.db)
            previous = row.hash
        }
    }

    @Test("Deleting the newest rows is detected (the signed head names a later row)")
    func truncation() async throws {
        try await Self.withChain { app, rows in
            try await AuditEvent.query(on: app.db).filter(\.$id >= rows[rows.count - 2].id!).delete()
            let result = try await AuditLog.verify(app: app, on: app.db)
            #expect(!result.intact)
            #expect(result.reason?.contains("newest rows were removed") == true, "\(result.reason ?? "")")
        }
    }

    @Test("A chain rewritten with plain hashes (or any key but ours) is detected")
    func rewrite() async throws {
        try await Self.withChain { app, rows in
            // Rewrite every row from the fourth on, consistently, as someone without the key would: plain SHA-256.
            var previous = rows[2].hash
            for row in rows[3...] {
                row.outcome = "denied"
                row.previousHash = previous
                row.hash = AuditLog.legacyHash(of: row, previous: previous)
                try await row.update(on: app.db)
                previous = row.hash
            }
            let result = try await AuditLog.verify(app: app, on: app.db)
            #expect(result.firstBrokenID == rows[3].id, "\(result.reason ?? "")")
            // A forged head does not help: its signature needs the key.
            try await (app.db as! any SQLDatabase).update("audit_heads").set("last_hash", to: SQLBind(previous)).run()
            let again = try await AuditLog.verify(app: app, on: app.db)
            #expect(again.reason?.contains("signature") == true, "\(again.reason ?? "")")
        }
    }

    @Test("A fork (a row linking to a row that already has a follower) is detected and named")
    func fork() async throws {
        try await Self.withChain { app, rows in
            let key = try #require(try await AuditLog.keyIfPresent(app: app, on: app.db))
            // Replace the last row by one that links to the row two back, correctly MACed: a second branch.
            let last = rows[rows.count - 1], branchPoint = rows[rows.count - 3]
            last.previousHash = branchPoint.hash
            last.hash = AuditLog.mac(of: last, previous: branchPoint.hash, key: key)
            try await last.update(on: app.db)
            let result = try await AuditLog.verify(app: app, on: app.db)
            #expect(result.firstBrokenID == last.id)
            #expect(result.reason?.hasPrefix("fork") == true, "\(result.reason ?? "")")
        }
    }

    @Test("A removed or edited head is detected; a head kept elsewhere must still be in the chain")
    func head() async throws {
        try await Self.withChain { app, rows in
            let head = try #require(try await AuditHead.find(AuditLog.headID, on: app.db))
            let kept = AuditLog.printable(head)
            #expect(try await AuditLog.verify(app: app, on: app.db, expectedHead: kept).intact)
            // Edited head.
            try await (app.db as! any SQLDatabase).update("audit_heads").set("row_count", to: SQLBind(head.rowCount - 1)).run()
            #expect(try await AuditLog.verify(app: app, on: app.db).reason?.contains("signature") == true)
            try await (app.db as! any SQLDatabase).update("audit_heads").set("row_count", to: SQLBind(head.rowCount)).run()
            // Later entries keep the old head in the chain.
            try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "test", action: "later", objectType: "test", source: "test"), app: app)
            #expect(try await AuditLog.verify(app: app, on: app.db, expectedHead: kept).intact)
            // Removed head.
            try await AuditHead.query(on: app.db).delete()
            #expect(try await AuditLog.verify(app: app, on: app.db).reason?.contains("no signed head") == true)
            _ = rows
        }
    }

    @Test("Appends from many requests at once keep one unbroken chain on both databases")
    func concurrentAppends() async throws {
        try await withTestApp(seed: false) { app in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "test", action: "burst.\(i)", objectType: "test", source: "test"), app: app)
                    }
                }
                try await group.waitForAll()
            }
            let result = try await AuditLog.verify(app: app, on: app.db)
            #expect(result.intact, "\(result.reason ?? "")")
            #expect(result.checked == 40)
            let head = try #require(try await AuditHead.find(AuditLog.headID, on: app.db))
            #expect(head.rowCount == 40)
        }
    }

    @Test("Rows written before the chain was keyed are checked as the legacy prefix")
    func legacyPrefix() async throws {
        try await withTestApp(seed: false) { app in
            // Two rows as the earlier release wrote them: plain SHA-256, no head.
            try await Self.writeLegacyRows(2, app)
            try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "test", action: "new", objectType: "test", source: "test"), app: app)
            let result = try await AuditLog.verify(app: app, on: app.db)
            #expect(result.intact && result.checked == 3, "\(result.reason ?? "")")
            #expect(try await AuditHead.find(AuditLog.headID, on: app.db)?.legacyUntil == 2)
        }
    }

    @Test("On PostgreSQL, appends under REPEATABLE READ and SERIALIZABLE never fork the chain (a stale appender fails instead)")
    func isolationLevels() async throws {
        guard TestDatabase.isPostgres else { return }
        try await withTestApp(seed: false) { app in
            try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "test", action: "first", objectType: "test", source: "test"), app: app)
            var succeeded = 1
            for level in ["repeatable", "serializable"] {
                let results = await withTaskGroup(of: Bool.self) { group -> [Bool] in
                    for i in 0..<20 {
                        group.addTask {
                            do {
                                try await app.db.transaction { tx in
                                    let sql = tx as! any SQLDatabase
                                    if level == "repeatable" {
                                        try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").run()
                                    } else {
                                        try await sql.raw("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").run()
                                    }
                                    // Take the snapshot before the appender's lock, as a request that read first would.
                                    _ = try await sql.raw("SELECT count(*) AS n FROM audit_events").all()
                                    try await AuditLog.append(AuditEntry(actorUserID: nil, actorRole: "test", action: "\(level).\(i)", objectType: "test",
                                                                         source: "test"), at: testNow, app: app, on: tx)
                                }
                                return true
                            } catch {
                                return false
                            }
                        }
                    }
                    var all: [Bool] = []
                    for await r in group { all.append(r) }
                    return all
                }
                succeeded += results.filter { $0 }.count
                #expect(results.contains(true))
            }
            let result = try await AuditLog.verify(app: app, on: app.db)
            #expect(result.intact, "\(result.reason ?? "")")
            #expect(result.checked == succeeded)
        }
    }

    @Test("A keyed chain whose head was removed refuses new entries instead of starting a new chain over the old rows")
    func noSilentRestart() async throws {
        try await Self.withChain { app, _ in
            try await AuditHead.query(on: app.db).delete()
            await #expect(throws: AuditLog.HeadMissing.self) {
                try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "test", action: "after", objectType: "test", source: "test"), app: app)
            }
            #expect(try await AuditLog.verify(app: app, on: app.db).reason?.contains("no signed head") == true)
        }
    }

    @Test("Verifying while entries are appended reports intact (one snapshot), and a chain from before keying verifies too")
    func liveVerify() async throws {
        try await Self.withChain { app, _ in
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "test", action: "live.\(i)", objectType: "test", source: "test"), app: app)
                        return true
                    }
                }
                for _ in 0..<5 { group.addTask { try await AuditLog.verify(app: app, on: app.db).intact } }
                var all: [Bool] = []
                for try await r in group { all.append(r) }
                return all
            }
            #expect(results.allSatisfy { $0 })
        }
        try await withTestApp(seed: false) { app in
            try await Self.writeLegacyRows(3, app)
            let result = try await AuditLog.verify(app: app, on: app.db)
            #expect(result.intact && result.checked == 3, "\(result.reason ?? "")")
        }
    }

    @Test("A platform key made in a transaction that rolls back is neither stored nor remembered")
    func keyNotCachedBeforeCommit() async throws {
        try await withTestApp(seed: false) { app in
            struct Rollback: Error {}
            do {
                try await app.db.transaction { tx in
                    _ = try await app.vault.platformKey("rollback-test", creatingIn: tx, now: testNow)
                    throw Rollback()
                }
            } catch is Rollback {}
            #expect(try await app.vault.existingPlatformKey("rollback-test", on: app.db) == nil)
            let made = try await app.db.transaction { tx in try await app.vault.platformKey("rollback-test", creatingIn: tx, now: testNow) }
            let read = try #require(try await app.vault.existingPlatformKey("rollback-test", on: app.db))
            #expect(made == read)
        }
    }
}
