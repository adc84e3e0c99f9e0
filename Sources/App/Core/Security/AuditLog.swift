import Foundation
import Crypto
import Fluent
import SQLKit
import Vapor
import Domain

/// What happened, for the audit trail. Never holds health data, names or email addresses: people are named by
/// their user id, objects by their id or case reference.
struct AuditEntry: Sendable {
    enum Outcome: String, Sendable { case success, denied, failure }

    var actorUserID: Int?
    var actorRole: String
    var action: String
    var objectType: String
    var objectID: String?
    var source: String
    var outcome: Outcome

    init(actorUserID: Int?, actorRole: String, action: String, objectType: String, objectID: String? = nil,
         source: String, outcome: Outcome = .success) {
        self.actorUserID = actorUserID
        self.actorRole = actorRole
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.source = source
        self.outcome = outcome
    }
}

/// An append-only audit trail whose rows are chained by MACs: each row's `hash` is an HMAC-SHA256, under the
/// platform's audit key, of its fields and the previous row's hash, so a row cannot be edited, inserted or removed,
/// nor the chain rewritten, without the key. The chain's head (last id, last hash, number of rows) is kept apart in
/// `audit_heads`, signed with the same key and moved by a conditional update on every append, so removing the
/// newest rows or forking the chain shows too. Rows written before the chain was keyed (up to `legacyUntil`) keep
/// their plain SHA-256 hashes and are checked as such.
///
/// The audit key is a random platform key wrapped by the master key (not derived from it), so that rotating the
/// master key re-wraps one key instead of re-signing every row.
enum AuditLog {
    static let genesis = String(repeating: "0", count: 64)
    static let keyPurpose = "audit-chain"
    static let headID = 1

    struct HeadMissing: Error, CustomStringConvertible {
        var description: String { "the audit chain is keyed but its signed head is missing; nothing was appended (run 'careabroad audit verify')" }
    }

    struct ChainBroken: Error, CustomStringConvertible {
        var description: String { "the audit head moved while this entry was appended; nothing was written" }
    }

