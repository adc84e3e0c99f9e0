import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// `/practice`: a practice's or clinic's staff at work on their own listing. The group admits provider staff only;
/// each page acts on one of the signed-in person's workplaces (`?provider=`), and anything of another practice
/// answers 404, audited.
enum PracticeController {
    static func context(_ req: Request) async throws -> (SignedInUser, [SchedulePages.Workplace], SchedulePages.Workplace) {
        let user = try req.requireUser(roles: [.provider])
        let list = try await ScheduleController.workplaces(req, user)
        return (user, list, try ScheduleController.currentWorkplace(req, list))
    }

    @Sendable static func home(req: Request) async throws -> Response {
        let (_, list, current) = try await context(req)
        let credentials = try await CredentialService.list(holder: CredentialHolder(current), app: req.application, on: req.db)
        return .html(PracticePages.home(current: current, workplaces: list, credentials: credentials, now: req.application.clock.now(), req.pageContext))
    }

    // MARK: credentials

    @Sendable static func credentials(req: Request) async throws -> Response {
        let (_, list, current) = try await context(req)
        return try await renderCredentials(req, list, current, state: FormState(), submitted: (try? req.queryParameters().single("submitted")) != nil, status: .ok)
    }

    static func renderCredentials(_ req: Request, _ list: [SchedulePages.Workplace], _ current: SchedulePages.Workplace, state: FormState,
                                  submitted: Bool, status: HTTPStatus) async throws -> Response {
        let records = try await CredentialService.list(holder: CredentialHolder(current), app: req.application, on: req.db)
        return .html(PracticePages.credentials(current: current, workplaces: list, list: records, state: state, submitted: submitted, csrf: req.csrfToken,
                                               now: req.application.clock.now(), req.pageContext), status: status)
    }

    /// The evidence files of a form, checked by their bytes (the rules of the consultation photos and messages).
    static func evidence(_ form: FormBody, required: Bool) -> (files: [InspectedAttachment], problems: [FieldProblem], status: HTTPStatus) {
        let files = form.files.filter { $0.field == "evidence" && !($0.bytes.isEmpty && $0.filename.isEmpty) }
        if files.isEmpty && required { return ([], [FieldProblem("evidence", .required)], .unprocessableEntity) }
        guard files.count <= CredentialService.maxEvidence else {
            return ([], [FieldProblem("evidence", .tooMany(max: CredentialService.maxEvidence))], .unprocessableEntity)
        }
        let checked = MessageService.inspect(files.map { ($0.filename, $0.bytes) }, field: { _ in "evidence" })
        return (checked.attachments, checked.problems, checked.status)
    }

    @Sendable static func submitCredential(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let (user, list, current) = try await context(req)
        let now = req.application.clock.now()
        let read = CredentialSubmission.read(form.input, now: now)
        let files = evidence(form, required: true)
        let problems = read.problems + files.problems
        guard problems.isEmpty, case .success(let submission) = read else {
            let status: HTTPStatus = files.problems.isEmpty ? .unprocessableEntity : files.status
            return try await renderCredentials(req, list, current, state: FormState(form.input, problems: problems), submitted: false, status: status)
        }
        let id = try await CredentialService.submit(submission, evidence: files.files, holder: CredentialHolder(current), user: user,
                                                    app: req.application, source: req.auditSource, on: req.db)
        return CaseController.redirect(SiteURL.practiceCredential(.value("\(id)")).path(query: [("provider", current.key), ("submitted", "1")]))
    }

    /// One of this workplace's credentials, or 404 (audited) for anyone else's.
    static func owned(_ req: Request, _ user: SignedInUser, _ current: SchedulePages.Workplace) async throws -> CredentialRecord {
        let id = try req.itemID()
        guard let c = try await Credential.find(id, on: req.db), CredentialHolder(current).owns(c),
              let record = try await CredentialService.record(id: id, app: req.application, on: req.db) else {
            try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "credential.view", objectType: "credential",
                                                 objectID: String(id), source: req.auditSource, outcome: .denied), app: req.application)
            throw Abort(.notFound)
        }
        return record
    }

    @Sendable static func credential(req: Request) async throws -> Response {
        let (user, list, current) = try await context(req)
        let record = try await owned(req, user, current)
        return .html(PracticePages.credential(current: current, workplaces: list, record, state: FormState(), csrf: req.csrfToken,
                                              now: req.application.clock.now(), req.pageContext))
    }

    @Sendable static func addEvidence(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let (user, list, current) = try await context(req)
        let record = try await owned(req, user, current)
        let files = evidence(form, required: true)
        var problems = files.problems
        if problems.isEmpty, record.evidence.count + files.files.count > CredentialService.maxEvidence * 2 {
            problems = [FieldProblem("evidence", .tooMany(max: CredentialService.maxEvidence * 2 - record.evidence.count))]
        }
        guard problems.isEmpty else {
            return .html(PracticePages.credential(current: current, workplaces: list, record, state: FormState(form.input, problems: problems), csrf: req.csrfToken,
                                                  now: req.application.clock.now(), req.pageContext),
                         status: files.problems.isEmpty ? .unprocessableEntity : files.status)
        }
        guard let version = form.input.text("version").flatMap(Int.init) else { throw Abort(.badRequest) }
        do {
            try await CredentialService.addEvidence(files.files, credentialID: record.id, expectedVersion: version, holder: CredentialHolder(current),
                                                    user: user, app: req.application, source: req.auditSource, on: req.db)
        } catch is CredentialChanged {
            throw Abort(.conflict, reason: req.application.localizer("credential.changed"))
        }
        return CaseController.redirect(SiteURL.practiceCredential(.value("\(record.id)")).path(query: [("provider", current.key)]))
    }

    @Sendable static func evidenceFile(req: Request) async throws -> Response {
        let (user, _, current) = try await context(req)
        let record = try await owned(req, user, current)
        return try await serveEvidence(req, user, credentialID: record.id)
    }

    /// An evidence file, opened, never cached, sandboxed; audited.
    static func serveEvidence(_ req: Request, _ user: SignedInUser, credentialID: Int) async throws -> Response {
        let id = try req.attachmentID()
        guard let (kind, name, bytes) = try await CredentialService.evidence(id: id, credentialID: credentialID, app: req.application, on: req.db) else {
            throw Abort(.notFound)
        }
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "credential.evidence.view", objectType: "credential",
                                             objectID: String(credentialID), source: req.auditSource), app: req.application)
        return MessageController.fileResponse(kind: kind, name: name, bytes: bytes)
    }
}
