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

/// An append-only, hash-chained audit trail: each row's hash covers its fields and the previous row's hash, so
/// editing or deleting a row breaks every link after it.
enum AuditLog {
    static let genesis = String(repeating: "0", count: 64)

    /// Appends an entry. Must run inside a `WriteGate` transaction: the chain needs one writer at a time (on
    /// PostgreSQL a transaction-scoped advisory lock gives that across app nodes).
    static func append(_ entry: AuditEntry, at now: Date, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: Int64(0x43415544))) ").run()
        }
        struct Last: Decodable { let hash: String }
        let previous = try await sql.select().column("hash").from(AuditEvent.schema)
            .orderBy("id", .descending).limit(1).first(decoding: Last.self)?.hash ?? genesis
        let at = millisecondPrecision(now)
        let row = AuditEvent()
        row.at = at
        row.actorUserID = entry.actorUserID
        row.actorRole = entry.actorRole
        row.action = entry.action
        row.objectType = entry.objectType
        row.objectID = entry.objectID
        row.source = entry.source
        row.outcome = entry.outcome.rawValue
        row.previousHash = previous
        row.hash = hash(of: row, previous: previous)
        try await row.create(on: tx)
    }

    /// Appends an entry in its own transaction.
    static func record(_ entry: AuditEntry, app: Application, on db: (any Database)? = nil) async throws {
        let now = app.clock.now()
        try await app.writes.transaction(on: db ?? app.db) { tx in try await append(entry, at: now, on: tx) }
    }

    static func millisecondPrecision(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    static func hash(of row: AuditEvent, previous: String) -> String {
        let millis = Int64((row.at.timeIntervalSince1970 * 1000).rounded())
        let fields = [
            previous, "\(millis)", row.actorUserID.map(String.init) ?? "-", row.actorRole, row.action, row.objectType,
            row.objectID ?? "-", row.source, row.outcome,
        ]
        return Data(SHA256.hash(data: Data(fields.joined(separator: "\u{1F}").utf8))).hex
    }

    struct Verification: Sendable {
        let checked: Int
        /// The id of the first row whose link does not hold, if any.
        let firstBrokenID: Int64?
        let reason: String?
    }

    /// Walks the chain in order and reports the first broken link.
    static func verify(on db: any Database, batchSize: Int = 5_000) async throws -> Verification {
        var previous = genesis
        var lastID: Int64 = 0
        var checked = 0
        while true {
            let rows = try await AuditEvent.query(on: db).filter(\.$id > lastID).sort(\.$id).limit(batchSize).all()
            if rows.isEmpty { return Verification(checked: checked, firstBrokenID: nil, reason: nil) }
            for row in rows {
                let id = row.id ?? 0
                if row.previousHash != previous {
                    return Verification(checked: checked, firstBrokenID: id, reason: "its previous hash does not match the row before it (a row was changed, removed or inserted)")
                }
                if hash(of: row, previous: previous) != row.hash {
                    return Verification(checked: checked, firstBrokenID: id, reason: "its content does not match its hash (the row was edited)")
                }
                previous = row.hash
                lastID = id
                checked += 1
            }
        }
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
