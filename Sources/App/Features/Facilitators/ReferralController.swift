import Foundation
import Fluent
import SQLKit
import Vapor
import Domain
import Plot

/// `/cases/{reference}/providers`: the patient sends the request to more providers.
enum ReferralController {
    /// The first case of the request the patient's case belongs to (404 for someone else's).
    static func root(_ req: Request, _ user: SignedInUser) async throws -> ConsultationCase {
        let reference = try req.caseReference()
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db) else {
            try await CaseController.notFound(req, user, reference)
        }
        guard let origin = row.originCaseID else { return row }
        guard let root = try await ConsultationCase.find(origin, on: req.db), root.$patient.id == user.id else { throw Abort(.notFound) }
        return root
    }

    static func model(_ root: ConsultationCase, _ req: Request, notice: String? = nil) async throws -> ReferralPages.Model {
        let grant = try await FacilitatorAccess.current(caseID: try root.requireID(), on: req.db)
        let active = grant?.status == .active ? grant : nil
        return ReferralPages.Model(
            reference: root.reference, firstProvider: try await InboxQuery.items([InboxQuery.Row(root)], on: req.db).first?.providerName ?? "",
            facilitatorName: active?.facilitatorName, referrals: try await ReferralService.list(root: root, on: req.db),
            candidates: try await ReferralService.candidates(root: root, facilitatorID: active?.facilitatorID, now: req.application.clock.now(), on: req.db),
            notice: notice)
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        let root = try await root(req, user)
        return .html(ReferralPages.render(try await model(root, req), csrf: req.csrfToken, state: FormState(), req.pageContext))
    }

    @Sendable static func change(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.patient])
        let root = try await root(req, user)
        let t = req.application.localizer
        switch form.input["action"] {
        case "decline":
            guard let id = form.input["referral"].flatMap(Int.init) else { throw Abort(.badRequest) }
            _ = try await ReferralService.decline(referralID: id, root: root, patient: user, app: req.application, on: req.db)
            return CaseController.redirect(SiteURL.caseProviders(.value(root.reference)).path)
        case "send":
            let keys = form.input.all(ReferralPages.providersField)
            var problems: [FieldProblem] = []
            if keys.isEmpty { problems.append(FieldProblem(ReferralPages.providersField, .required)) }
            if !FormReader(form.input).checked("consent") { problems.append(FieldProblem("consent", .consentMissing)) }
            if problems.isEmpty {
                switch try await ReferralService.send(keys, root: root, patient: user, app: req.application, source: req.auditSource, on: req.db) {
                case .success(let references):
                    return .html(ReferralPages.render(try await model(root, req, notice: t.count("referrals.sent", references.count)), csrf: req.csrfToken,
                                                      state: FormState(), req.pageContext))
                case .failure(.unknownProvider): problems.append(FieldProblem(ReferralPages.providersField, .unknownValue))
                case .failure(.notOffered(let name)):
                    return .html(ReferralPages.render(try await model(root, req, notice: t("referrals.notOffered", ["name": name])), csrf: req.csrfToken,
                                                      state: FormState(form.input), req.pageContext), status: .unprocessableEntity)
                case .failure(.requestUnavailable):
                    return .html(ReferralPages.render(try await model(root, req, notice: t("referrals.unavailable")), csrf: req.csrfToken,
                                                      state: FormState(), req.pageContext), status: .conflict)
                case .failure(.changed):
                    return .html(ReferralPages.render(try await model(root, req, notice: t("referrals.changed")), csrf: req.csrfToken,
                                                      state: FormState(), req.pageContext), status: .conflict)
                }
            }
            return .html(ReferralPages.render(try await model(root, req), csrf: req.csrfToken, state: FormState(form.input, problems: problems),
                                              req.pageContext), status: .unprocessableEntity)
        default:
            throw Abort(.badRequest)
        }
    }
}
