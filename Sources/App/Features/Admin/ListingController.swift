import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Claims (`/providers/{slug}/claim`) and applications (`/list-your-practice`) from the public, and their
/// decisions and listing suspensions by administrators (`/admin/applications`, `/admin/listings`).
enum ListingController {
    static func rule(_ req: Request) -> RateLimiter.Rule { AccountController.rule(AccountController.limits(req).signUpPerAddress, req) }

    static func practitioner(_ req: Request) async throws -> Practitioner {
        guard let p = try await Practitioner.query(on: req.db).filter(\.$slug == (try req.slug())).first() else { throw Abort(.notFound) }
        return p
    }

    @Sendable static func claimForm(req: Request) async throws -> Response {
        let p = try await practitioner(req)
        let managed = try await ListingService.isManaged(practitionerID: try p.requireID(), on: req.db)
        return .html(ListingPages.claim(name: p.displayName, slug: p.slug, managed: managed, state: FormState(), sent: false, csrf: req.csrfToken, req.pageContext))
    }

    @Sendable static func claim(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let p = try await practitioner(req)
        let id = try p.requireID()
        guard try await !ListingService.isManaged(practitionerID: id, on: req.db) else {
            return .html(ListingPages.claim(name: p.displayName, slug: p.slug, managed: true, state: FormState(), sent: false, csrf: req.csrfToken, req.pageContext),
                         status: .conflict)
        }
        switch ListingRequestForm.read(form.input, kind: .claim, knownCountries: []) {
        case .failure(let e):
            return .html(ListingPages.claim(name: p.displayName, slug: p.slug, managed: false, state: FormState(form.input, problems: e.problems), sent: false,
                                            csrf: req.csrfToken, req.pageContext), status: .unprocessableEntity)
        case .success(let f):
            try await RateLimiter.enforce([("listing:ip:\(req.auditSource)", rule(req))], req: req)
            _ = try await ListingService.submit(f, kind: .claim, practitionerID: id, app: req.application, source: req.auditSource, on: req.db)
            return .html(ListingPages.claim(name: p.displayName, slug: p.slug, managed: false, state: FormState(), sent: true, csrf: req.csrfToken, req.pageContext))
        }
    }

    @Sendable static func applyForm(req: Request) async throws -> Response {
        .html(ListingPages.apply(state: FormState(), sent: false, countries: PracticeController.countryOptions(req.application.localizer), csrf: req.csrfToken,
                                 req.pageContext))
    }

    @Sendable static func apply(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let countries = PracticeController.countryOptions(req.application.localizer)
        switch ListingRequestForm.read(form.input, kind: .application, knownCountries: Set(countries.map(\.0))) {
        case .failure(let e):
            return .html(ListingPages.apply(state: FormState(form.input, problems: e.problems), sent: false, countries: countries, csrf: req.csrfToken,
                                            req.pageContext), status: .unprocessableEntity)
        case .success(let f):
            try await RateLimiter.enforce([("listing:ip:\(req.auditSource)", rule(req))], req: req)
            _ = try await ListingService.submit(f, kind: .application, practitionerID: nil, app: req.application, source: req.auditSource, on: req.db)
            return .html(ListingPages.apply(state: FormState(), sent: true, countries: countries, csrf: req.csrfToken, req.pageContext))
        }
    }

    // MARK: administrators

    static func renderApplications(_ req: Request, state: FormState, status: HTTPStatus) async throws -> Response {
        let pending = try await ListingService.requests(status: .pending, on: req.db)
        let decided = try await ListingService.requests(status: nil, on: req.db, limit: 50).filter { $0.status != ListingService.Status.pending.rawValue }
        let ids = Set((pending + decided).compactMap(\.practitioner_id))
        let names = Dictionary(try await Practitioner.query(on: req.db).filter(\.$id ~~ ids).all().map { ($0.id ?? 0, $0.displayName) }, uniquingKeysWith: { a, _ in a })
        var suspended: [ListingPages.SuspendedListing] = []
        for p in try await Practitioner.query(on: req.db).filter(\.$suspendedAt != nil).sort(\.$suspendedAt, .descending).limit(200).all() {
            suspended.append(.init(kind: "practitioner", slug: p.slug, name: p.displayName, reason: p.suspendedReason, since: p.suspendedAt))
        }
        for o in try await Organization.query(on: req.db).filter(\.$suspendedAt != nil).sort(\.$suspendedAt, .descending).limit(200).all() {
            suspended.append(.init(kind: "clinic", slug: o.slug, name: o.name, reason: o.suspendedReason, since: o.suspendedAt))
        }
        return .html(ListingPages.applications(pending: pending, decided: decided, names: names, suspended: suspended, state: state, csrf: req.csrfToken,
                                               req.pageContext), status: status)
    }

