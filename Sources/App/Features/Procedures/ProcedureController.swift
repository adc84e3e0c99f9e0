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

/// A guide's own fields as a page and the API read them: a plain value (a Fluent model allocates an object for each
/// of its thirty fields, a noticeable part of an uncached guide).
struct ProcedureFacts: Sendable {
    var id: Int
    var slug = "", name = "", categoryID = 0, procedureType = "", bodyLocation = "", summary = ""
    var whatItIs = "", suits = "", notSuits = "", preparation = "", howPerformed = "", recovery = "", risks = "", alternatives = ""
    var resultsOnset = "", resultsDuration = "", followup = ""
    var durationMinutes = 0, stayDays = 0
    var reviewerID: Int? = nil, reviewedAt: Date? = nil
    var sectionsHTML: String? = nil, socialTitle: String? = nil, socialDescription: String? = nil, socialImage: String? = nil
}

struct ProcedureDetail: Sendable {
    var procedure: ProcedureFacts
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

    /// A guide with its category and reviewer, its typical prices, the articles about it and the providers offering
    /// it, read in one query (a `KindedUnion`): the providers are ranked by the in-process index first, so their cards
    /// join the same round trip. Without an index they are searched separately. Its sections are the HTML stored when
    /// it was published.
    /// `markdown: false` (the page) reads no section's Markdown, and reads a guide stored without its HTML again with
    /// it: the page shows the stored HTML, and eight long texts decoded for nothing were a noticeable part of an
    /// uncached guide.
    static func detail(slug: String, on db: any Database, now: Date, rates: ExchangeRates = .reference, index: ProviderFilterIndex? = nil,
                       markdown: Bool = true) async throws -> ProcedureDetail? {
        let sql = db as! any SQLDatabase
        let providerQuery = ProviderSearchQuery(procedure: slug, paging: Paging(page: 1, perPage: 6))
        var page: ProviderSearch.IndexedPage?
        if let index { page = try await ProviderSearch.rankIndexed(providerQuery, index: index, on: db, now: now, facets: false) }

        // The sections' Markdown comes last, and only when asked for: the page reads the stored HTML, and a union 25
        // texts wide for 17 that it uses made every row, and the statement, a third wider for nothing.
        let u = KindedUnion(texts: markdown ? 25 : 17, ints: 5, dates: 2, bools: 2)
        let cardIDs = page?.ids ?? []
        // The text depends only on whether the Markdown is read and on the number of cards; the values are the slug
        // three times (the guide, its prices, its articles) and the cards' ids.
        let binds: [any Encodable & Sendable] = [slug, slug, slug] + PreparedReads.anyOfBinds(cardIDs, on: sql)
        let rows = try await PreparedReads.rows(shape: "guide:\(markdown):\(cardIDs.count)", binds: binds, on: sql) {
            let guideID: SQLQueryString = "(SELECT id FROM procedures WHERE slug = \(bind: slug))"
            var branches = [
                u.branch("guide", first: true, texts: [
                    "p.slug", "p.name", "p.procedure_type", "p.body_location", "p.summary", "p.results_onset", "p.results_duration", "p.followup",
                    "p.sections_html", "p.social_title", "p.social_description", "p.social_image", "c.slug", "c.name", "a.slug", "a.name", "a.title",
                ] + (markdown ? GuideHTML.sections.map { .sql("p.\($0)") } : []),
                ints: ["p.id", "p.duration_minutes", "p.stay_days", "c.id", "a.id"], dates: ["p.reviewed_at"], bools: ["a.is_sample"],
                from: "procedures p JOIN categories c ON c.id = p.category_id LEFT JOIN authors a ON a.id = p.reviewer_id WHERE p.slug = \(bind: slug)"),
                u.branch("price", texts: ["country_code", "currency"], ints: ["price_min_minor", "price_max_minor"],
                         from: "procedure_prices WHERE procedure_id = \(guideID)"),
                u.branch("article", texts: ["a.slug", "a.title", "a.summary", "c.slug", "c.name", "au.name"], ints: ["a.reading_minutes"],
                         dates: ["a.published_at", "a.reviewed_at"],
                         from: """
                            articles a JOIN categories c ON c.id = a.category_id JOIN authors au ON au.id = a.author_id
                            WHERE a.id IN (SELECT article_id FROM article_procedures WHERE procedure_id = \(guideID))
                            """),
            ]
            if !cardIDs.isEmpty {
                branches.append(u.branch("card", texts: [
                    "p.slug", "p.display_name", "p.specialty", "p.primary_city", "p.primary_country", "p.card_languages", "p.card_offers",
                ], ints: ["p.id"], bools: ["p.is_sample", "p.accepting_new_patients"],
                from: "practitioners p WHERE \(PreparedReads.anyOf("p.id", cardIDs, on: sql))"))
            }
            return KindedUnion.query(branches)
        }.map { KindedRow($0, u) }

        var guide: KindedRow?
        var prices: [(String, PriceRangeView)] = []
        var articles: [ArticleCard] = []
        var cards: [Int: ProviderCard] = [:]
        for row in rows {
            switch try row.kind() {
            case "guide": guide = row
            case "price":
                if let range = PriceRangeView(minMinor: try row.int(1), maxMinor: try row.int(2), currency: try row.text(2) ?? "", rates: rates) {
                    prices.append((try row.text(1) ?? "", range))
                }
            case "article":
                articles.append(ArticleCard(slug: try row.text(1) ?? "", title: try row.text(2) ?? "", summary: try row.text(3) ?? "",
                                            categorySlug: try row.text(4) ?? "", categoryName: try row.text(5) ?? "",
                                            authorName: try row.text(6) ?? "", publishedAt: try row.date(1) ?? .distantPast,
                                            reviewedAt: try row.date(2), readingMinutes: Int(try row.int(1) ?? 0)))
            case "card":
                guard let id = try row.int(1).map(Int.init), let page else { continue }
                var card = ProviderCard(id: id, slug: try row.text(1) ?? "", name: try row.text(2) ?? "", specialty: try row.text(3) ?? "",
                                        city: try row.text(4), country: try row.text(5), verified: page.isVerified(id),
                                        isSample: try row.bool(1) ?? false, acceptingNewPatients: try row.bool(2),
                                        languages: [], procedures: [], priceFrom: nil)
                ProviderSearch.fill(&card, languages: try row.text(6), offers: try row.text(7), procedure: slug, currency: providerQuery.currency,
                                    rates: rates)
                cards[id] = card
            default: break
            }
        }
        guard let r = guide, let id = try r.int(1).map(Int.init) else { return nil }
        // A guide stored before its HTML was (the migration that added the column wrote it for every guide): read again
        // with its Markdown.
        if !markdown, try r.text(9) == nil { return try await detail(slug: slug, on: db, now: now, rates: rates, index: index, markdown: true) }
        func text(_ n: Int) throws -> String { try r.text(n) ?? "" }
        var p = ProcedureFacts(id: id)
        p.slug = try text(1); p.name = try text(2); p.categoryID = Int(try r.int(4) ?? 0); p.procedureType = try text(3)
        p.bodyLocation = try text(4); p.summary = try text(5); p.resultsOnset = try text(6); p.resultsDuration = try text(7); p.followup = try text(8)
        if markdown {
            p.whatItIs = try text(18); p.suits = try text(19); p.notSuits = try text(20); p.preparation = try text(21)
            p.howPerformed = try text(22); p.recovery = try text(23); p.risks = try text(24); p.alternatives = try text(25)
        }
        p.durationMinutes = Int(try r.int(2) ?? 0); p.stayDays = Int(try r.int(3) ?? 0)
        p.reviewerID = try r.int(5).map(Int.init); p.reviewedAt = try r.date(1); p.sectionsHTML = try r.text(9)
        p.socialTitle = try r.text(10); p.socialDescription = try r.text(11); p.socialImage = try r.text(12)
        prices.sort { ($0.1.eurMinCents ?? 0) < ($1.1.eurMinCents ?? 0) }
        articles = Array(articles.sorted { $0.publishedAt > $1.publishedAt }.prefix(4))
        let providers: ProviderSearchResult
        if let page {
            providers = page.result(page.ids.compactMap { cards[$0] })
        } else {
            providers = try await DirectoryQueries.providers(offering: slug, limit: 6, on: db, now: now, index: nil)
        }
        let reviewer = try r.text(15).map { PersonRef(slug: $0, name: try r.text(16) ?? "", title: try r.text(17) ?? "", isSample: try r.bool(1) ?? false) }
        return ProcedureDetail(procedure: p, categorySlug: try text(13), categoryName: try text(14), reviewer: reviewer,
                               prices: prices.map { (country: $0.0, price: $0.1) }, providers: providers, articles: articles,
                               sections: GuideHTML.decode(try r.text(9)))
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
