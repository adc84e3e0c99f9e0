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
    var attachment: MailAttachment? = nil
}

/// One text file carried by a message (a calendar invitation).
struct MailAttachment: Sendable, Equatable {
    let name: String
    /// The full media type, with parameters (`text/calendar; method=REQUEST; charset=utf-8`).
    let mediaType: String
    let content: String
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
                INSERT INTO mailbox_messages (id, recipient, subject, body, delivered_at, attachment_name, attachment)
                VALUES (\(bind: mail.id), \(bind: mail.recipient), \(bind: mail.subject), \(bind: mail.body), \(bind: now),
                        \(bind: mail.attachment?.name), \(bind: mail.attachment?.content))
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

    /// Writes a message in the caller's transaction. `notBefore` delays it (a reminder); `id` names it so that a
    /// later change can withdraw it before it goes (`withdraw(idPrefix:)`).
    static func enqueue(_ app: Application, kind: String, to recipient: String, subject: String, body: String, now: Date,
                        attachment: MailAttachment? = nil, notBefore: Date? = nil, id givenID: String? = nil,
                        on tx: any Database) async throws {
        let row = OutboxMessage()
        let id = givenID ?? UUID().uuidString.lowercased()
        row.id = id
        row.kind = kind
        row.recipient = recipient
        row.subject = subject
        row.body = ""
        row.bodySealed = try Vault.seal(Data(body.utf8), key: try await app.vault.platformKey(keyPurpose, creatingIn: tx, now: now),
                                       context: "outbox:\(id)")
        row.createdAt = now
        row.nextAttemptAt = max(now, notBefore ?? now)
        row.attempts = 0
        if let attachment {
            let key = try await app.vault.platformKey(keyPurpose, creatingIn: tx, now: now)
            row.attachmentName = attachment.name
            row.attachmentType = attachment.mediaType
            row.attachmentSealed = try Vault.seal(Data(attachment.content.utf8), key: key, context: "outbox:\(id):attachment")
        }
        try await row.create(on: tx)
    }

    /// Removes messages not yet sent whose id starts with `idPrefix` (reminders of a cancelled appointment). The
    /// prefix is made of letters, digits and dashes only, so it needs no escaping in LIKE.
    static func withdraw(idPrefix: String, on tx: any Database) async throws {
        precondition(idPrefix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        try await (tx as! any SQLDatabase).delete(from: OutboxMessage.schema).where("id", .like, SQLBind(idPrefix + "%"))
            .where("delivered_at", .is, SQLLiteral.null).run()
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
        struct Claimed: Decodable {
            let id: String; let recipient: String; let subject: String; let body: String; let body_sealed: Data?; let attempts: Int
            let attachment_name: String?; let attachment_type: String?; let attachment_sealed: Data?
        }
        let skipLocked: SQLQueryString = sql.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
        let claimed = try await app.writes.run(on: db) { db in
            try await (db as! any SQLDatabase).raw("""
                UPDATE outbox_messages SET claimed_until = \(bind: now.addingTimeInterval(claimSeconds))
                WHERE id IN (
                  SELECT id FROM outbox_messages
                  WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= \(bind: now)
                    AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                  ORDER BY next_attempt_at LIMIT \(bind: limit) \(skipLocked))
                RETURNING id, recipient, subject, body, body_sealed, attempts, attachment_name, attachment_type, attachment_sealed
                """).all(decoding: Claimed.self)
        }
        var delivered = 0
        let key = claimed.isEmpty ? nil : try await app.vault.existingPlatformKey(keyPurpose, on: db)
        for message in claimed {
            do {
                let body = try Self.body(id: message.id, plaintext: message.body, sealed: message.body_sealed, key: key)
                var mail = OutgoingMail(id: message.id, recipient: message.recipient, subject: message.subject, body: body)
                if let name = message.attachment_name, let type = message.attachment_type, let sealed = message.attachment_sealed, let key {
                    let content = String(decoding: try Vault.open(sealed, key: key, context: "outbox:\(message.id):attachment"), as: UTF8.self)
                    mail.attachment = MailAttachment(name: name, mediaType: type, content: content)
                }
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
            var lastScheduling = ContinuousClock.now - .seconds(3_600)
            while !Task.isCancelled {
                // Scheduled pages go live within half a minute of their time.
                if ContinuousClock.now - lastScheduling > .seconds(30) {
                    lastScheduling = ContinuousClock.now
                    do { try await EditorialService.publishDue(app: app) } catch {
                        app.logger.error("scheduled publishing failed", metadata: ["error": "\(type(of: error))"])
                    }
                    do { try await app.profileViews.flush(app: app) } catch {
                        app.logger.error("profile view counts failed", metadata: ["error": "\(type(of: error))"])
                    }
                }
                if ContinuousClock.now - lastHousekeeping > .seconds(600) {
                    lastHousekeeping = ContinuousClock.now
                    do { try await Housekeeping.run(app: app) } catch {
                        app.logger.error("housekeeping failed", metadata: ["error": "\(type(of: error))"])
                    }
                    do { try await CaseExpiry.run(app: app) } catch {
                        app.logger.error("case expiry failed", metadata: ["error": "\(type(of: error))"])
                    }
                    do { try await CredentialService.expireLapsed(app: app) } catch {
                        app.logger.error("credential expiry failed", metadata: ["error": "\(type(of: error))"])
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
        // The last half minute of profile views.
        try? await application.profileViews.flush(app: application)
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
