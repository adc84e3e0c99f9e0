import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

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

    static func listItems(_ rows: [ConsultationCase], on db: any Database) async throws -> [CasePages.ListItem] {
        guard !rows.isEmpty else { return [] }
        let ids = rows.compactMap(\.id)
        struct ProcedureRow: Decodable { let case_id: Int; let name: String }
        let procedures = try await (db as! any SQLDatabase).select().column(SQLColumn("case_id", table: "case_procedures"))
            .column(SQLColumn("name", table: "procedures")).from("case_procedures")
            .join("procedures", on: SQLColumn("procedure_id", table: "case_procedures"), .equal, SQLColumn("id", table: "procedures"))
            .where(SQLColumn("case_id", table: "case_procedures"), .in, SQLBind.group(ids)).all(decoding: ProcedureRow.self)
        let byCase = Dictionary(grouping: procedures, by: \.case_id).mapValues { $0.map(\.name).sorted() }
        let practitionerIDs = Array(Set(rows.compactMap { $0.$practitioner.id }))
        let organizationIDs = Array(Set(rows.compactMap { $0.$organization.id }))
        let practitioners = practitionerIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues:
            try await Practitioner.query(on: db).filter(\.$id ~~ practitionerIDs).all().map { ($0.id!, $0.displayName) })
        let organizations = organizationIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues:
            try await Organization.query(on: db).filter(\.$id ~~ organizationIDs).all().map { ($0.id!, $0.name) })
        return rows.map { row in
            CasePages.ListItem(reference: row.reference, status: CaseStatus(rawValue: row.status) ?? .submitted,
                               createdAt: row.createdAt, updatedAt: row.updatedAt,
                               providerName: row.$practitioner.id.flatMap { practitioners[$0] } ?? row.$organization.id.flatMap { organizations[$0] } ?? "",
                               procedures: byCase[row.id ?? 0] ?? [])
        }
    }

    // MARK: patient

    @Sendable static func index(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        let rows = try await ConsultationCase.query(on: req.db).filter(\.$patient.$id == user.id).sort(\.$createdAt, .descending).limit(200).all()
        return .html(CasePages.patientIndex(try await listItems(rows, on: req.db), user: user, req.pageContext))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let reference = try req.caseReference()
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db) else {
            try await notFound(req, user, reference)
        }
        let detail = try await CaseService.detail(row, app: req.application, on: req.db)
        try await audit(req, user, "case.view", reference)
        return .html(CasePages.patientShow(detail, csrf: req.csrfToken, state: FormState(), req.pageContext))
    }

    @Sendable static func reply(req: Request) async throws -> Response {
        let form = try await req.formBody()
        try req.verifyCSRF(form)
        let user = try req.requireUser()
        let reference = try req.caseReference()
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db) else {
            try await notFound(req, user, reference)
        }
        var reader = FormReader(form.input)
        let answer = reader.text("answer", max: ConsultationLimits.longText, required: true)
        guard let answer else {
            let detail = try await CaseService.detail(row, app: req.application, on: req.db)
            return .html(CasePages.patientShow(detail, csrf: req.csrfToken, state: FormState(form.input, problems: reader.problems), req.pageContext),
                         status: .unprocessableEntity)
        }
        guard try await CaseService.apply(.answer, to: row, actor: user, note: answer, app: req.application, source: req.auditSource, on: req.db) else {
            throw Abort(.conflict, reason: req.application.localizer("case.reply.notExpected"))
        }
        return redirect(SiteURL.caseShow(.value(reference)).path)
    }

    @Sendable static func withdraw(req: Request) async throws -> Response {
        let form = try await req.formBody()
        try req.verifyCSRF(form)
        let user = try req.requireUser()
        let reference = try req.caseReference()
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db) else {
            try await notFound(req, user, reference)
        }
        guard FormReader(form.input).checked("confirm") else {
            let detail = try await CaseService.detail(row, app: req.application, on: req.db)
            return .html(CasePages.patientShow(detail, csrf: req.csrfToken, state: FormState(form.input, problems: [FieldProblem("confirm", .consentMissing)]),
                                               req.pageContext), status: .unprocessableEntity)
        }
        guard try await CaseService.withdraw(row, patient: user, app: req.application, source: req.auditSource, on: req.db) else {
            throw Abort(.conflict, reason: req.application.localizer("case.withdraw.already"))
        }
        return redirect(SiteURL.caseShow(.value(reference)).path)
    }

    @Sendable static func photo(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let reference = try req.caseReference()
        let photoID = try req.photoID()
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db),
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
        filters.page = try query.integer("page", in: 1...10_000) ?? 1

        let places = try await CaseService.workplaces(userID: user.id, on: req.db)
        let base = ConsultationCase.query(on: req.db)
            .filter(\.$status != CaseStatus.awaitingVerification.rawValue)
            .group(.or) { or in
                if !places.practitioners.isEmpty { or.filter(\.$practitioner.$id ~~ places.practitioners) }
                if !places.organizations.isEmpty { or.filter(\.$organization.$id ~~ places.organizations) }
                if places.practitioners.isEmpty && places.organizations.isEmpty { or.filter(\.$id == -1) }
            }
        if let status = filters.status { base.filter(\.$status == status.rawValue) }
        if let from = filters.from { base.filter(\.$createdAt >= from) }
        if let to = filters.to { base.filter(\.$createdAt < to.addingTimeInterval(86_400)) }
        if let slug = filters.procedure {
            let exists: SQLQueryString = """
                EXISTS (SELECT 1 FROM case_procedures JOIN procedures ON procedures.id = case_procedures.procedure_id
                        WHERE case_procedures.case_id = cases.id AND procedures.slug = \(bind: slug))
                """
            base.filter(.custom(exists))
        }
        let total = try await base.count()
        let rows = try await base.sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(((filters.page - 1) * inboxPageSize)..<(filters.page * inboxPageSize)).all()
        let procedures = try await DirectoryQueries.procedureChoices(on: req.db)
        return .html(CasePages.inboxIndex(try await listItems(rows, on: req.db), total: total, filters: filters, procedures: procedures,
                                          pageSize: inboxPageSize, req.pageContext))
    }

    @Sendable static func inboxShow(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        let reference = try req.caseReference()
        guard let row = try await CaseService.forStaff(reference: reference, userID: user.id, on: req.db) else {
            try await notFound(req, user, reference)
        }
        let detail = try await CaseService.detail(row, app: req.application, on: req.db)
        try await audit(req, user, "case.view", reference)
        return .html(CasePages.inboxShow(detail, csrf: req.csrfToken, state: FormState(), req.pageContext))
    }

    @Sendable static func inboxAction(req: Request) async throws -> Response {
        let form = try await req.formBody()
        try req.verifyCSRF(form)
        let user = try req.requireUser(roles: [.provider])
        let reference = try req.caseReference()
        guard let row = try await CaseService.forStaff(reference: reference, userID: user.id, on: req.db) else {
            try await notFound(req, user, reference)
        }
        guard let action = CaseAction(rawValue: form.input["action"] ?? ""), [.markInReview, .requestInfo, .decline].contains(action) else {
            throw Abort(.badRequest)
        }
        var reader = FormReader(form.input)
        let note = action == .markInReview ? nil : reader.text("note", max: ConsultationLimits.longText, required: true)
        if action != .markInReview && note == nil {
            let detail = try await CaseService.detail(row, app: req.application, on: req.db)
            return .html(CasePages.inboxShow(detail, csrf: req.csrfToken, state: FormState(form.input, problems: reader.problems), req.pageContext),
                         status: .unprocessableEntity)
        }
        guard try await CaseService.apply(action, to: row, actor: user, note: note, app: req.application, source: req.auditSource, on: req.db) else {
            throw Abort(.conflict, reason: req.application.localizer("inbox.action.notAllowed"))
        }
        return redirect(SiteURL.inboxCase(.value(reference)).path)
    }

    @Sendable static func inboxPhoto(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        let reference = try req.caseReference()
        let photoID = try req.photoID()
        guard let row = try await CaseService.forStaff(reference: reference, userID: user.id, on: req.db),
              let (format, bytes) = try await CaseService.photo(id: photoID, of: row, app: req.application, on: req.db) else {
            try await notFound(req, user, reference)
        }
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "case.photo.view", objectType: "photo",
                                             objectID: photoID, source: req.auditSource), app: req.application)
        return photoResponse(format, bytes)
    }
}
