import Foundation
import Crypto
import Fluent
import SQLKit
import Vapor
import Domain

/// Which side of a case conversation a participant writes from.
enum ConversationSide: String, Sendable {
    case patient
    case provider
    /// A facilitator organisation the patient let into the conversation (consent naming the messages).
    case facilitator

    /// The other participants' sides.
    var others: [ConversationSide] { [.patient, .provider, .facilitator].filter { $0 != self } }

    /// Whose reading marks a message "seen": the provider's team for the patient and the facilitator, the patient for the team.
    var counterpart: ConversationSide { self == .provider ? .patient : .provider }
}

/// A message as the conversation page shows it, opened.
struct ShownMessage: Sendable {
    struct Attachment: Sendable {
        let id: String
        let kind: AttachmentKind
        let name: String
        let byteCount: Int
    }
    let id: Int
    let side: ConversationSide
    let authorName: String
    let mine: Bool
    let text: String
    let at: Date
    let attachments: [Attachment]
    /// Whether the other side has read it.
    let seen: Bool
}

/// One page of a conversation, newest page first; `olderBefore` is set when older messages exist.
struct ConversationPage: Sendable {
    let messages: [ShownMessage]
    let olderBefore: Int?
    let newerThan: Int?
}

enum MessageLimits {
    static let maxText = 5_000
    static let pageSize = 30
    /// The most a message form may carry: five attachments of 10 MiB and the text, with multipart overhead.
    static let maxBody: ByteCount = "52mb"
}

/// The case stopped taking messages (withdrawn, or not confirmed yet); answered with 409.
struct ConversationClosed: Error {}

enum MessageService {
    /// Statuses in which the conversation takes new messages.
    static let openStatuses = CaseStatus.allCases.filter { $0.visibleToProvider && $0 != .withdrawn }

    /// Checks a message's files by their bytes (`nil` bytes: the file could not be read). Returns the accepted
    /// attachments, the problems at `field(i)`, and the status that fits them: 413 when a file is too large, 415
    /// when one is not an allowed kind, 422 otherwise. Nothing is kept from a refused message.
    static func inspect(_ files: [(name: String, bytes: [UInt8]?)], field: (Int) -> String)
        -> (attachments: [InspectedAttachment], problems: [FieldProblem], status: HTTPStatus) {
        guard files.count <= AttachmentInspector.maxPerMessage else {
            return ([], [FieldProblem("attachments", .tooMany(max: AttachmentInspector.maxPerMessage))], .unprocessableEntity)
        }
        var attachments: [InspectedAttachment] = []
        var problems: [FieldProblem] = []
        var status: HTTPStatus = .unprocessableEntity
        for (i, file) in files.enumerated() {
            guard let bytes = file.bytes else { problems.append(FieldProblem(field(i), .unknownValue)); continue }
            do {
                attachments.append(try AttachmentInspector.inspect(bytes, name: file.name))
            } catch .tooLarge {
                problems.append(FieldProblem(field(i), .tooLong(max: AttachmentInspector.maxBytes / 1_048_576)))
                status = .payloadTooLarge
            } catch {
                problems.append(FieldProblem(field(i), .unknownValue))
                if status != .payloadTooLarge { status = .unsupportedMediaType }
            }
        }
        return (attachments, problems, status)
    }

    static func bodyContext(_ reference: String, _ id: Int) -> String { "case:\(reference):message:\(id)" }
    static func attachmentContext(_ reference: String, _ id: String) -> String { "case:\(reference):attachment:\(id)" }
    static func nameContext(_ reference: String, _ id: String) -> String { "case:\(reference):attachment:\(id):name" }

