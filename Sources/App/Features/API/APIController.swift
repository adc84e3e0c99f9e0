import Foundation
import Vapor
import Fluent
import Domain

/// Paged list envelope.
struct ListDTO<Item: Content>: Content {
    var items: [Item]
    var page: Int
    var perPage: Int
    var total: Int
}

struct ArticleDTO: Content {
    var slug: String
    var url: String
    var title: String
    var summary: String
    var category: String
    var author: String
    var reviewer: String?
    var datePublished: String
    var lastReviewed: String?
    var readingMinutes: Int
    var bodyHTML: String?
    var procedures: [String]?
    var featuredProvider: String?
}

struct PriceDTO: Content {
    var country: String?
    var min: String
    var max: String
    var currency: String
    var sample: Bool?
}

struct ProcedureDTO: Content {
    var slug: String
    var url: String
    var name: String
    var category: String
    var procedureType: String
    var summary: String
    var bodyLocation: String?
    var sections: [String: String]?
    var resultsOnset: String?
    var resultsDuration: String?
    var typicalPrices: [PriceDTO]?
    var reviewer: String?
    var lastReviewed: String?
}

struct CredentialDTO: Content {
    var kind: String
    var title: String
    var issuer: String?
    var number: String?
    var validFrom: String?
    var validUntil: String?
    var lastVerified: String?
    var status: String
    var verified: Bool
    var registerURL: String?
}

struct ProviderDTO: Content {
    var slug: String
    var url: String
    var name: String
    var specialty: String
    var city: String?
    var country: String?
    var verified: Bool
    var sample: Bool
    var acceptingNewPatients: Bool?
    var languages: [String]
    var procedures: [String]?
    var priceFrom: PriceDTO?
    var bio: String?
    var practicingSince: Int?
    var signatureTechniques: [String]?
    var locations: [PlaceView]?
    var offers: [OfferDTO]?
    var credentials: [CredentialDTO]?
}

struct OfferDTO: Content {
    var procedure: String
    var organization: String
    var city: String
    var country: String
    var price: PriceDTO?
}

struct ProviderSearchDTO: Content {
    var items: [ProviderDTO]
    var page: Int
    var perPage: Int
    var total: Int
    var facets: [String: [String: Int]]
}

enum APIController {
    static func price(_ p: PriceRangeView?, country: String? = nil, sample: Bool? = nil) -> PriceDTO? {
        guard let p else { return nil }
        return PriceDTO(country: country, min: "\(p.min)", max: "\(p.max)", currency: p.currency, sample: sample)
    }

    static func date(_ d: Date?) -> String? { d.map(ISODate.format) }

    @Sendable static func articles(req: Request) async throws -> ListDTO<ArticleDTO> {
        let query = try req.queryParameters()
        let paging = try Paging(query)
        let text = try query.text("q", maxLength: SearchText.maxQueryLength)
        var categoryID: Int?
        if let slug = try query.text("category", maxLength: 120) {
            guard let c = try await Category.query(on: req.db).filter(\.$slug == slug).first() else { throw ParameterError("category", .unknownValue) }
            categoryID = c.id
        }
        let page = try await MagazineQueries.list(text: text, categoryID: categoryID, paging: paging, on: req.db)
        let base = req.application.config.baseURL
        return ListDTO(items: page.items.map {
            ArticleDTO(slug: $0.slug, url: SiteURL.article(.value($0.slug)).absolute(base), title: $0.title, summary: $0.summary,
                       category: $0.categorySlug, author: $0.authorName, reviewer: nil, datePublished: ISODate.format($0.publishedAt),
                       lastReviewed: date($0.reviewedAt), readingMinutes: $0.readingMinutes, bodyHTML: nil, procedures: nil, featuredProvider: nil)
        }, page: paging.page, perPage: paging.perPage, total: page.total)
    }

    @Sendable static func article(req: Request) async throws -> ArticleDTO {
        let slug = try req.slug()
        guard let a = try await MagazineQueries.article(slug: slug, on: req.db, now: req.application.clock.now()) else { throw Abort(.notFound) }
        let c = a.card
        return ArticleDTO(slug: c.slug, url: SiteURL.article(.value(c.slug)).absolute(req.application.config.baseURL), title: c.title,
                          summary: c.summary, category: c.categorySlug, author: a.author.name, reviewer: a.reviewer?.name,
                          datePublished: ISODate.format(c.publishedAt), lastReviewed: date(c.reviewedAt), readingMinutes: c.readingMinutes,
                          bodyHTML: a.bodyHTML.string, procedures: a.procedures.map(\.slug), featuredProvider: a.featured?.slug)
    }

