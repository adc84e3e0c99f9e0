import Foundation
import Fluent
import Vapor
import Domain

/// The case conversation. Only the case's patient and its provider's team reach it (404 and an audit entry
/// otherwise); every read is audited; a refused message stores nothing.
enum MessageController {
    @Sendable static func patientPage(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        return try await render(req, user, try await QuoteController.patientCase(req, user), side: .patient, state: FormState(), status: .ok)
    }

    @Sendable static func staffPage(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        return try await render(req, user, try await QuoteController.staffCase(req, user), side: .provider, state: FormState(), status: .ok)
    }

    @Sendable static func patientPost(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        return try await post(req, user, try await QuoteController.patientCase(req, user), side: .patient)
    }

    @Sendable static func staffPost(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        return try await post(req, user, try await QuoteController.staffCase(req, user), side: .provider)
    }

    @Sendable static func patientAttachment(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        return try await serve(req, user, try await QuoteController.patientCase(req, user))
    }

    @Sendable static func staffAttachment(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        return try await serve(req, user, try await QuoteController.staffCase(req, user))
    }

    @Sendable static func facilitatorPage(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.facilitator])
        let (row, _) = try await PipelineController.shared(req, user, scope: .messages)
        return try await render(req, user, row, side: .facilitator, state: FormState(), status: .ok)
    }

    @Sendable static func facilitatorPost(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.facilitator])
        let (row, _) = try await PipelineController.shared(req, user, scope: .messages)
        return try await post(req, user, row, side: .facilitator)
    }

    @Sendable static func facilitatorAttachment(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.facilitator])
        let (row, _) = try await PipelineController.shared(req, user, scope: .messages)
        return try await serve(req, user, row)
    }

    static func render(_ req: Request, _ user: SignedInUser, _ row: ConsultationCase, side: ConversationSide, state: FormState,
                       status: HTTPStatus) async throws -> Response {
        let before = try req.queryParameters().integer("before", in: 1...Int(Int32.max))
        let conversation = try await MessageService.page(row: row, viewer: side, viewerID: user.id, before: before, app: req.application, on: req.db)
        if let newest = conversation.messages.last?.id {
            try await req.application.writes.run(on: req.db) { db in
                try await MessageService.markRead(caseID: try row.requireID(), userID: user.id, side: side, upTo: newest,
                                                  now: req.application.clock.now(), on: db)
            }
        }
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "messages.view", objectType: "case",
                                             objectID: row.reference, source: req.auditSource), app: req.application)
        let facilitator = try await FacilitatorAccess.current(caseID: try row.requireID(), on: req.db).flatMap { $0.allows(.messages) ? $0 : nil }
        return .html(MessagePages.page(reference: row.reference, providerName: try await QuoteController.providerName(row, on: req.db),
                                       facilitatorName: facilitator?.facilitatorName, conversation: conversation, side: side,
                                       csrf: req.csrfToken, state: state, req.pageContext),
                     status: status)
    }

    static func post(_ req: Request, _ user: SignedInUser, _ row: ConsultationCase, side: ConversationSide) async throws -> Response {
        let form = try await req.formBody()
        guard let status = CaseStatus(rawValue: row.status), MessageService.openStatuses.contains(status) else {
            throw Abort(.conflict, reason: req.application.localizer("messages.closed"))
        }
        var reader = FormReader(form.input)
        let text = reader.text("text", max: MessageLimits.maxText) ?? ""
        // An empty file control still sends a part with no name and no bytes: that is no attachment.
        let files = form.files.filter { $0.field == "attachments" && !($0.bytes.isEmpty && $0.filename.isEmpty) }
        let checked = MessageService.inspect(files.map { ($0.filename, $0.bytes) }, field: { _ in "attachments" })
        let attachments = checked.attachments
        var problems = reader.problems + checked.problems
        if problems.isEmpty && text.isEmpty && attachments.isEmpty { problems.append(FieldProblem("text", .required)) }
        guard problems.isEmpty else {
            return try await render(req, user, row, side: side, state: FormState(form.input, problems: problems),
                                    status: checked.problems.isEmpty ? .unprocessableEntity : checked.status)
        }
        let id: Int
        do {
            id = try await MessageService.post(text: text, attachments: attachments, side: side, row: row, author: user, app: req.application,
                                               source: req.auditSource, on: req.db)
        } catch is ConversationClosed {
            throw Abort(.conflict, reason: req.application.localizer("messages.closed"))
        }
        return CaseController.redirect(MessagePages.Links(side, row.reference).base.path + "#m\(id)")
    }

    /// An attachment, decrypted, never cached: images inline, PDFs and HEIC as downloads, all sandboxed.
    static func serve(_ req: Request, _ user: SignedInUser, _ row: ConsultationCase) async throws -> Response {
        let id = try req.attachmentID()
        guard let (kind, name, bytes) = try await MessageService.attachment(id: id, of: row, app: req.application, on: req.db) else {
            try await CaseController.notFound(req, user, row.reference)
        }
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "attachment.view", objectType: "attachment",
                                             objectID: id, source: req.auditSource), app: req.application)
        return fileResponse(kind: kind, name: name, bytes: bytes)
    }

    /// A stored file as a response: never cached, sandboxed, images inline and everything else as a download.
    static func fileResponse(kind: AttachmentKind, name: String, bytes: Data) -> Response {
        let response = Response(status: .ok, body: .init(data: bytes))
        response.headers.replaceOrAdd(name: .contentType, value: kind.mediaType)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        // The name as typed (cleaned) travels percent-encoded in `filename*`; `filename` keeps letters, digits and a
        // few safe marks for old clients.
        let ascii = String(name.unicodeScalars.map { s -> Character in
            s.isASCII && (CharacterSet.alphanumerics.contains(s) || "._-() ".unicodeScalars.contains(s)) ? Character(s) : "_"
        })
        // RFC 5987 attr-char: ASCII letters and digits and a few marks; everything else percent-encoded as UTF-8.
        let encoded = name.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn:
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")) ?? "attachment"
        let disposition = kind.isInlineImage ? "inline" : "attachment"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "\(disposition); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; sandbox")
        return response
    }
}
