import Foundation
import Fluent
import SQLKit
import Vapor
import Domain
import Plot

/// The facilitator's side: `/pipeline`, `/pipeline/{reference}` and the photos a patient shared. Every request
/// opened is written to the audit trail; a request without active consent answers 404 and a refusal entry.
enum PipelineController {
    static let pageSize = 50
    static let perColumn = 8

    @Sendable static func index(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.facilitator])
        let query = try req.queryParameters()
        var filters = PipelineFilters()
        if let raw = try query.single("stage") {
            guard let stage = PipelineStage(rawValue: raw) else { throw ParameterError("stage", .unknownValue) }
            filters.stage = stage
        }
        filters.ownerID = try query.integer("owner", in: 1...Int(Int32.max))
        filters.overdueOnly = try query.flag("overdue")
        if let raw = try query.single("view") {
            guard let view = PipelineFilters.View(rawValue: raw) else { throw ParameterError("view", .unknownValue) }
            filters.view = view
        }
        filters.page = try query.integer("page", in: 1...10_000) ?? 1
        let orgs = try await FacilitatorAccess.organisations(userID: user.id, on: req.db)
        let today = TaskService.today(req.application.clock.now())
        let counts = try await PipelineQuery.counts(orgs: orgs, filters, today: today, on: req.db)
        var columns: [PipelineStage: [PipelineQuery.Row]] = [:]
        var rows: [PipelineQuery.Row] = []
        if filters.view == .board {
            columns = try await PipelineQuery.board(orgs: orgs, filters, today: today, perColumn: perColumn, on: req.db)
        } else {
            rows = try await PipelineQuery.page(orgs: orgs, filters, today: today, pageSize: pageSize, on: req.db)
        }
        let shown = rows + columns.values.flatMap { $0 }
        let providers = try await PipelineQuery.providers(roots: shown.map(\.case_id), on: req.db)
        let owners = try await Membership.query(on: req.db).filter(\.$facilitator.$id ~~ orgs).with(\.$user).all()
            .map { (id: $0.$user.id, name: $0.user.displayName) }
        var seen = Set<Int>()
        return .html(PipelinePages.index(PipelinePages.BoardModel(filters: filters, counts: counts, columns: columns, rows: rows, providers: providers,
                                                                  owners: owners.filter { seen.insert($0.id).inserted }.sorted { $0.name < $1.name },
                                                                  today: today, pageSize: pageSize), req.pageContext))
    }

    /// The facilitator moves a request to a stage or gives it an owner: one conditional update on the version the
    /// page showed (two colleagues at once: one wins, the other sees the page as it is now).
    @Sendable static func stage(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.facilitator])
        let (row, grant) = try await shared(req, user)
        var reader = FormReader(form.input)
        let stage = reader.choice("stage", PipelineStage.self, required: true)
        let version = reader.integer("version", in: 0...Int(Int32.max), required: true)
        let ownerRaw = form.input["owner"] ?? ""
        var owner: Int?
        if !ownerRaw.isEmpty {
            guard let id = Int(ownerRaw), try await Membership.query(on: req.db).filter(\.$user.$id == id)
                .filter(\.$facilitator.$id == grant.facilitatorID).count() > 0 else { throw Abort(.badRequest) }
            owner = id
        }
        guard reader.problems.isEmpty, let stage, let version else {
            return try await page(req, user, row, grant, state: FormState(form.input, problems: reader.problems), status: .unprocessableEntity)
        }
        let now = req.application.clock.now()
        let newOwner = owner
        let changed = try await req.application.writes.transaction(on: req.db) { tx -> Bool in
            let rows = try await (tx as! any SQLDatabase).update(CaseFacilitator.schema).set("stage", to: SQLBind(stage.rawValue))
                .set("owner_user_id", to: SQLBind(newOwner)).set("version", to: SQLRaw("version + 1")).set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(grant.id)).where("version", .equal, SQLBind(version))
                .where("status", .equal, SQLBind(FacilitatorAccessStatus.active.rawValue)).returning("id").all()
            guard rows.count == 1 else { return false }
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "pipeline.stage", objectType: "case",
                                                 objectID: row.reference, source: req.auditSource), at: now, app: req.application, on: tx)
            return true
        }
        guard changed else { throw Abort(.conflict, reason: req.application.localizer("pipeline.changed")) }
        return CaseController.redirect(SiteURL.pipelineCase(.value(row.reference)).path)
    }

    /// The case with its grant, or 404 with a refusal in the audit trail.
    static func shared(_ req: Request, _ user: SignedInUser, scope: FacilitatorScope? = nil) async throws -> (ConsultationCase, AccessGrant) {
        let reference = try req.caseReference()
        guard let found = try await FacilitatorAccess.forFacilitator(reference: reference, userID: user.id, scope: scope, on: req.db) else {
            try await CaseController.audit(req, user, "facilitator.case.view", reference, outcome: .denied)
            throw Abort(.notFound)
        }
        return found
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.facilitator])
        let (row, grant) = try await shared(req, user)
        return try await page(req, user, row, grant, state: FormState(), status: .ok)
    }

    /// The group's cases and referrals, and the form that proposes more providers (when the request is shared).
    static func referralSection(_ req: Request, _ row: ConsultationCase, _ grant: AccessGrant, state: FormState) async throws -> Node<HTML.BodyContext> {
        guard grant.allows(.request) else { return .empty }
        let rootID = try FacilitatorAccess.rootID(row)
        guard let root = rootID == row.id ? row : try await ConsultationCase.find(rootID, on: req.db) else { return .empty }
        let cases = try await ConsultationCase.query(on: req.db).group(.or) { $0.filter(\.$id == rootID).filter(\.$originCaseID == rootID) }
            .sort(\.$id).all()
        let items = try await InboxQuery.items(cases.map(InboxQuery.Row.init), on: req.db)
        let referrals = try await ReferralService.list(root: root, on: req.db)
        let candidates = try await ReferralService.candidates(root: root, facilitatorID: grant.facilitatorID, now: req.application.clock.now(), on: req.db)
        return ReferralPages.pipelineSection(reference: row.reference, cases: items.map { ($0.reference, $0.providerName, $0.status) },
                                             referrals: referrals, candidates: candidates, csrf: req.csrfToken, state: state,
                                             req.application.localizer)
    }

    /// The travel plan's entry and the tasks of the request.
    static func workSection(_ req: Request, _ row: ConsultationCase, _ grant: AccessGrant, group: [(ConsultationCase, CasePages.ListItem)],
                            state: FormState) async throws -> Node<HTML.BodyContext> {
        let t = req.application.localizer
        let rootID = try FacilitatorAccess.rootID(row)
        let tasks = try await TaskService.list(rootID: rootID, facilitatorID: grant.facilitatorID, on: req.db)
        let count = try await TravelItemRow.query(on: req.db).filter(\.$rootCaseID == rootID).count()
        let members = try await Membership.query(on: req.db).filter(\.$facilitator.$id == grant.facilitatorID).with(\.$user).all()
        let owner = try await CaseFacilitator.find(grant.id, on: req.db)?.ownerUserID
        return .group(
            .section(.class("stage"),
                .h2(.plain(t("pipeline.stage.title"))),
                Fields.form(action: SiteURL.pipelineStage(.value(row.reference)).path, csrf: req.csrfToken, [
                    Fields.hidden("version", String(grant.version)),
                    Fields.select("stage", label: t("pipeline.table.stage"), options: PipelineStage.allCases.map { ($0.rawValue, t("pipeline.stage.\($0.rawValue)")) },
                                  state: FormState(FormInput(["stage": [grant.stage.rawValue]])), t, hint: t("pipeline.stage.hint"), required: true),
                    Fields.select("owner", label: t("pipeline.owner"), options: members.map { (String($0.$user.id), $0.user.displayName) },
                                  state: FormState(FormInput(["owner": [owner.map(String.init) ?? ""]])), t, placeholder: t("pipeline.noOwner")),
                    .button(.type(.submit), .class("button"), .plain(t("pipeline.stage.save")))])),
            .section(.class("travel"),
                .h2(.plain(t("travel.caseSection"))),
                .p(.plain(t.count("pipeline.travel.count", count))),
                .p(.a(.class("button"), .to(SiteURL.pipelineTravel(.value(row.reference)).path), .plain(t("pipeline.travel.open"))))),
            TaskPages.pipelineSection(reference: row.reference, tasks: tasks, cases: group.map { ($0.1.reference, $0.1.providerName) },
                                      today: TaskService.today(req.application.clock.now()), csrf: req.csrfToken, state: state, t))
    }

    /// The facilitator proposes more providers to the patient.
    @Sendable static func propose(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.facilitator])
        let (row, grant) = try await shared(req, user, scope: .request)
        var reader = FormReader(form.input)
        let note = reader.text("note", max: ReferralLimits.note)
        let keys = form.input.all(ReferralPages.providersField)
        var problems = reader.problems
        if keys.isEmpty { problems.append(FieldProblem(ReferralPages.providersField, .required)) }
        let rootID = try FacilitatorAccess.rootID(row)
        guard let root = rootID == row.id ? row : try await ConsultationCase.find(rootID, on: req.db) else { throw Abort(.notFound) }
        if problems.isEmpty {
            switch try await ReferralService.propose(keys, note: note, root: root, grant: grant, user: user, app: req.application,
                                                     source: req.auditSource, on: req.db) {
            case .success: return CaseController.redirect(SiteURL.pipelineCase(.value(row.reference)).path)
            case .failure(.changed): throw Abort(.conflict, reason: req.application.localizer("referrals.changed"))
            case .failure: problems.append(FieldProblem(ReferralPages.providersField, .unknownValue))
            }
        }
        return try await page(req, user, row, grant, state: FormState(form.input, problems: problems), status: .unprocessableEntity)
    }

    static func page(_ req: Request, _ user: SignedInUser, _ row: ConsultationCase, _ grant: AccessGrant, state: FormState,
                     status: HTTPStatus) async throws -> Response {
        let needsDetail = grant.allows(.request) || grant.allows(.photos)
        let detail = needsDetail ? try await CaseService.detail(row, app: req.application, on: req.db) : nil
        let group = try await groupCases(row, on: req.db)
        let groupItems = try await InboxQuery.items(group.map(InboxQuery.Row.init), on: req.db)
        let providersByCase = Dictionary(zip(group.compactMap(\.id), groupItems.map(\.providerName)), uniquingKeysWith: { a, _ in a })
        let quotes = grant.allows(.quotes) ? try await QuoteService.summaries(caseIDs: group.compactMap(\.id), on: req.db) : nil
        let provider = try await InboxQuery.items([InboxQuery.Row(row)], on: req.db).first?.providerName ?? ""
        let patient = try await User.find(row.$patient.id, on: req.db)?.displayName ?? ""
        let unread = grant.allows(.messages)
            ? try await MessageService.unreadCounts(caseIDs: [try row.requireID()], side: .facilitator, userID: user.id, on: req.db)[try row.requireID()] ?? 0 : 0
        try await CaseController.audit(req, user, "facilitator.case.view", row.reference)
        return .html(PipelinePages.show(PipelinePages.CaseModel(reference: row.reference, patientName: patient, providerName: provider,
                                                                status: CaseStatus(rawValue: row.status) ?? .withdrawn, grant: grant,
                                                                detail: detail, quotes: quotes, unread: unread, providersByCase: providersByCase),
                                        extra: .group(try await referralSection(req, row, grant, state: state),
                                                      try await workSection(req, row, grant, group: Array(zip(group, groupItems)), state: state)),
                                        req.pageContext), status: status)
    }

    /// Every case of the request `row` belongs to, first case first (its quotes come back into one comparison).
    static func groupCases(_ row: ConsultationCase, on db: any Database) async throws -> [ConsultationCase] {
        let rootID = try FacilitatorAccess.rootID(row)
        return try await ConsultationCase.query(on: db).group(.or) { $0.filter(\.$id == rootID).filter(\.$originCaseID == rootID) }.sort(\.$id).all()
    }

    @Sendable static func photo(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.facilitator])
        return try await CaseController.servePhoto(req, user) { reference in
            try await FacilitatorAccess.forFacilitator(reference: reference, userID: user.id, scope: .photos, on: req.db)?.0
        }
    }
}