    /// Appends an entry. Must run inside a `WriteGate` transaction. On PostgreSQL a transaction-scoped advisory
    /// lock orders appenders across app nodes; whatever the isolation level, the head moves only by
    /// `UPDATE … WHERE last_hash = <the hash this entry links to>`, so two entries can never link to the same row
    /// (the loser's transaction fails instead of forking the chain).
    static func append(_ entry: AuditEntry, at now: Date, app: Application, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: Int64(0x43415544))) ").run()
        }
        // Whether the chain was keyed before, read before the key is made: a keyed chain without its head was tampered
        // with, and appending must not quietly start a new chain over it.
        let keyedBefore = try await PlatformKey.find(keyPurpose, on: tx) != nil
        let key = try await app.vault.platformKey(keyPurpose, creatingIn: tx, now: now)
        let head = try await AuditHead.find(headID, on: tx)
        if head == nil && keyedBefore { throw HeadMissing() }
        let previous: String
        var count: Int64
        var legacyUntil: Int64
        if let head {
            previous = head.lastHash
            count = head.rowCount
            legacyUntil = head.legacyUntil
        } else {
            // The first keyed entry: the rows before it (if any) become the legacy prefix.
            struct Last: Decodable { let id: Int64; let hash: String }
            let last = try await sql.select().column("id").column("hash").from(AuditEvent.schema)
                .orderBy("id", .descending).limit(1).first(decoding: Last.self)
            previous = last?.hash ?? genesis
            legacyUntil = last?.id ?? 0
            count = try await Int64(AuditEvent.query(on: tx).count())
        }
        let row = AuditEvent()
        row.at = millisecondPrecision(now)
        row.actorUserID = entry.actorUserID
        row.actorRole = entry.actorRole
        row.action = entry.action
        row.objectType = entry.objectType
        row.objectID = entry.objectID
        row.source = entry.source
        row.outcome = entry.outcome.rawValue
        row.previousHash = previous
        row.hash = mac(of: row, previous: previous, key: key)
        try await row.create(on: tx)
        let id = try row.requireID()
        count += 1
        let signature = headSignature(lastID: id, count: count, lastHash: row.hash, legacyUntil: legacyUntil, key: key)
        if head != nil {
            struct Moved: Decodable { let id: Int }
            let moved = try await sql.update(AuditHead.schema)
                .set("last_id", to: SQLBind(id)).set("row_count", to: SQLBind(count)).set("last_hash", to: SQLBind(row.hash))
                .set("updated_at", to: SQLBind(now)).set("signature", to: SQLBind(signature))
                .where("id", .equal, SQLBind(headID)).where("last_hash", .equal, SQLBind(previous))
                .returning("id").all(decoding: Moved.self)
            guard moved.count == 1 else { throw ChainBroken() }
        } else {
            let fresh = AuditHead()
            fresh.id = headID
            fresh.lastID = id
            fresh.rowCount = count
            fresh.lastHash = row.hash
            fresh.legacyUntil = legacyUntil
            fresh.updatedAt = now
            fresh.signature = signature
            try await fresh.create(on: tx) // a second first appender fails on the primary key
        }
    }

    /// Appends an entry in its own transaction.
    static func record(_ entry: AuditEntry, app: Application, on db: (any Database)? = nil) async throws {
        let now = app.clock.now()
        try await app.writes.transaction(on: db ?? app.db) { tx in try await append(entry, at: now, app: app, on: tx) }
    }

    static func millisecondPrecision(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    static func fields(of row: AuditEvent, previous: String) -> Data {
        let millis = Int64((row.at.timeIntervalSince1970 * 1000).rounded())
        let fields = [
            previous, "\(millis)", row.actorUserID.map(String.init) ?? "-", row.actorRole, row.action, row.objectType,
            row.objectID ?? "-", row.source, row.outcome,
        ]
        return Data(fields.joined(separator: "\u{1F}").utf8)
    }

    /// The unkeyed hash of rows written before the chain was keyed.
    static func legacyHash(of row: AuditEvent, previous: String) -> String {
        SHA256.hash(data: fields(of: row, previous: previous)).hex
    }

    static func mac(of row: AuditEvent, previous: String, key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: fields(of: row, previous: previous), using: key).hex
    }

    static func headSignature(lastID: Int64, count: Int64, lastHash: String, legacyUntil: Int64, key: SymmetricKey) -> String {
        let text = "audit-head\u{1F}\(lastID)\u{1F}\(count)\u{1F}\(lastHash)\u{1F}\(legacyUntil)"
        return HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key).hex
    }

    /// The head as an operator keeps it elsewhere: `careabroad audit verify --head …` checks the chain still holds it.
    static func printable(_ head: AuditHead) -> String {
        "\(head.lastID):\(head.lastHash)"
    }

    struct Verification: Sendable {
        let checked: Int
        /// The id of the first row whose link does not hold (0 when the head itself is wrong), if any.
        let firstBrokenID: Int64?
        let reason: String?
        var intact: Bool { firstBrokenID == nil }
    }

    /// Walks the chain in order and reports the first broken link, a truncated or rewritten chain, a fork, or a head
    /// that does not match. `expectedHead` (`id:hash`, as `audit head` printed it earlier) must still be in the chain.
    static func verify(app: Application, on db: any Database, expectedHead: String? = nil, batchSize: Int = 5_000) async throws -> Verification {
        // One consistent snapshot: entries appended while the walk runs belong to a later head, not to this check.
        try await db.transaction { tx in
            if let sql = tx as? any SQLDatabase, sql.dialect.name == "postgresql" {
                try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").run()
            }
            return try await verifySnapshot(app: app, on: tx, expectedHead: expectedHead, batchSize: batchSize)
        }
    }

    private static func verifySnapshot(app: Application, on db: any Database, expectedHead: String?, batchSize: Int) async throws -> Verification {
        let key = try await keyIfPresent(app: app, on: db)
        let stored = try await AuditHead.find(headID, on: db)
        if stored == nil && key != nil {
            return Verification(checked: 0, firstBrokenID: 0, reason: "the chain is keyed but has no signed head (the head was removed)")
        }
        // A chain written entirely before keying (an upgraded platform before its first new entry): plain hashes only.
        let head = stored
        if let head, let key {
            let expected = headSignature(lastID: head.lastID, count: head.rowCount, lastHash: head.lastHash, legacyUntil: head.legacyUntil, key: key)
            guard Array(expected.utf8).secureCompare(to: Array(head.signature.utf8)) else {
                return Verification(checked: 0, firstBrokenID: 0, reason: "the head's signature does not match (the head was edited)")
            }
        }
        var wanted: (id: Int64, hash: String)?
        if let expectedHead {
            let parts = expectedHead.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let id = Int64(parts[0]) else {
                return Verification(checked: 0, firstBrokenID: 0, reason: "the expected head must look like id:hash")
            }
            wanted = (id, parts[1])
        }
        let legacyUntil = head?.legacyUntil ?? Int64.max
        // Recent hashes by row id, to tell a fork (a row linking to an earlier row that already has a follower) from
        // other breaks; pruned as the walk goes, since a fork links to a recent row.
        var recent: [String: Int64] = [:]
        var previous = genesis
        var lastID: Int64 = 0
        var checked = 0
        var foundWanted = wanted == nil
        while true {
            let rows = try await AuditEvent.query(on: db).filter(\.$id > lastID).sort(\.$id).limit(batchSize).all()
            if rows.isEmpty { break }
            for row in rows {
                let id = row.id ?? 0
                if row.previousHash != previous {
                    if let earlier = recent[row.previousHash] {
                        return Verification(checked: checked, firstBrokenID: id, reason: "fork: it links to row \(earlier), which another row already follows")
                    }
                    return Verification(checked: checked, firstBrokenID: id, reason: "its previous hash does not match the row before it (a row was changed, removed or inserted)")
                }
                let computed: String
                if id <= legacyUntil { computed = legacyHash(of: row, previous: previous) }
                else if let key { computed = mac(of: row, previous: previous, key: key) }
                else { return Verification(checked: checked, firstBrokenID: id, reason: "the audit key is missing") }
                guard Array(computed.utf8).secureCompare(to: Array(row.hash.utf8)) else {
                    return Verification(checked: checked, firstBrokenID: id, reason: "its content does not match its MAC (the row was edited or the chain rewritten)")
                }
                if let wanted, wanted.id == id {
                    guard wanted.hash == row.hash else {
                        return Verification(checked: checked, firstBrokenID: id, reason: "the head kept earlier (\(wanted.id):\(wanted.hash)) is not in the chain any more (rewritten)")
                    }
                    foundWanted = true
                }
                recent[row.hash] = id
                previous = row.hash
                lastID = id
                checked += 1
            }
            if recent.count > 20_000 { recent = recent.filter { $0.value > lastID - 10_000 } }
        }
        if !foundWanted {
            return Verification(checked: checked, firstBrokenID: wanted?.id ?? 0, reason: "the head kept earlier is not in the chain any more (rows were removed)")
        }
        if let head, lastID != head.lastID || previous != head.lastHash || Int64(checked) != head.rowCount {
            let reason = lastID < head.lastID || Int64(checked) < head.rowCount
                ? "the chain ends at row \(lastID) but its signed head names row \(head.lastID) of \(head.rowCount) (the newest rows were removed)"
                : "rows follow the signed head (row \(head.lastID)) that it does not cover (appended around the platform)"
            return Verification(checked: checked, firstBrokenID: lastID, reason: reason)
        }
        return Verification(checked: checked, firstBrokenID: nil, reason: nil)
    }

    static func keyIfPresent(app: Application, on db: any Database) async throws -> SymmetricKey? {
        try await app.vault.existingPlatformKey(keyPurpose, on: db)
    }
}

extension Request {
    /// Where a request came from, for the audit trail and rate limits: the socket peer, or the client named in
    /// `X-Forwarded-For` when the peer is one of `CAREABROAD_TRUSTED_PROXIES`.
    var auditSource: String {
        IPNetwork.client(peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor],
                         trusted: application.config.trustedProxies) ?? "unknown"
    }
}
