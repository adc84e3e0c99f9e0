import Foundation
import Vapor
import Fluent
import SQLKit
import Domain

struct ProcedureSummary: Sendable, Codable, Equatable {
    var slug: String
    var name: String
    var summary: String
    var categorySlug: String
    var categoryName: String
    var procedureType: String
}

struct ProcedureDetail: Sendable {
    var procedure: Procedure
    var categorySlug: String
    var categoryName: String
    var reviewer: PersonRef?
    var prices: [(country: String, price: PriceRangeView)]
    var providers: ProviderSearchResult
    var articles: [ArticleCard]
}

enum ProcedureQueries {
    static func all(on db: any Database) async throws -> [ProcedureSummary] {
        try await Procedure.query(on: db).with(\.$category).all()
            .sorted { ($0.category.position, $0.name) < ($1.category.position, $1.name) }
            .map { ProcedureSummary(slug: $0.slug, name: $0.name, summary: $0.summary, categorySlug: $0.category.slug, categoryName: $0.category.name, procedureType: $0.procedureType) }
    }

    static func detail(slug: String, on db: any Database, now: Date, rates: ExchangeRates = .reference, index: ProviderFilterIndex? = nil) async throws -> ProcedureDetail? {
        guard let p = try await Procedure.query(on: db).filter(\.$slug == slug).with(\.$category).with(\.$reviewer).first(), let id = p.id else { return nil }
        let prices = try await ProcedurePrice.query(on: db).filter(\.$procedure.$id == id).all()
            .compactMap { pr -> (String, PriceRangeView)? in
                PriceRangeView(minMinor: pr.priceMinMinor, maxMinor: pr.priceMaxMinor, currency: pr.currency, rates: rates).map { (pr.countryCode, $0) }
            }
            .sorted { ($0.1.eurMin ?? 0) < ($1.1.eurMin ?? 0) }
        let providers = try await DirectoryQueries.providers(offering: slug, limit: 6, on: db, now: now, index: index)
        let sql = db as! any SQLDatabase
        let articles = try await sql.raw("SELECT " + MagazineQueries.cardColumns + " FROM articles a JOIN categories c ON c.id = a.category_id JOIN authors au ON au.id = a.author_id WHERE a.id IN (SELECT article_id FROM article_procedures WHERE procedure_id = \(bind: id)) ORDER BY a.published_at DESC LIMIT 4").all().map(MagazineQueries.card)
        return ProcedureDetail(procedure: p, categorySlug: p.category.slug, categoryName: p.category.name,
                               reviewer: p.reviewer.map { PersonRef(slug: $0.slug, name: $0.name, title: $0.title, isSample: $0.isSample) },
                               prices: prices.map { (country: $0.0, price: $0.1) }, providers: providers, articles: articles)
    }
}

enum ProcedureController {
    @Sendable static func index(req: Request) async throws -> Response {
        let all = try await ProcedureQueries.all(on: req.db)
        return .html(ProcedureIndex.render(all, ctx: req.pageContext))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let slug = try req.slug()
        guard let detail = try await ProcedureQueries.detail(slug: slug, on: req.db, now: req.application.clock.now(), index: req.application.providerFilterIndex) else { throw Abort(.notFound) }
        let aids = req.application.decisionAids.aids(covering: [detail.procedure.slug])
        return .html(ProcedureShow.render(detail, aids: aids, ctx: req.pageContext))
    }
}
