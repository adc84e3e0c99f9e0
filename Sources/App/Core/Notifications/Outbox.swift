import Foundation
import Fluent
import Crypto
import SQLKit
import Vapor

/// A message ready for a transport.
struct OutgoingMail: Sendable {
    let id: String
    let recipient: String
    let subject: String
    let body: String
}

/// Delivers messages. Transports must tolerate the same message twice (at-least-once delivery): the mailbox
/// keys messages by id; SMTP sends the id as `Message-ID` so receivers can drop a repeat.
protocol MailTransport: Sendable {
    func deliver(_ mail: OutgoingMail, on db: any Database, gate: WriteGate, now: Date) async throws
}

/// Development: messages land in the database and are read at `/dev/mailbox`.
struct MailboxTransport: MailTransport {
    func deliver(_ mail: OutgoingMail, on db: any Database, gate: WriteGate, now: Date) async throws {
        try await gate.run(on: db) { db in
            // Inserting an id that is already there is a repeat delivery: nothing to do.
            try await (db as! any SQLDatabase).raw("""
                INSERT INTO mailbox_messages (id, recipient, subject, body, delivered_at)
                VALUES (\(bind: mail.id), \(bind: mail.recipient), \(bind: mail.subject), \(bind: mail.body), \(bind: now))
                ON CONFLICT (id) DO NOTHING
                """).run()
        }
    }
}

/// Writes only that a message went out (its id and kind), never its recipient or content.
struct LogTransport: MailTransport {
    let logger: Logger
    func deliver(_ mail: OutgoingMail, on db: any Database, gate: WriteGate, now: Date) async throws {
        logger.info("message delivered to the log transport", metadata: ["message_id": "\(mail.id)"])
    }
}

/// The transactional outbox: `enqueue` writes the message in the caller's transaction, the worker delivers it.
enum Outbox {
    /// The platform key that seals message bodies: they carry working links (verification, reset), so they are
    /// never kept in plaintext, and delivered messages are deleted after the retention period.
    static let keyPurpose = "outbox"

    static func enqueue(_ app: Application, kind: String, to recipient: String, subject: String, body: String, now: Date,
                        on tx: any Database) async throws {
        let row = OutboxMessage()
        let id = UUID().uuidString.lowercased()
        row.id = id
        row.kind = kind
        row.recipient = recipient
        row.subject = subject
        row.body = ""
        row.bodySealed = try Vault.seal(Data(body.utf8), key: try await app.vault.platformKey(keyPurpose, creatingIn: tx, now: now),
                                       context: "outbox:\(id)")
        row.createdAt = now
        row.nextAttemptAt = now
        row.attempts = 0
        try await row.create(on: tx)
    }

    /// A message's body: opened from `body_sealed`, or the plaintext of a row written before bodies were sealed.
    static func body(id: String, plaintext: String, sealed: Data?, key: SymmetricKey?) throws -> String {
        guard let sealed else { return plaintext }
        guard let key else { throw Vault.Failure.corrupt }
        return String(decoding: try Vault.open(sealed, key: key, context: "outbox:\(id)"), as: UTF8.self)
    }

    static let maxAttempts = 10
    static let claimSeconds: TimeInterval = 120

    /// Seconds to wait before attempt `n + 1`: 30 s doubling, at most an hour.
    static func backoff(afterAttempts n: Int) -> TimeInterval {
        min(3_600, 30 * pow(2, Double(max(0, n - 1))))
    }

