import Foundation
import Vapor
import Domain

/// The public facilitator directory and profiles.
enum FacilitatorController {
    @Sendable static func index(req: Request) async throws -> Response {
        let query = try FacilitatorDirectoryQuery(req.queryParameters())
        let result = try await FacilitatorQueries.directory(query, now: req.application.clock.now(), on: req.db)
        return .html(FacilitatorIndex.render(query: query, result: result, ctx: req.pageContext))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let slug = try req.slug()
        guard let profile = try await FacilitatorQueries.profile(slug: slug, now: req.application.clock.now(), on: req.db) else {
            throw Abort(.notFound)
        }
        return .html(FacilitatorShow.render(profile, ctx: req.pageContext))
    }
}

/// The query parameters the directory reads (the render cache keys on these alone).
extension RenderCacheQuery {
    static let facilitators = ["q", "from", "to", "language", "verified", "page"]
}
