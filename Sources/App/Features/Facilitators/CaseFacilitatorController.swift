import Foundation
import Fluent
import SQLKit
import Vapor
import Domain
import Plot

/// The patient's side of facilitator consent: `/cases/{reference}/facilitator`.
enum CaseFacilitatorController {
    static func model(_ row: ConsultationCase, _ req: Request, notice: String? = nil) async throws -> CaseFacilitatorPages.Model {
        let root = try FacilitatorAccess.rootID(row)
        let history = try await FacilitatorAccess.history(caseID: root, on: req.db)
        let provider = try await InboxQuery.items([InboxQuery.Row(row)], on: req.db).first?.providerName ?? ""
        return CaseFacilitatorPages.Model(reference: row.reference, providerName: provider, status: CaseStatus(rawValue: row.status) ?? .withdrawn,
                                          current: history.first { $0.status.isOpen }, history: history,
                                          invitable: try await FacilitatorAccess.invitable(on: req.db), notice: notice)
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        let reference = try req.caseReference()
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db) else {
            try await CaseController.notFound(req, user, reference)
        }
        var input = FormInput()
        // A profile's "invite" link names the organisation; it is only a choice pre-filled, nothing is given yet.
        if let slug = try req.queryParameters().single("facilitator"), Slug.isValid(slug) { input = FormInput(["facilitator": [slug]]) }
        return .html(CaseFacilitatorPages.render(try await model(row, req), csrf: req.csrfToken, state: FormState(input), req.pageContext))
    }

    @Sendable static func change(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.patient])
        let reference = try req.caseReference()
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db) else {
            try await CaseController.notFound(req, user, reference)
        }
        let t = req.application.localizer
        switch form.input["action"] {
        case "withdraw":
            guard let grantID = form.input["grant"].flatMap(Int.init) else { throw Abort(.badRequest) }
            let root = try FacilitatorAccess.rootID(row)
            guard try await CaseFacilitator.query(on: req.db).filter(\.$id == grantID).filter(\.$caseID == root).first() != nil else {
                throw Abort(.notFound)
            }
            guard try await FacilitatorAccess.withdraw(grantID: grantID, row: row, patient: user, app: req.application, source: req.auditSource,
                                                       on: req.db) else {
                // Already ended (a second click, another tab): the page shows the state as it is.
                return CaseController.redirect(SiteURL.caseFacilitator(.value(reference)).path)
            }
            return .html(CaseFacilitatorPages.render(try await model(row, req, notice: t("caseFacilitator.withdraw.done")), csrf: req.csrfToken,
                                                     state: FormState(), req.pageContext))
        case "invite":
            var reader = FormReader(form.input)
            let slug = reader.text("facilitator", max: 120, required: true)
            var scopes = Set<FacilitatorScope>()
            for raw in form.input.all(CaseFacilitatorPages.scopeField) {
                guard let scope = FacilitatorScope(rawValue: raw) else { throw Abort(.badRequest) }
                scopes.insert(scope)
            }
            var problems = reader.problems
            if scopes.isEmpty { problems.append(FieldProblem(CaseFacilitatorPages.scopeField, .required)) }
            if !reader.checked("consent") { problems.append(FieldProblem("consent", .consentMissing)) }
            var organisation: Facilitator?
            if let slug {
                organisation = Slug.isValid(slug) ? try await Facilitator.query(on: req.db).filter(\.$slug == slug).first() : nil
                if organisation == nil { problems.append(FieldProblem("facilitator", .unknownValue)) }
            }
            guard problems.isEmpty, let organisation else {
                return .html(CaseFacilitatorPages.render(try await model(row, req), csrf: req.csrfToken, state: FormState(form.input, problems: problems),
                                                         req.pageContext), status: .unprocessableEntity)
            }
            switch try await FacilitatorAccess.invite(row, facilitator: organisation, scopes: scopes, patient: user, app: req.application,
                                                      source: req.auditSource, on: req.db) {
            case .success:
                return CaseController.redirect(SiteURL.caseFacilitator(.value(reference)).path)
            case .failure(let refusal):
                let key: String
                switch refusal {
                case .alreadyHasFacilitator: key = "caseFacilitator.error.already"
                case .caseStopped: key = "caseFacilitator.error.stopped"
                case .notAccepting: key = "caseFacilitator.error.notAccepting"
                }
                return .html(CaseFacilitatorPages.render(try await model(row, req, notice: t(key)), csrf: req.csrfToken,
                                                         state: FormState(form.input), req.pageContext), status: .conflict)
            }
        default:
            throw Abort(.badRequest)
        }
    }
}