    /// Stores a message and its attachments (sealed with the patient's data key) and tells the other side that a
    /// message is waiting, never what it says: once per unread run, so a burst of messages sends one email.
    static func post(text: String, attachments: [InspectedAttachment], side: ConversationSide, row: ConsultationCase, author: SignedInUser,
                     app: Application, source: String, on db: any Database) async throws -> Int {
        let now = app.clock.now()
        let caseID = try row.requireID()
        let reference = row.reference
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        return try await app.writes.transaction(on: db) { tx in
            let sql = tx as! any SQLDatabase
            // The case must still take messages when the message is written (a withdrawal may have come first).
            guard try await CaseService.touch(caseID: caseID, allowed: openStatuses, now: now, on: tx) else { throw ConversationClosed() }
            // Who is told: each other participant with nothing unread yet (someone with unread messages was told already).
            // A facilitator takes part only while the patient's consent names the messages.
            let facilitator = try await FacilitatorAccess.organisation(caseID: caseID, scope: .messages, on: tx)
            var recipients: [ConversationSide] = []
            for other in side.others where other != .facilitator || facilitator != nil {
                if try await unreadRun(caseID: caseID, for: other, on: tx) == 0 { recipients.append(other) }
            }

            let message = CaseMessage()
            message.caseID = caseID
            message.authorUserID = author.id
            message.side = side.rawValue
            message.body = Data()
            message.attachmentCount = attachments.count
            message.createdAt = now
            try await message.create(on: tx)
            let id = try message.requireID()
            try await sql.update("case_messages")
                .set("body", to: SQLBind(try Vault.seal(Data(text.utf8), key: key, context: bodyContext(reference, id))))
                .where("id", .equal, SQLBind(id)).run()
            for attachment in attachments {
                let stored = MessageAttachment()
                let attachmentID = UUID().uuidString.lowercased()
                stored.id = attachmentID
                stored.messageID = id
                stored.caseID = caseID
                stored.mediaType = attachment.kind.rawValue
                stored.byteCount = attachment.bytes.count
                stored.name = try Vault.seal(Data(attachment.name.utf8), key: key, context: nameContext(reference, attachmentID))
                stored.ciphertext = try Vault.seal(Data(attachment.bytes), key: key, context: attachmentContext(reference, attachmentID))
                stored.createdAt = now
                try await stored.create(on: tx)
            }
            // The writer has read everything up to their own message.
            try await markRead(caseID: caseID, userID: author.id, side: side, upTo: id, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: author.id, actorRole: author.role.rawValue, action: "message.send", objectType: "case",
                                                 objectID: reference, source: source), at: now, app: app, on: tx)
            for recipient in recipients {
                switch recipient {
                case .provider:
                    let link = app.config.baseURL + SiteURL.inboxMessages(.value(reference)).path
                    try await CaseService.tellTeam(of: row, kind: "message-waiting", mail: "mail.messageForTeam", values: ["reference": reference, "link": link],
                                                   app: app, now: now, on: tx)
                case .patient:
                    guard let patient = try await User.find(row.$patient.id, on: tx) else { continue }
                    let link = app.config.baseURL + SiteURL.caseMessages(.value(reference)).path
                    try await Outbox.enqueue(app, kind: "message-waiting", to: patient.email,
                                             subject: app.localizer("mail.messageForPatient.subject", ["reference": reference]),
                                             body: app.localizer("mail.messageForPatient.body", ["name": patient.displayName, "reference": reference, "link": link]),
                                             now: now, on: tx)
                case .facilitator:
                    guard let facilitator else { continue }
                    let link = app.config.baseURL + SiteURL.pipelineMessages(.value(reference)).path
                    try await FacilitatorAccess.tellOrganisation(facilitator, kind: "message-waiting", mail: "mail.messageForFacilitator",
                                                                 values: ["reference": reference, "link": link], app: app, now: now, on: tx)
                }
            }
            return id
        }
    }

    /// How many messages from the other participants `side` has not read yet.
    static func unreadRun(caseID: Int, for side: ConversationSide, on db: any Database) async throws -> Int {
        let read = try await lastRead(caseID: caseID, side: side, on: db)
        struct N: Decodable { let n: Int }
        return try await (db as! any SQLDatabase).select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("case_messages")
            .where("case_id", .equal, SQLBind(caseID)).where("side", .notEqual, SQLBind(side.rawValue)).where("id", .greaterThan, SQLBind(read))
            .first(decoding: N.self)?.n ?? 0
    }

    /// The highest message id anyone on `side` has read (0 when nobody has).
    static func lastRead(caseID: Int, side: ConversationSide, on db: any Database) async throws -> Int {
        struct M: Decodable { let m: Int? }
        return try await (db as! any SQLDatabase).select().column(SQLFunction("max", args: SQLColumn("last_read_id")), as: "m")
            .from("conversation_reads").where("case_id", .equal, SQLBind(caseID)).where("side", .equal, SQLBind(side.rawValue))
            .first(decoding: M.self)?.m ?? 0
    }

    /// Moves a reader's mark forward to `upTo` (never back): one conditional update, or the first insert (a
    /// unique key on case and reader settles two first reads at once).
    static func markRead(caseID: Int, userID: Int, side: ConversationSide, upTo: Int, now: Date, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO conversation_reads (case_id, user_id, side, last_read_id, read_at)
            VALUES (\(bind: caseID), \(bind: userID), \(bind: side.rawValue), \(bind: upTo), \(bind: now))
            ON CONFLICT (case_id, user_id) DO UPDATE SET last_read_id = excluded.last_read_id, read_at = excluded.read_at
            WHERE conversation_reads.last_read_id < excluded.last_read_id
            """).run()
    }

    /// One page of the conversation: the latest `pageSize` messages, or those before `before`. Reads only the
    /// page's rows through the (case, id) index, so a long conversation opens as fast as a short one.
    static func page(row: ConsultationCase, viewer: ConversationSide, viewerID: Int, before: Int?, app: Application,
                     on db: any Database) async throws -> ConversationPage {
        let caseID = try row.requireID()
        let sql = db as! any SQLDatabase
        struct Row: Decodable { let id: Int; let author_user_id: Int?; let side: String; let body: Data; let attachment_count: Int; let created_at: Date }
        var query = sql.select().columns("id", "author_user_id", "side", "body", "attachment_count", "created_at").from("case_messages")
            .where("case_id", .equal, SQLBind(caseID))
        if let before { query = query.where("id", .lessThan, SQLBind(before)) }
        let rows = try await query.orderBy("id", .descending).limit(MessageLimits.pageSize + 1).all(decoding: Row.self)
        let hasOlder = rows.count > MessageLimits.pageSize
        let pageRows = Array(rows.prefix(MessageLimits.pageSize)).reversed()
        guard !pageRows.isEmpty else { return ConversationPage(messages: [], olderBefore: nil, newerThan: nil) }
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        let withFiles = pageRows.filter { $0.attachment_count > 0 }.map(\.id)
        struct FileRow: Decodable { let id: String; let message_id: Int; let media_type: String; let byte_count: Int; let name: Data }
        let files = withFiles.isEmpty ? [] : try await sql.select().columns("id", "message_id", "media_type", "byte_count", "name")
            .from("message_attachments").where("message_id", .in, SQLBind.group(withFiles)).orderBy("created_at").all(decoding: FileRow.self)
        let filesByMessage = Dictionary(grouping: files, by: \.message_id)
        let authorIDs = Array(Set(pageRows.compactMap(\.author_user_id)))
        struct NameRow: Decodable { let id: Int; let display_name: String }
        let names = authorIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await sql.select().columns("id", "display_name").from("users")
            .where("id", .in, SQLBind.group(authorIDs)).all(decoding: NameRow.self).map { ($0.id, $0.display_name) })
        let otherRead = try await lastRead(caseID: caseID, side: viewer.counterpart, on: db)
        let reference = row.reference
        let messages = try pageRows.map { r in
            let side = ConversationSide(rawValue: r.side) ?? .patient
            return ShownMessage(
                id: r.id, side: side, authorName: r.author_user_id.flatMap { names[$0] } ?? "", mine: r.author_user_id == viewerID,
                text: String(decoding: try Vault.open(r.body, key: key, context: bodyContext(reference, r.id)), as: UTF8.self), at: r.created_at,
                attachments: try (filesByMessage[r.id] ?? []).map { f in
                    ShownMessage.Attachment(id: f.id, kind: AttachmentKind(rawValue: f.media_type) ?? .pdf,
                                            name: String(decoding: try Vault.open(f.name, key: key, context: nameContext(reference, f.id)), as: UTF8.self),
                                            byteCount: f.byte_count)
                },
                seen: side == viewer && r.id <= otherRead)
        }
        let newest = rows.first?.id ?? 0
        struct Newer: Decodable { let id: Int }
        let newer = before == nil ? nil : try await sql.select().column("id").from("case_messages").where("case_id", .equal, SQLBind(caseID))
            .where("id", .greaterThan, SQLBind(newest)).orderBy("id").limit(1).first(decoding: Newer.self)
        return ConversationPage(messages: messages, olderBefore: hasOlder ? pageRows.first?.id : nil, newerThan: newer.map { _ in newest })
    }

    /// Unread messages from the other side, per case, for one reader (counted up to 100: lists show "99+").
    static func unreadCounts(caseIDs: [Int], side: ConversationSide, userID: Int, on db: any Database) async throws -> [Int: Int] {
        guard !caseIDs.isEmpty else { return [:] }
        struct Row: Decodable { let case_id: Int; let n: Int }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT m.case_id AS case_id, COUNT(*) AS n FROM case_messages m
            LEFT JOIN conversation_reads r ON r.case_id = m.case_id AND r.user_id = \(bind: userID)
            WHERE m.case_id IN (\(binds: caseIDs)) AND m.side <> \(bind: side.rawValue) AND m.id > COALESCE(r.last_read_id, 0)
            GROUP BY m.case_id
            """).all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.case_id, min($0.n, 100)) })
    }

    /// An attachment of `row`, opened (nil when it is not this case's).
    static func attachment(id: String, of row: ConsultationCase, app: Application, on db: any Database) async throws -> (AttachmentKind, String, Data)? {
        guard let stored = try await MessageAttachment.query(on: db).filter(\.$id == id).filter(\.$caseID == (try row.requireID())).first(),
              let kind = AttachmentKind(rawValue: stored.mediaType) else { return nil }
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        let name = String(decoding: try Vault.open(stored.name, key: key, context: nameContext(row.reference, id)), as: UTF8.self)
        return (kind, name, try Vault.open(stored.ciphertext, key: key, context: attachmentContext(row.reference, id)))
    }
}
