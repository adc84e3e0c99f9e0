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

/// What a page shares as its card on social networks and in messengers (each falls back to the page's own).
struct SocialCard: Sendable, Equatable {
    var title: String?
    var description: String?
    /// A media library image id.
    var image: String?
}

struct ArticleDetail: Sendable {
    var card: ArticleCard
    var bodyHTML: TrustedHTML
    var isClinical: Bool
    var author: PersonRef
    var reviewer: PersonRef?
    var procedures: [(slug: String, name: String)]
    var featured: FeaturedProvider?
    var related: [ArticleCard]
    var updatedAt: Date?
    var social = SocialCard()
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

    /// An article with everything its page shows, in two queries: the article with its category, author,
    /// reviewer and featured provider (and the date that provider's badge was last checked); its procedures and the
    /// related articles. The body is the HTML made when it was published (no Markdown parsed per request).
    static func article(slug: String, on db: any Database, now: Date) async throws -> ArticleDetail? {
        struct Row: Decodable {
            let id: Int; let slug: String; let title: String; let summary: String; let body_html: String; let is_clinical: Bool
            let reading_minutes: Int; let published_at: Date; let reviewed_at: Date?; let updated_at: Date?; let category_id: Int
            let category_slug: String; let category_name: String
            let author_slug: String; let author_name: String; let author_title: String; let author_sample: Bool
            let reviewer_slug: String?; let reviewer_name: String?; let reviewer_title: String?; let reviewer_sample: Bool?
            let p_slug: String?; let p_name: String?; let p_specialty: String?; let p_city: String?; let p_country: String?; let p_bio: String?
            let p_sample: Bool?; let p_verified_on: Date?
            let social_title: String?; let social_description: String?; let social_image: String?
        }
        let query: SQLQueryString = """
            SELECT a.id AS id, a.slug AS slug, a.title AS title, a.summary AS summary, a.body_html AS body_html, a.is_clinical AS is_clinical,
              a.reading_minutes AS reading_minutes, a.published_at AS published_at, a.reviewed_at AS reviewed_at, a.updated_at AS updated_at,
              a.category_id AS category_id, c.slug AS category_slug, c.name AS category_name,
              au.slug AS author_slug, au.name AS author_name, au.title AS author_title, au.is_sample AS author_sample,
              r.slug AS reviewer_slug, r.name AS reviewer_name, r.title AS reviewer_title, r.is_sample AS reviewer_sample,
              p.slug AS p_slug, p.display_name AS p_name, p.specialty AS p_specialty, p.primary_city AS p_city, p.primary_country AS p_country,
              p.bio AS p_bio, p.is_sample AS p_sample,
              (SELECT MAX(vc.last_verified_at) FROM credentials vc WHERE vc.practitioner_id = p.id AND vc.status = 'verified'
                 AND vc.last_verified_at IS NOT NULL AND (vc.valid_from IS NULL OR vc.valid_from <= \(bind: now))
                 AND (vc.valid_until IS NULL OR vc.valid_until >= \(bind: now))) AS p_verified_on,
              a.social_title AS social_title, a.social_description AS social_description, a.social_image AS social_image
            FROM articles a JOIN categories c ON c.id = a.category_id JOIN authors au ON au.id = a.author_id
              LEFT JOIN authors r ON r.id = a.reviewer_id LEFT JOIN practitioners p ON p.id = a.featured_practitioner_id
            WHERE a.slug = \(bind: slug)
            """
        guard let a = try await PreparedReads.first(query, on: db)?.decode(model: Row.self, with: SQLRowDecoder()) else { return nil }
        // Its procedures and the related articles in one round trip: a UNION ALL tagged by kind, each branch keeping
        // the database's own order (its collation for names) as a position.
        let rows = try await PreparedReads.rows("""
            SELECT 'p' AS k, ROW_NUMBER() OVER (ORDER BY pr.name) AS pos, pr.slug AS slug, pr.name AS title, CAST(NULL AS TEXT) AS summary,
              CAST(NULL AS TEXT) AS category_slug, CAST(NULL AS TEXT) AS category_name, CAST(NULL AS TEXT) AS author_name,
              CAST(NULL AS TIMESTAMPTZ) AS published_at, CAST(NULL AS TIMESTAMPTZ) AS reviewed_at, CAST(NULL AS BIGINT) AS reading_minutes
              FROM article_procedures ap JOIN procedures pr ON pr.id = ap.procedure_id WHERE ap.article_id = \(bind: a.id)
            UNION ALL
            SELECT * FROM (
              SELECT 'r', ROW_NUMBER() OVER (ORDER BY CASE WHEN a.category_id = \(bind: a.category_id) THEN 0 ELSE 1 END, a.published_at DESC),
                a.slug, a.title, a.summary, c.slug, c.name, au.name, a.published_at, a.reviewed_at, a.reading_minutes
              FROM articles a JOIN categories c ON c.id = a.category_id JOIN authors au ON au.id = a.author_id WHERE a.id <> \(bind: a.id)
              ORDER BY CASE WHEN a.category_id = \(bind: a.category_id) THEN 0 ELSE 1 END, a.published_at DESC LIMIT 3) related
            """, on: db)
        var procedures: [(pos: Int, slug: String, name: String)] = []
        var relatedRows: [(pos: Int, card: ArticleCard)] = []
        for row in rows {
            let pos = try row.decode(column: "pos", as: Int.self)
            if try row.decode(column: "k", as: String.self) == "p" {
                procedures.append((pos, try row.decode(column: "slug", as: String.self), try row.decode(column: "title", as: String.self)))
            } else {
                relatedRows.append((pos, try card(row)))
            }
        }
        let related = relatedRows.sorted { $0.pos < $1.pos }.map(\.card)
        var featured: FeaturedProvider?
        if let ps = a.p_slug, let name = a.p_name {
            let place = [a.p_city, a.p_country].compactMap { $0 }
            featured = FeaturedProvider(slug: ps, name: name, specialty: a.p_specialty ?? "", place: place.isEmpty ? nil : place.joined(separator: "|"),
                                        bio: a.p_bio ?? "", verifiedOn: a.p_verified_on, isSample: a.p_sample ?? false)
        }
        let c = ArticleCard(slug: a.slug, title: a.title, summary: a.summary, categorySlug: a.category_slug, categoryName: a.category_name,
                            authorName: a.author_name, publishedAt: a.published_at, reviewedAt: a.reviewed_at, readingMinutes: a.reading_minutes)
        return ArticleDetail(
            // Sanitised when published, and again here: a row written around the studio shows no active content.
            card: c, bodyHTML: HTMLSanitizer.sanitise(a.body_html), isClinical: a.is_clinical,
            author: PersonRef(slug: a.author_slug, name: a.author_name, title: a.author_title, isSample: a.author_sample),
            reviewer: a.reviewer_slug.map { PersonRef(slug: $0, name: a.reviewer_name ?? "", title: a.reviewer_title ?? "", isSample: a.reviewer_sample ?? false) },
            procedures: procedures.sorted { $0.pos < $1.pos }.map { ($0.slug, $0.name) }, featured: featured, related: related, updatedAt: a.updated_at,
            social: SocialCard(title: a.social_title, description: a.social_description, image: a.social_image))
    }

    static func categories(on db: any Database) async throws -> [Category] {
        try await Category.query(on: db).sort(\.$position).all()
    }
}