    @Sendable static func applications(req: Request) async throws -> Response {
        _ = try req.requireUser(roles: [.admin])
        return try await renderApplications(req, state: FormState(), status: .ok)
    }

    static func listing(_ r: ListingService.Request, on db: any Database) async throws -> (name: String, path: String)? {
        if let p = r.practitioner_id, let row = try await Practitioner.find(p, on: db) { return (row.displayName, SiteURL.provider(.value(row.slug)).path) }
        if let o = r.organization_id, let row = try await Organization.find(o, on: db) { return (row.name, SiteURL.clinic(.value(row.slug)).path) }
        return nil
    }

    @Sendable static func application(req: Request) async throws -> Response {
        _ = try req.requireUser(roles: [.admin])
        guard let r = try await ListingService.request(try req.itemID(), on: req.db) else { throw Abort(.notFound) }
        return .html(ListingPages.application(r, listing: try await listing(r, on: req.db), state: FormState(), csrf: req.csrfToken, req.pageContext))
    }

    @Sendable static func decide(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let admin = try req.requireUser(roles: [.admin])
        guard let r = try await ListingService.request(try req.itemID(), on: req.db) else { throw Abort(.notFound) }
        var reader = FormReader(form.input)
        let reason = reader.text("reason", max: 1_000)
        let decision = form.input.text("decision")
        guard decision == "approve" || decision == "refuse" else { throw Abort(.badRequest) }
        if decision == "refuse" && reason == nil { reader.fail("reason", .required) }
        guard reader.problems.isEmpty else {
            return .html(ListingPages.application(r, listing: try await listing(r, on: req.db), state: FormState(form.input, problems: reader.problems),
                                                  csrf: req.csrfToken, req.pageContext), status: .unprocessableEntity)
        }
        do {
            try await ListingService.decide(r.id, approve: decision == "approve", reason: reason, admin: admin, app: req.application,
                                            source: req.auditSource, on: req.db)
        } catch is ListingRequestDecided {
            throw Abort(.conflict, reason: req.application.localizer("admin.applications.decided.already"))
        }
        return CaseController.redirect(SiteURL.adminApplication(.value("\(r.id)")).path)
    }

    @Sendable static func listings(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let admin = try req.requireUser(roles: [.admin])
        var reader = FormReader(form.input)
        let kind = form.input.text("kind")
        if kind != "practitioner" && kind != "clinic" { reader.fail("kind", .required) }
        let slug = reader.text("slug", max: 120, required: true)
        let suspend = form.input.text("action") == "suspend"
        let reason = reader.text("reason", max: 1_000, required: suspend)
        var practitionerID: Int?, organizationID: Int?
        if let slug, Slug.isValid(slug) {
            if kind == "practitioner" { practitionerID = try await Practitioner.query(on: req.db).filter(\.$slug == slug).first()?.id }
            if kind == "clinic" { organizationID = try await Organization.query(on: req.db).filter(\.$slug == slug).first()?.id }
            if practitionerID == nil && organizationID == nil && kind != nil { reader.fail("slug", .unknownValue) }
        } else if slug != nil {
            reader.fail("slug", .unknownValue)
        }
        guard reader.problems.isEmpty else { return try await renderApplications(req, state: FormState(form.input, problems: reader.problems), status: .unprocessableEntity) }
        try await ListingService.setSuspended(suspend, practitionerID: practitionerID, organizationID: organizationID, reason: reason, admin: admin,
                                              app: req.application, source: req.auditSource, on: req.db)
        return CaseController.redirect(SiteURL.adminApplications.path + "#listings")
    }
}