    /// Claims due messages (so another worker or node skips them) and delivers them. Returns how many were
    /// delivered. A worker that dies mid-send leaves its claim to expire, and the message is sent again.
    @discardableResult
    static func deliverDue(app: Application, limit: Int = 20) async throws -> Int {
        let now = app.clock.now()
        let db = app.db
        let sql = db as! any SQLDatabase
        struct Claimed: Decodable { let id: String; let recipient: String; let subject: String; let body: String; let body_sealed: Data?; let attempts: Int }
        let skipLocked: SQLQueryString = sql.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
        let claimed = try await app.writes.run(on: db) { db in
            try await (db as! any SQLDatabase).raw("""
                UPDATE outbox_messages SET claimed_until = \(bind: now.addingTimeInterval(claimSeconds))
                WHERE id IN (
                  SELECT id FROM outbox_messages
                  WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= \(bind: now)
                    AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                  ORDER BY next_attempt_at LIMIT \(bind: limit) \(skipLocked))
                RETURNING id, recipient, subject, body, body_sealed, attempts
                """).all(decoding: Claimed.self)
        }
        var delivered = 0
        let key = claimed.isEmpty ? nil : try await app.vault.existingPlatformKey(keyPurpose, on: db)
        for message in claimed {
            do {
                let body = try Self.body(id: message.id, plaintext: message.body, sealed: message.body_sealed, key: key)
                let mail = OutgoingMail(id: message.id, recipient: message.recipient, subject: message.subject, body: body)
                try await app.mailTransport.deliver(mail, on: db, gate: app.writes, now: now)
                try await app.writes.run(on: db) { db in
                    try await OutboxMessage.query(on: db).filter(\.$id == message.id)
                        .set(\.$deliveredAt, to: now).set(\.$attempts, to: message.attempts + 1).set(\.$claimedUntil, to: nil).update()
                }
                delivered += 1
            } catch {
                let attempts = message.attempts + 1
                app.logger.warning("message delivery failed", metadata: ["message_id": "\(message.id)", "attempt": "\(attempts)",
                                                                         "error": "\(type(of: error))"])
                try await app.writes.run(on: db) { db in
                    let q = OutboxMessage.query(on: db).filter(\.$id == message.id)
                        .set(\.$attempts, to: attempts).set(\.$claimedUntil, to: nil)
                        .set(\.$lastError, to: String(String(describing: type(of: error)).prefix(200)))
                    if attempts >= maxAttempts {
                        try await q.set(\.$failedAt, to: now).update()
                    } else {
                        try await q.set(\.$nextAttemptAt, to: now.addingTimeInterval(backoff(afterAttempts: attempts))).update()
                    }
                }
            }
        }
        return delivered
    }
}

/// Runs inside `serve`: delivers due messages every `interval` seconds until the application shuts down.
final class OutboxWorker: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?
    let interval: Duration

    init(interval: Duration = .seconds(1)) { self.interval = interval }

    func start(_ app: Application) {
        task = Task { [interval] in
            var lastHousekeeping = ContinuousClock.now - .seconds(3_600)
            while !Task.isCancelled {
                if ContinuousClock.now - lastHousekeeping > .seconds(600) {
                    lastHousekeeping = ContinuousClock.now
                    do { try await Housekeeping.run(app: app) } catch {
                        app.logger.error("housekeeping failed", metadata: ["error": "\(type(of: error))"])
                    }
                }
                do {
                    let n = try await Outbox.deliverDue(app: app)
                    if n > 0 { continue }
                } catch {
                    app.logger.error("outbox worker pass failed", metadata: ["error": "\(type(of: error))"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        _ = await task?.value
    }
}

/// Removes rows that have served their purpose: ended sessions, used or expired email links, finished rate-limit
/// windows, and outgoing messages delivered (or given up) longer ago than the retention period; seals any message
/// body still in plaintext from before bodies were sealed. Runs from the worker inside `serve`.
enum Housekeeping {
    @discardableResult
    static func run(app: Application) async throws -> Int {
        let now = app.clock.now()
        return try await app.writes.transaction(on: app.db) { tx in
            // One DELETE … RETURNING each: the rows removed are counted as they go.
            let sql = tx as! any SQLDatabase
            let sessions = try await sql.delete(from: UserSession.schema)
                .where("last_seen_at", .lessThan, SQLBind(now.addingTimeInterval(-SessionPolicy.idleTimeout)))
                .orWhere("created_at", .lessThan, SQLBind(now.addingTimeInterval(-SessionPolicy.absoluteTimeout)))
                .returning("id").all().count
            let tokens = try await sql.delete(from: EmailToken.schema)
                .where("expires_at", .lessThan, SQLBind(now.addingTimeInterval(-86_400))).returning("id").all().count
            let windows = try await sql.delete(from: "rate_limits")
                .where("window_start", .lessThan, SQLBind(now.addingTimeInterval(-86_400))).returning("key").all().count
            let retention = now.addingTimeInterval(-Double(app.config.outboxRetentionDays) * 86_400)
            let messages = try await sql.delete(from: OutboxMessage.schema)
                .where { $0.where("delivered_at", .lessThan, SQLBind(retention)).orWhere("failed_at", .lessThan, SQLBind(retention)) }
                .returning("id").all().count
            let legacy = try await OutboxMessage.query(on: tx).filter(\.$bodySealed == nil).filter(\.$body != "").limit(500).all()
            if !legacy.isEmpty {
                let key = try await app.vault.platformKey(Outbox.keyPurpose, creatingIn: tx, now: now)
                for row in legacy {
                    row.bodySealed = try Vault.seal(Data(row.body.utf8), key: key, context: "outbox:\(row.id ?? "")")
                    row.body = ""
                    try await row.update(on: tx)
                }
            }
            return sessions + tokens + windows + messages + legacy.count
        }
    }
}
