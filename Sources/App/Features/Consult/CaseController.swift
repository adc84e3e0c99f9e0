import Foundation
import Fluent
import SQLKit
import Vapor
import Domain
import Plot

/// The patient's cases (`/cases`) and the provider inbox (`/inbox`). Someone else's case answers 404, and
/// every view of health data is written to the audit trail.
enum CaseController {
    static func audit(_ req: Request, _ user: SignedInUser, _ action: String, _ reference: String?, outcome: AuditEntry.Outcome = .success) async throws {
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: action, objectType: "case",
                                             objectID: reference, source: req.auditSource, outcome: outcome), app: req.application)
    }

    /// 404 for a case the user may not see, written to the audit trail as refused access.
    static func notFound(_ req: Request, _ user: SignedInUser, _ reference: String?) async throws -> Never {
        try await audit(req, user, "case.view", reference, outcome: .denied)
        throw Abort(.notFound)
    }

    // MARK: patient

    @Sendable static func index(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        let rows = try await (req.db as! any SQLDatabase).select()
            .columns("id", "reference", "status", "created_at", "updated_at", "practitioner_id", "organization_id").from("cases")
            .where("patient_id", .equal, SQLBind(user.id)).orderBy("created_at", .descending).orderBy("id", .descending).limit(200)
            .all(decoding: InboxQuery.Row.self)
        let items = try await withUnread(try await InboxQuery.items(rows, on: req.db), ids: rows.map(\.id), side: .patient, user: user, req)
        return .html(CasePages.patientIndex(items, user: user, req.pageContext))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let detail = try await viewedCase(req, user) { try await CaseService.forPatient(reference: $0, userID: user.id, on: req.db) }
        return .html(CasePages.patientShow(detail, csrf: req.csrfToken, state: FormState(), extra: try await sections(req, detail, .patient),
                                           req.pageContext))
    }

    /// The case `find` lets this user see, decrypted, with the view written to the audit trail (404 and a refusal
    /// entry otherwise).
    static func viewedCase(_ req: Request, _ user: SignedInUser, find: (String) async throws -> ConsultationCase?) async throws -> CaseDetail {
        let reference = try req.caseReference()
        guard let row = try await find(reference) else { try await notFound(req, user, reference) }
        let detail = try await CaseService.detail(row, app: req.application, on: req.db)
        try await audit(req, user, "case.view", reference)
        return detail
    }

    @Sendable static func reply(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser()
        let reference = try req.caseReference()
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db) else {
            try await notFound(req, user, reference)
        }
        var reader = FormReader(form.input)
        let answer = reader.text("answer", max: ConsultationLimits.longText, required: true)
        guard let answer else {
            let detail = try await CaseService.detail(row, app: req.application, on: req.db)
            return .html(CasePages.patientShow(detail, csrf: req.csrfToken, state: FormState(form.input, problems: reader.problems), extra: try await sections(req, detail, .patient), req.pageContext),
                         status: .unprocessableEntity)
        }
        guard try await CaseService.apply(.answer, to: row, actor: user, note: answer, app: req.application, source: req.auditSource, on: req.db) else {
            throw Abort(.conflict, reason: req.application.localizer("case.reply.notExpected"))
        }
        return redirect(SiteURL.caseShow(.value(reference)).path)
    }

    @Sendable static func withdraw(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser()
        let reference = try req.caseReference()
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db) else {
            try await notFound(req, user, reference)
        }
        guard FormReader(form.input).checked("confirm") else {
            let detail = try await CaseService.detail(row, app: req.application, on: req.db)
            return .html(CasePages.patientShow(detail, csrf: req.csrfToken, state: FormState(form.input, problems: [FieldProblem("confirm", .consentMissing)]),
                                               extra: try await sections(req, detail, .patient), req.pageContext), status: .unprocessableEntity)
        }
        guard try await CaseService.withdraw(row, patient: user, app: req.application, source: req.auditSource, on: req.db) else {
            throw Abort(.conflict, reason: req.application.localizer("case.withdraw.already"))
        }
        return redirect(SiteURL.caseShow(.value(reference)).path)
    }

    @Sendable static func photo(req: Request) async throws -> Response {
        let user = try req.requireUser()
        return try await servePhoto(req, user) { try await CaseService.forPatient(reference: $0, userID: user.id, on: req.db) }
    }

    /// A photo of a case that `find` lets this user see (404 and an audit entry otherwise), decrypted, never cached.
    static func servePhoto(_ req: Request, _ user: SignedInUser, find: (String) async throws -> ConsultationCase?) async throws -> Response {
        let reference = try req.caseReference()
        let photoID = try req.photoID()
        guard let row = try await find(reference),
              let (format, bytes) = try await CaseService.photo(id: photoID, of: row, app: req.application, on: req.db) else {
            try await notFound(req, user, reference)
        }
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "case.photo.view", objectType: "photo",
                                             objectID: photoID, source: req.auditSource), app: req.application)
        return photoResponse(format, bytes)
    }

    static func photoResponse(_ format: ImageFormat, _ bytes: Data) -> Response {
        let response = Response(status: .ok, body: .init(data: bytes))
        response.headers.replaceOrAdd(name: .contentType, value: format.mediaType)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"photo.\(format.fileExtension)\"")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; sandbox")
        return response
    }

    /// What a case page shows beyond the request: its quotes (and, as the journey grows, its conversation and
    /// appointments).
    static func sections(_ req: Request, _ d: CaseDetail, _ viewer: CasePages.Viewer) async throws -> Node<HTML.BodyContext> {
        let quotes = try await QuoteService.summaries(caseIDs: [d.id], on: req.db)
        let today = QuoteService.today(req.application.clock.now())
        let canQuote = CaseAction.sendQuote.apply(to: d.status, by: .providerStaff) != nil
        let waiting = QuoteService.waitingStatuses.contains(d.status) ? d.createdAt : nil
        let t = req.application.localizer
        let user = try req.requireUser()
        let unread = try await MessageService.unreadCounts(caseIDs: [d.id], side: viewer == .patient ? .patient : .provider, userID: user.id,
                                                           on: req.db)[d.id] ?? 0
        let appointments = try await SchedulingService.appointments(caseID: d.id, on: req.db)
        let patientSide = viewer == .patient
        let appointmentSection: Node<HTML.BodyContext> = d.status.visibleToProvider
            ? SchedulePages.caseSection(reference: d.reference, appointments: appointments,
                                        viewerZone: { patientSide ? $0.patientZone : $0.providerZone },
                                        otherZone: { patientSide ? $0.providerZone : $0.patientZone },
                                        canBook: SchedulingService.isOpenForBooking(d.status) && !appointments.contains {
                                            $0.status == AppointmentStatus.booked.rawValue && $0.endsAt > req.application.clock.now() },
                                        viewer: viewer, t)
            : .empty
        let facilitator: Node<HTML.BodyContext>
        if patientSide {
            let current = try await FacilitatorAccess.current(caseID: d.id, on: req.db)
            facilitator = CaseFacilitatorPages.caseSection(reference: d.reference, current: current, t)
        } else {
            facilitator = TaskPages.inboxSection(reference: d.reference, tasks: try await TaskService.forProviderCase(caseID: d.id, on: req.db),
                                                 today: TaskService.today(req.application.clock.now()), csrf: req.csrfToken, t)
        }
        return .group(facilitator, QuotePages.caseSection(reference: d.reference, quotes: quotes, viewer: viewer, canQuote: canQuote, waitingSince: waiting,
                                             today: today, t),
                      d.status.visibleToProvider ? MessagePages.caseSection(reference: d.reference, unread: unread, viewer: viewer, t) : .empty,
                      appointmentSection)
    }

    /// List items with the reader's unread message counts (one grouped query for the page).
    static func withUnread(_ items: [CasePages.ListItem], ids: [Int], side: ConversationSide, user: SignedInUser, _ req: Request) async throws -> [CasePages.ListItem] {
        let counts = try await MessageService.unreadCounts(caseIDs: ids, side: side, userID: user.id, on: req.db)
        return zip(items, ids).map { item, id in
            var item = item
            item.unread = counts[id] ?? 0
            return item
        }
    }

    static func redirect(_ path: String) -> Response {
        let response = Response(status: .seeOther)
        response.headers.replaceOrAdd(name: .location, value: path)
        return response
    }

    // MARK: inbox

    static let inboxPageSize = 25

    @Sendable static func inbox(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        let query = try req.queryParameters()
        var filters = CasePages.InboxFilters()
        if let raw = try query.single("status") {
            guard let status = CaseStatus(rawValue: raw), status.visibleToProvider else { throw ParameterError("status", .unknownValue) }
            filters.status = status
        }
        if let raw = try query.single("procedure") {
            guard Slug.isValid(raw) else { throw ParameterError("procedure", .unknownValue) }
            filters.procedure = raw
        }
        if let raw = try query.single("from") {
            guard let d = ISODate.parse(raw) else { throw ParameterError("from", .malformed) }
            filters.from = d
        }
        if let raw = try query.single("to") {
            guard let d = ISODate.parse(raw) else { throw ParameterError("to", .malformed) }
            filters.to = d
        }
        if let raw = try query.single("waiting") {
            guard raw == "quote" else { throw ParameterError("waiting", .unknownValue) }
            filters.waitingForQuote = true
        }
        filters.page = try query.integer("page", in: 1...10_000) ?? 1

        let places = try await CaseService.workplaces(userID: user.id, on: req.db)
        let (total, rows) = try await InboxQuery.page(places: places, filters: filters, pageSize: inboxPageSize, on: req.db)
        let procedures = try await DirectoryQueries.procedureChoices(on: req.db)
        let items = try await withUnread(try await InboxQuery.items(rows, on: req.db), ids: rows.map(\.id), side: .provider, user: user, req)
        return .html(CasePages.inboxIndex(items, total: total, filters: filters, procedures: procedures,
                                          pageSize: inboxPageSize, req.pageContext))
    }

    @Sendable static func inboxShow(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        let detail = try await viewedCase(req, user) { try await CaseService.forStaff(reference: $0, userID: user.id, on: req.db) }
        return .html(CasePages.inboxShow(detail, csrf: req.csrfToken, state: FormState(), extra: try await sections(req, detail, .staff),
                                         req.pageContext))
    }

    @Sendable static func inboxAction(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.provider])
        let reference = try req.caseReference()
        guard let row = try await CaseService.forStaff(reference: reference, userID: user.id, on: req.db) else {
            try await notFound(req, user, reference)
        }
        guard let action = CaseAction(rawValue: form.input["action"] ?? ""), CasePages.staffActions.contains(action) else {
            throw Abort(.badRequest)
        }
        var reader = FormReader(form.input)
        let required = CasePages.noteRequired.contains(action)
        let note = action == .markInReview ? nil : reader.text("note", max: ConsultationLimits.longText, required: required)
        if !reader.problems.isEmpty {
            let detail = try await CaseService.detail(row, app: req.application, on: req.db)
            return .html(CasePages.inboxShow(detail, csrf: req.csrfToken, state: FormState(form.input, problems: reader.problems), extra: try await sections(req, detail, .staff), req.pageContext),
                         status: .unprocessableEntity)
        }
        guard try await CaseService.apply(action, to: row, actor: user, note: note, app: req.application, source: req.auditSource, on: req.db) else {
            throw Abort(.conflict, reason: req.application.localizer("inbox.action.notAllowed"))
        }
        return redirect(SiteURL.inboxCase(.value(reference)).path)
    }

    @Sendable static func inboxPhoto(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        return try await servePhoto(req, user) { try await CaseService.forStaff(reference: $0, userID: user.id, on: req.db) }
    }
}
