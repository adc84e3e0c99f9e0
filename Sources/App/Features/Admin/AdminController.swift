import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// `/admin`: administrators run the platform. The group admits administrators only (403 for other roles).
enum AdminController {
    @Sendable static func home(req: Request) async throws -> Response {
        _ = try req.requireUser(roles: [.admin])
        var counts: [CredentialService.QueueSection: Int] = [:]
        for s in CredentialService.QueueSection.allCases {
            counts[s] = try await CredentialService.count(s, app: req.application, on: req.db)
        }
        let requests = try await (req.db as! any SQLDatabase).select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("listing_requests")
            .where("status", .equal, SQLBind(ListingService.Status.pending.rawValue)).first()?.decode(column: "n", as: Int.self) ?? 0
        let suspended = try await Practitioner.query(on: req.db).filter(\.$suspendedAt != nil).count()
            + (try await Organization.query(on: req.db).filter(\.$suspendedAt != nil).count())
        return .html(AdminPages.home(counts: counts, requests: requests, suspended: suspended, req.pageContext))
    }

    // MARK: credentials

    @Sendable static func credentials(req: Request) async throws -> Response {
        _ = try req.requireUser(roles: [.admin])
        var sections: [(CredentialService.QueueSection, [CredentialRecord])] = []
        for s in CredentialService.QueueSection.allCases {
            sections.append((s, try await CredentialService.queue(s, app: req.application, on: req.db)))
        }
        return .html(AdminPages.queue(sections, now: req.application.clock.now(), req.pageContext))
    }

    static func record(_ req: Request) async throws -> CredentialRecord {
        guard let record = try await CredentialService.record(id: try req.itemID(), app: req.application, on: req.db) else { throw Abort(.notFound) }
        return record
    }

    @Sendable static func credential(req: Request) async throws -> Response {
        let admin = try req.requireUser(roles: [.admin])
        let c = try await record(req)
        try await AuditLog.record(AuditEntry(actorUserID: admin.id, actorRole: admin.role.rawValue, action: "credential.view", objectType: "credential",
                                             objectID: String(c.id), source: req.auditSource), app: req.application)
        var input = FormInput()
        if let url = c.registerURL { input["register_url"] = url }
        if let until = c.validUntil { input["expires"] = ISODate.format(until) }
        return .html(AdminPages.credential(c, state: FormState(input), recorded: (try? req.queryParameters().single("recorded")) != nil, csrf: req.csrfToken,
                                           now: req.application.clock.now(), req.pageContext))
    }

    @Sendable static func check(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let admin = try req.requireUser(roles: [.admin])
        let c = try await record(req)
        let now = req.application.clock.now()
        switch CheckRecord.read(form.input, now: now) {
        case .failure(let e):
            return .html(AdminPages.credential(c, state: FormState(form.input, problems: e.problems), recorded: false, csrf: req.csrfToken, now: now,
                                               req.pageContext), status: .unprocessableEntity)
        case .success(let check):
            guard let version = form.input.text("version").flatMap(Int.init) else { throw Abort(.badRequest) }
            do {
                try await CredentialService.record(check, credentialID: c.id, expectedVersion: version, admin: admin, app: req.application,
                                                   source: req.auditSource, on: req.db)
            } catch is CredentialChanged {
                throw Abort(.conflict, reason: req.application.localizer("credential.changed"))
            }
            return CaseController.redirect(SiteURL.adminCredential(.value("\(c.id)")).path(query: [("recorded", "1")]))
        }
    }

    @Sendable static func evidenceFile(req: Request) async throws -> Response {
        let admin = try req.requireUser(roles: [.admin])
        let c = try await record(req)
        return try await PracticeController.serveEvidence(req, admin, credentialID: c.id)
    }
}
