import Foundation
import Vapor
import Fluent
import Domain

enum ProviderController {
    @Sendable static func show(req: Request) async throws -> Response {
        let slug = try req.slug()
        let now = req.application.clock.now()
        guard let profile = try await DirectoryQueries.provider(slug: slug, on: req.db, now: now) else { throw Abort(.notFound) }
        return .html(ProviderShow.render(profile, ctx: req.pageContext))
    }

    @Sendable static func search(req: Request) async throws -> Response {
        let query = try ProviderSearchQuery(req.queryParameters())
        let now = req.application.clock.now()
        let result = try await ProviderSearch.run(query, on: req.db, now: now, index: req.application.providerFilterIndex)
        let procedures = try await DirectoryQueries.procedureChoices(on: req.db)
        return .html(ProviderIndex.render(query: query, result: result, procedures: procedures, ctx: req.pageContext))
    }

    /// The address shape used by the page this platform grew from: `?provider={slug}` → `/providers/{slug}`.
    @Sendable static func legacyRedirect(req: Request) async throws -> Response {
        let query = try req.queryParameters()
        guard let slug = try query.single("provider"), Slug.isValid(slug) else { throw Abort(.notFound) }
        guard try await Practitioner.query(on: req.db).filter(\.$slug == slug).count() > 0 else { throw Abort(.notFound) }
        return req.redirect(to: SiteURL.provider(.value(slug)).path, redirectType: .permanent)
    }
}

enum ClinicController {
    @Sendable static func show(req: Request) async throws -> Response {
        let slug = try req.slug()
        guard let clinic = try await DirectoryQueries.clinic(slug: slug, on: req.db, now: req.application.clock.now()) else { throw Abort(.notFound) }
        return .html(ClinicShow.render(clinic, ctx: req.pageContext))
    }
}

extension Response {
    static func html(_ body: String, status: HTTPResponseStatus = .ok) -> Response {
        let response = Response(status: status, body: .init(string: body))
        response.headers.contentType = .html
        return response
    }
}