    @Sendable static func procedures(req: Request) async throws -> ListDTO<ProcedureDTO> {
        let paging = try Paging(req.queryParameters(), defaultPerPage: 100)
        let all = try await ProcedureQueries.all(on: req.db)
        let base = req.application.config.baseURL
        let slice = all.dropFirst(paging.offset).prefix(paging.perPage)
        return ListDTO(items: slice.map {
            ProcedureDTO(slug: $0.slug, url: SiteURL.procedure(.value($0.slug)).absolute(base), name: $0.name, category: $0.categorySlug,
                         procedureType: $0.procedureType, summary: $0.summary)
        }, page: paging.page, perPage: paging.perPage, total: all.count)
    }

    @Sendable static func procedure(req: Request) async throws -> ProcedureDTO {
        let slug = try req.slug()
        guard let d = try await ProcedureQueries.detail(slug: slug, on: req.db, now: req.application.clock.now()) else { throw Abort(.notFound) }
        let p = d.procedure
        return ProcedureDTO(
            slug: p.slug, url: SiteURL.procedure(.value(p.slug)).absolute(req.application.config.baseURL), name: p.name,
            category: d.categorySlug, procedureType: p.procedureType, summary: p.summary, bodyLocation: p.bodyLocation,
            sections: ["whatItIs": p.whatItIs, "suits": p.suits, "notSuits": p.notSuits, "preparation": p.preparation,
                       "howPerformed": p.howPerformed, "recovery": p.recovery, "risks": p.risks, "alternatives": p.alternatives,
                       "followup": p.followup],
            resultsOnset: p.resultsOnset, resultsDuration: p.resultsDuration,
            typicalPrices: d.prices.compactMap { price($0.price, country: $0.country, sample: true) },
            reviewer: d.reviewer?.name, lastReviewed: date(p.reviewedAt))
    }

    @Sendable static func providers(req: Request) async throws -> ProviderSearchDTO {
        let q = try ProviderSearchQuery(req.queryParameters())
        let r = try await ProviderSearch.run(q, on: req.db, now: req.application.clock.now(), index: req.application.providerFilterIndex)
        let base = req.application.config.baseURL
        func facet(_ list: [ProviderSearchResult.Facet]) -> [String: Int] { Dictionary(list.map { ($0.value, $0.count) }, uniquingKeysWith: +) }
        return ProviderSearchDTO(
            items: r.items.map { c in
                ProviderDTO(slug: c.slug, url: SiteURL.provider(.value(c.slug)).absolute(base), name: c.name, specialty: c.specialty,
                            city: c.city, country: c.country, verified: c.verified, sample: c.isSample, acceptingNewPatients: c.acceptingNewPatients,
                            languages: c.languages, procedures: c.procedures,
                            priceFrom: c.priceFrom.map { PriceDTO(country: nil, min: "\($0.amount)", max: "\($0.amount)", currency: $0.currency.code, sample: nil) })
            },
            page: q.paging.page, perPage: q.paging.perPage, total: r.total,
            facets: ["procedure": facet(r.procedures), "country": facet(r.countries), "city": facet(r.cities), "language": facet(r.languages)])
    }

    @Sendable static func provider(req: Request) async throws -> ProviderDTO {
        let slug = try req.slug()
        let now = req.application.clock.now()
        guard let p = try await DirectoryQueries.provider(slug: slug, on: req.db, now: now) else { throw Abort(.notFound) }
        return ProviderDTO(
            slug: p.slug, url: SiteURL.provider(.value(p.slug)).absolute(req.application.config.baseURL), name: p.name, specialty: p.specialty,
            city: p.places.first?.city, country: p.places.first?.country, verified: p.badge != nil, sample: p.isSample,
            acceptingNewPatients: p.acceptingNewPatients, languages: p.languages, procedures: Array(Set(p.offers.map(\.procedureSlug))).sorted(),
            priceFrom: nil, bio: p.bio, practicingSince: p.practicingSince, signatureTechniques: p.techniques, locations: p.places,
            offers: p.offers.map { OfferDTO(procedure: $0.procedureSlug, organization: $0.organizationSlug, city: $0.city, country: $0.country, price: price($0.price)) },
            credentials: p.credentials.map {
                CredentialDTO(kind: $0.kind, title: $0.title, issuer: $0.issuer, number: $0.number, validFrom: date($0.validFrom),
                              validUntil: date($0.validUntil), lastVerified: date($0.lastVerified), status: $0.status, verified: $0.verified,
                              registerURL: $0.registerURL)
            })
    }
}

extension ProcedureDTO {
    init(slug: String, url: String, name: String, category: String, procedureType: String, summary: String) {
        self.init(slug: slug, url: url, name: name, category: category, procedureType: procedureType, summary: summary,
                  bodyLocation: nil, sections: nil, resultsOnset: nil, resultsDuration: nil, typicalPrices: nil, reviewer: nil, lastReviewed: nil)
    }
}
