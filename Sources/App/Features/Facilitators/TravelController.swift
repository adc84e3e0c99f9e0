import Foundation
import Fluent
import Vapor
import Domain
import Plot

/// The travel plan and the tasks of a request: the patient reads and downloads the plan; the facilitator writes it,
/// keeps tasks and asks a clinic for a visa invitation letter; the clinic marks the letter sent.
enum TravelController {
    // MARK: patient

    @Sendable static func patientPage(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        let root = try await ReferralController.root(req, user)
        let items = try await TravelService.items(root: root, app: req.application, on: req.db)
        let grant = try await FacilitatorAccess.current(caseID: try root.requireID(), on: req.db)
        return .html(TravelPages.patient(reference: root.reference, items: items, facilitatorName: grant?.status == .active ? grant?.facilitatorName : nil,
                                         req.pageContext))
    }

    @Sendable static func calendar(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        let root = try await ReferralController.root(req, user)
        let items = try await TravelService.items(root: root, app: req.application, on: req.db)
        let response = Response(status: .ok, body: .init(string: TravelService.calendar(root: root, items: items, app: req.application)))
        response.headers.replaceOrAdd(name: .contentType, value: "text/calendar; method=PUBLISH; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"travel-\(root.reference).ics\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    // MARK: facilitator

    /// The request's first case and the grant, for a facilitator with active consent (404 otherwise).
    static func sharedRoot(_ req: Request, _ user: SignedInUser) async throws -> (ConsultationCase, AccessGrant) {
        let (row, grant) = try await PipelineController.shared(req, user)
        let rootID = try FacilitatorAccess.rootID(row)
        guard let root = rootID == row.id ? row : try await ConsultationCase.find(rootID, on: req.db) else { throw Abort(.notFound) }
        return (root, grant)
    }

    @Sendable static func editor(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.facilitator])
        let (root, _) = try await sharedRoot(req, user)
        return .html(TravelPages.editor(reference: root.reference, items: try await TravelService.items(root: root, app: req.application, on: req.db),
                                        csrf: req.csrfToken, state: FormState(), req.pageContext))
    }

    @Sendable static func change(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.facilitator])
        let (root, _) = try await sharedRoot(req, user)
        switch form.input["action"] {
        case "remove":
            guard let id = form.input["item"], id.utf8.count <= 64 else { throw Abort(.badRequest) }
            guard try await TravelService.remove(id: id, root: root, user: user, app: req.application, source: req.auditSource, on: req.db) else {
                throw Abort(.notFound)
            }
            return CaseController.redirect(SiteURL.pipelineTravel(.value(root.reference)).path)
        case "add":
            switch TravelItem.read(form.input) {
            case .failure(let error):
                return .html(TravelPages.editor(reference: root.reference, items: try await TravelService.items(root: root, app: req.application, on: req.db),
                                                csrf: req.csrfToken, state: FormState(form.input, problems: error.problems), req.pageContext),
                             status: .unprocessableEntity)
            case .success(let item):
                guard try await TravelService.add(item, root: root, user: user, app: req.application, source: req.auditSource, on: req.db) != nil else {
                    throw Abort(.conflict, reason: req.application.localizer("referrals.unavailable"))
                }
                return CaseController.redirect(SiteURL.pipelineTravel(.value(root.reference)).path)
            }
        default:
            throw Abort(.badRequest)
        }
    }

    /// Adds or finishes a task of the request.
    @Sendable static func tasks(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.facilitator])
        let (row, grant) = try await PipelineController.shared(req, user)
        let (root, _) = try await sharedRoot(req, user)
        let rootID = try root.requireID()
        switch form.input["action"] {
        case "done":
            guard let id = form.input["task"].flatMap(Int.init) else { throw Abort(.badRequest) }
            _ = try await TaskService.complete(taskID: id, scope: { $0.filter(\.$rootCaseID == rootID).filter(\.$facilitatorID == grant.facilitatorID) },
                                              user: user, reference: row.reference, app: req.application, source: req.auditSource, on: req.db)
            return CaseController.redirect(SiteURL.pipelineCase(.value(row.reference)).path + "#tasks")
        case "add":
            var reader = FormReader(form.input)
            let kind = reader.choice("task_kind", CaseTask.Kind.self, required: true)
            var title = reader.text("task_title", max: TaskLimits.title, required: kind == .custom)
            var problems = reader.problems
            var dueOn: String?
            if let raw = form.input["task_due"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
                if let d = ISODate.parse(raw), ISODate.format(d) == raw { dueOn = raw } else { problems.append(FieldProblem("task_due", .invalidDate)) }
            }
            var caseID: Int?
            if kind == .visaLetter {
                let group = try await PipelineController.groupCases(row, on: req.db)
                let chosen = form.input["task_case"].flatMap { ref in group.first { $0.reference == ref } }
                if let chosen {
                    caseID = chosen.id
                    let provider = try await InboxQuery.items([InboxQuery.Row(chosen)], on: req.db).first?.providerName ?? ""
                    if title == nil { title = req.application.localizer("tasks.visaTitle", ["name": provider]) }
                } else {
                    problems.append(FieldProblem("task_case", .required))
                }
            }
            guard problems.isEmpty, let kind, let title else {
                return try await PipelineController.page(req, user, row, grant, state: FormState(form.input, problems: problems), status: .unprocessableEntity)
            }
            _ = try await TaskService.add(kind: kind, title: title, dueOn: dueOn, caseID: caseID, root: root, grant: grant, user: user,
                                          app: req.application, source: req.auditSource, on: req.db)
            return CaseController.redirect(SiteURL.pipelineCase(.value(row.reference)).path + "#tasks")
        default:
            throw Abort(.badRequest)
        }
    }

    // MARK: provider

    /// The clinic marks a task addressed to its case (a visa letter) as done.
    @Sendable static func inboxDone(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.provider])
        let reference = try req.caseReference()
        guard let row = try await CaseService.forStaff(reference: reference, userID: user.id, on: req.db) else {
            try await CaseController.notFound(req, user, reference)
        }
        guard let id = form.input["task"].flatMap(Int.init) else { throw Abort(.badRequest) }
        let caseID = try row.requireID()
        _ = try await TaskService.complete(taskID: id, scope: { $0.filter(\.$caseID == caseID) }, user: user, reference: reference,
                                          app: req.application, source: req.auditSource, on: req.db)
        return CaseController.redirect(SiteURL.inboxCase(.value(reference)).path)
    }
}
