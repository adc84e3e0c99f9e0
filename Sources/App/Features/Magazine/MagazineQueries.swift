import Foundation
import Fluent
import SQLKit
import Domain

struct ArticleCard: Sendable, Codable, Equatable {
    var slug: String
    var title: String
    var summary: String
    var categorySlug: String
    var categoryName: String
    var authorName: String
    var publishedAt: Date
    var reviewedAt: Date?
    var readingMinutes: Int
}

struct PersonRef: Sendable, Codable, Equatable {
    var slug: String
    var name: String
    var title: String
    var isSample: Bool
}

struct FeaturedProvider: Sendable, Equatable {
    var slug: String
    var name: String
    var specialty: String
    var place: String?
    var bio: String
    var verifiedOn: Date?
    var isSample: Bool
}

struct ArticleDetail: Sendable {
    var card: ArticleCard
    var bodyHTML: TrustedHTML
    var bodyMarkdown: String
    var isClinical: Bool
    var author: PersonRef
    var reviewer: PersonRef?
    var procedures: [(slug: String, name: String)]
    var featured: FeaturedProvider?
    var related: [ArticleCard]
    var updatedAt: Date?
}

struct ArticlePage: Sendable {
    var total: Int
    var items: [ArticleCard]
}

enum MagazineQueries {
    static let cardColumns: SQLQueryString = "a.slug AS slug, a.title AS title, a.summary AS summary, c.slug AS category_slug, c.name AS category_name, au.name AS author_name, a.published_at AS published_at, a.reviewed_at AS reviewed_at, a.reading_minutes AS reading_minutes"

    static func card(_ row: any SQLRow) throws -> ArticleCard {
        ArticleCard(slug: try row.decode(column: "slug", as: String.self), title: try row.decode(column: "title", as: String.self),
                    summary: try row.decode(column: "summary", as: String.self),
                    categorySlug: try row.decode(column: "category_slug", as: String.self),
                    categoryName: try row.decode(column: "category_name", as: String.self),
                    authorName: try row.decode(column: "author_name", as: String.self),
                    publishedAt: try row.decode(column: "published_at", as: Date.self),
                    reviewedAt: try row.decode(column: "reviewed_at", as: Date?.self),
                    readingMinutes: try row.decode(column: "reading_minutes", as: Int.self))
    }

    /// Articles newest first, or by relevance when `text` is given; optionally in one category.
    static func list(text: String?, categoryID: Int?, paging: Paging, on db: any Database) async throws -> ArticlePage {
        let sql = db as! any SQLDatabase
        let terms = text.map(SearchText.queryTerms) ?? []
        var from: SQLQueryString = "FROM articles a JOIN categories c ON c.id = a.category_id JOIN authors au ON au.id = a.author_id"
        var conditions: [SQLQueryString] = []
        var order: SQLQueryString = "a.published_at DESC, a.id DESC"
        if !terms.isEmpty {
            if sql.dialect.name == "sqlite" {
                from += " JOIN article_fts f ON f.rowid = a.id"
                conditions.append("article_fts MATCH \(bind: SearchText.fts5Match(terms))")
                order = "bm25(article_fts) ASC, a.published_at DESC"
            } else {
                conditions.append("a.search_tsv @@ to_tsquery('simple', \(bind: SearchText.tsQuery(terms)))")
                order = "ts_rank(a.search_tsv, to_tsquery('simple', \(bind: SearchText.tsQuery(terms)))) DESC, a.published_at DESC"
            }
        }
        if let categoryID { conditions.append("a.category_id = \(bind: categoryID)") }
        let whereClause: SQLQueryString = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let total = try await sql.raw("SELECT COUNT(*) AS n " + from + whereClause).first()?.decode(column: "n", as: Int.self) ?? 0
        let rows = try await sql.raw("SELECT " + cardColumns + " " + from + whereClause + " ORDER BY " + order + " LIMIT \(bind: paging.perPage) OFFSET \(bind: paging.offset)").all()
        return ArticlePage(total: total, items: try rows.map(card))
    }

    static func article(slug: String, on db: any Database, now: Date) async throws -> ArticleDetail? {
        guard let a = try await Article.query(on: db).filter(\.$slug == slug).with(\.$category).with(\.$author).with(\.$reviewer).first(),
              let id = a.id else { return nil }
        let procedures = try await ArticleProcedure.query(on: db).filter(\.$article.$id == id).with(\.$procedure).all()
            .map { ($0.procedure.slug, $0.procedure.name) }
        var featured: FeaturedProvider?
        if let pid = a.$featuredPractitioner.id, let p = try await Practitioner.find(pid, on: db) {
            let credentials = try await Credential.query(on: db).filter(\.$practitioner.$id == pid).all().map { CredentialView($0, now: now) }
            let verifiedOn = credentials.filter(\.verified).compactMap(\.lastVerified).max()
            let place = [p.primaryCity, p.primaryCountry].compactMap { $0 }
            featured = FeaturedProvider(slug: p.slug, name: p.displayName, specialty: p.specialty,
                                        place: place.isEmpty ? nil : place.joined(separator: "|"), bio: p.bio, verifiedOn: verifiedOn, isSample: p.isSample)
        }
        let sql = db as! any SQLDatabase
        let related = try await sql.raw("SELECT " + cardColumns + " FROM articles a JOIN categories c ON c.id = a.category_id JOIN authors au ON au.id = a.author_id WHERE a.id <> \(bind: id) ORDER BY CASE WHEN a.category_id = \(bind: a.$category.id) THEN 0 ELSE 1 END, a.published_at DESC LIMIT 3").all().map(card)
        let c = ArticleCard(slug: a.slug, title: a.title, summary: a.summary, categorySlug: a.category.slug, categoryName: a.category.name,
                            authorName: a.author.name, publishedAt: a.publishedAt, reviewedAt: a.reviewedAt, readingMinutes: a.readingMinutes)
        return ArticleDetail(
            card: c, bodyHTML: HTMLSanitizer.sanitise(a.bodyHTML), bodyMarkdown: a.bodyMarkdown, isClinical: a.isClinical,
            author: PersonRef(slug: a.author.slug, name: a.author.name, title: a.author.title, isSample: a.author.isSample),
            reviewer: a.reviewer.map { PersonRef(slug: $0.slug, name: $0.name, title: $0.title, isSample: $0.isSample) },
            procedures: procedures, featured: featured, related: related, updatedAt: a.updatedAt)
    }

    static func categories(on db: any Database) async throws -> [Category] {
        try await Category.query(on: db).sort(\.$position).all()
    }
}
