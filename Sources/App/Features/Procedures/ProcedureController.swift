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
    /// The sections' stored HTML and plain texts (`GuideHTML`), decoded once; nil for a guide stored before it.
    var sections: [String: String]? = nil
}

enum ProcedureQueries {
    static func all(on db: any Database) async throws -> [ProcedureSummary] {
        try await Procedure.query(on: db).with(\.$category).all()
            .sorted { ($0.category.position, $0.name) < ($1.category.position, $1.name) }
            .map { ProcedureSummary(slug: $0.slug, name: $0.name, summary: $0.summary, categorySlug: $0.category.slug, categoryName: $0.category.name, procedureType: $0.procedureType) }
    }

    /// A guide with its category and reviewer (one query), its typical prices, related articles and the providers
    /// offering it. Its sections are the HTML stored when it was published.
    /// `markdown: false` (the page) reads a section's Markdown only for a guide stored without its HTML: the page
    /// shows the stored HTML, and eight long texts decoded for nothing were a noticeable part of an uncached guide.
    static func detail(slug: String, on db: any Database, now: Date, rates: ExchangeRates = .reference, index: ProviderFilterIndex? = nil,
                       markdown: Bool = true) async throws -> ProcedureDetail? {
        func md(_ column: String) -> SQLQueryString {
            markdown ? "p.\(unsafeRaw: column) AS \(unsafeRaw: column)"
                : "CASE WHEN p.sections_html IS NULL THEN p.\(unsafeRaw: column) ELSE '' END AS \(unsafeRaw: column)"
        }
        struct Row: Decodable {
            let id: Int; let slug: String; let name: String; let procedure_type: String; let body_location: String; let summary: String
            let what_it_is: String; let suits: String; let not_suits: String; let preparation: String; let how_performed: String; let recovery: String
            let results_onset: String; let results_duration: String; let risks: String; let alternatives: String; let followup: String
            let duration_minutes: Int; let stay_days: Int; let reviewed_at: Date?; let updated_at: Date?; let sections_html: String?
            let social_title: String?; let social_description: String?; let social_image: String?
            let category_id: Int; let category_slug: String; let category_name: String
            let reviewer_id: Int?; let reviewer_slug: String?; let reviewer_name: String?; let reviewer_title: String?; let reviewer_sample: Bool?
        }
        guard let r = try await PreparedReads.first("""
            SELECT p.id AS id, p.slug AS slug, p.name AS name, p.procedure_type AS procedure_type, p.body_location AS body_location, p.summary AS summary,
              \(md("what_it_is")), \(md("suits")), \(md("not_suits")), \(md("preparation")), \(md("how_performed")),
              \(md("recovery")), p.results_onset AS results_onset, p.results_duration AS results_duration, \(md("risks")),
              \(md("alternatives")), p.followup AS followup, p.duration_minutes AS duration_minutes, p.stay_days AS stay_days,
              p.reviewed_at AS reviewed_at, p.updated_at AS updated_at, p.sections_html AS sections_html, p.social_title AS social_title,
              p.social_description AS social_description, p.social_image AS social_image,
              c.id AS category_id, c.slug AS category_slug, c.name AS category_name,
              a.id AS reviewer_id, a.slug AS reviewer_slug, a.name AS reviewer_name, a.title AS reviewer_title, a.is_sample AS reviewer_sample
            FROM procedures p JOIN categories c ON c.id = p.category_id LEFT JOIN authors a ON a.id = p.reviewer_id
            WHERE p.slug = \(bind: slug)
            """, on: db)?.decode(model: Row.self, with: SQLRowDecoder()) else { return nil }
        let p = Procedure()
        p.id = r.id; p.slug = r.slug; p.name = r.name; p.$category.id = r.category_id; p.procedureType = r.procedure_type; p.bodyLocation = r.body_location
        p.summary = r.summary; p.whatItIs = r.what_it_is; p.suits = r.suits; p.notSuits = r.not_suits; p.preparation = r.preparation
        p.howPerformed = r.how_performed; p.recovery = r.recovery; p.resultsOnset = r.results_onset; p.resultsDuration = r.results_duration
        p.risks = r.risks; p.alternatives = r.alternatives; p.followup = r.followup; p.durationMinutes = r.duration_minutes; p.stayDays = r.stay_days
        p.$reviewer.id = r.reviewer_id; p.reviewedAt = r.reviewed_at; p.sectionsHTML = r.sections_html
        p.socialTitle = r.social_title; p.socialDescription = r.social_description; p.socialImage = r.social_image
        let id = r.id
        // Typical prices and the articles about it, in one round trip (a UNION ALL tagged by kind).
        let rows = try await PreparedReads.rows("""
            SELECT 'price' AS k, country_code AS s1, currency AS s2, CAST(NULL AS TEXT) AS s3, CAST(NULL AS TEXT) AS s4, CAST(NULL AS TEXT) AS s5,
              CAST(NULL AS TEXT) AS s6, CAST(price_min_minor AS BIGINT) AS n1, CAST(price_max_minor AS BIGINT) AS n2,
              CAST(NULL AS TIMESTAMPTZ) AS d1, CAST(NULL AS TIMESTAMPTZ) AS d2
              FROM procedure_prices WHERE procedure_id = \(bind: id)
            UNION ALL
            SELECT 'article', a.slug, a.title, a.summary, c.slug, c.name, au.name, a.reading_minutes, NULL, a.published_at, a.reviewed_at
              FROM articles a JOIN categories c ON c.id = a.category_id JOIN authors au ON au.id = a.author_id
              WHERE a.id IN (SELECT article_id FROM article_procedures WHERE procedure_id = \(bind: id))
            """, on: db)
        var prices: [(String, PriceRangeView)] = []
        var articles: [ArticleCard] = []
        for row in rows {
            func s(_ n: Int) throws -> String { try row.decode(column: "s\(n)", as: String?.self) ?? "" }
            if try row.decode(column: "k", as: String.self) == "price" {
                if let range = PriceRangeView(minMinor: try row.decode(column: "n1", as: Int64?.self), maxMinor: try row.decode(column: "n2", as: Int64?.self),
                                              currency: try s(2), rates: rates) {
                    prices.append((try s(1), range))
                }
            } else {
                articles.append(ArticleCard(slug: try s(1), title: try s(2), summary: try s(3), categorySlug: try s(4), categoryName: try s(5),
                                            authorName: try s(6), publishedAt: try row.decode(column: "d1", as: Date?.self) ?? .distantPast,
                                            reviewedAt: try row.decode(column: "d2", as: Date?.self),
                                            readingMinutes: Int(try row.decode(column: "n1", as: Int64?.self) ?? 0)))
            }
        }
        prices.sort { ($0.1.eurMinCents ?? 0) < ($1.1.eurMinCents ?? 0) }
        articles = Array(articles.sorted { $0.publishedAt > $1.publishedAt }.prefix(4))
        let providers = try await DirectoryQueries.providers(offering: slug, limit: 6, on: db, now: now, index: index)
        return ProcedureDetail(procedure: p, categorySlug: r.category_slug, categoryName: r.category_name,
                               reviewer: r.reviewer_slug.map { PersonRef(slug: $0, name: r.reviewer_name ?? "", title: r.reviewer_title ?? "", isSample: r.reviewer_sample ?? false) },
                               prices: prices.map { (country: $0.0, price: $0.1) }, providers: providers, articles: articles,
                               sections: GuideHTML.decode(r.sections_html))
    }
}

enum ProcedureController {
    @Sendable static func index(req: Request) async throws -> Response {
        let all = try await ProcedureQueries.all(on: req.db)
        return .html(ProcedureIndex.render(all, ctx: req.pageContext))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let slug = try req.slug()
        guard let detail = try await ProcedureQueries.detail(slug: slug, on: req.db, now: req.application.clock.now(), index: req.application.providerFilterIndex,
                                                             markdown: false) else { throw Abort(.notFound) }
        let aids = req.application.decisionAids.aids(covering: [detail.procedure.slug])
        return .html(ProcedureShow.render(detail, aids: aids, ctx: req.pageContext))
    }
}
