import Foundation
import Vapor
import Fluent
import Domain

enum MagazineController {
    static let perPage = 9

    @Sendable static func index(req: Request) async throws -> Response {
        let query = try req.queryParameters()
        let paging = try Paging(query, defaultPerPage: perPage)
        let text = try query.text("q", maxLength: SearchText.maxQueryLength)
        let page = try await MagazineQueries.list(text: text, categoryID: nil, paging: paging, on: req.db)
        let categories = try await MagazineQueries.categories(on: req.db)
        return .html(MagazineIndex.render(.init(page: page, paging: paging, text: text, category: nil, categories: categories.map { ($0.slug, $0.name) }), ctx: req.pageContext))
    }

    @Sendable static func category(req: Request) async throws -> Response {
        let slug = try req.slug()
        let query = try req.queryParameters()
        let paging = try Paging(query, defaultPerPage: perPage)
        let categories = try await MagazineQueries.categories(on: req.db)
        guard let category = categories.first(where: { $0.slug == slug }) else { throw Abort(.notFound) }
        let page = try await MagazineQueries.list(text: nil, categoryID: category.id, paging: paging, on: req.db)
        return .html(MagazineIndex.render(.init(page: page, paging: paging, text: nil, category: (category.slug, category.name, category.summary), categories: categories.map { ($0.slug, $0.name) }), ctx: req.pageContext))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let slug = try req.slug()
        guard let article = try await MagazineQueries.article(slug: slug, on: req.db, now: req.application.clock.now()) else { throw Abort(.notFound) }
        let aids = req.application.decisionAids.aids(covering: article.procedures.map(\.slug))
        return .html(ArticleShow.render(article, aids: aids, ctx: req.pageContext))
    }
}
