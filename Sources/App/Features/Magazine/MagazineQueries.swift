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
    /// An article with its category, author, reviewer and featured provider, its procedures and three related
    /// articles, in one query (a `KindedUnion`). The procedures and related articles keep the database's own order
    /// (its collation for names) as a position.
    static func article(slug: String, on db: any Database, now: Date) async throws -> ArticleDetail? {
        let u = KindedUnion(texts: 21, ints: 3, dates: 4, bools: 4)
        let own: SQLQueryString = "(SELECT id FROM articles WHERE slug = \(bind: slug))"
        let ownCategory: SQLQueryString = "(SELECT category_id FROM articles WHERE slug = \(bind: slug))"
        let query = KindedUnion.query([
            u.branch("article", first: true, texts: [
                "a.slug", "a.title", "a.summary", "a.body_html", "c.slug", "c.name", "au.slug", "au.name", "au.title", "r.slug", "r.name", "r.title",
                "p.slug", "p.display_name", "p.specialty", "p.primary_city", "p.primary_country", "p.bio",
                "a.social_title", "a.social_description", "a.social_image",
            ], ints: ["a.id", "a.reading_minutes", "a.category_id"], dates: ["a.published_at", "a.reviewed_at", "a.updated_at", .query("""
                (SELECT MAX(vc.last_verified_at) FROM credentials vc WHERE vc.practitioner_id = p.id AND vc.status = 'verified'
                 AND vc.last_verified_at IS NOT NULL AND (vc.valid_from IS NULL OR vc.valid_from <= \(bind: now))
                 AND (vc.valid_until IS NULL OR vc.valid_until >= \(bind: now)))
                """)], bools: ["a.is_clinical", "au.is_sample", "r.is_sample", "p.is_sample"],
            from: """
                articles a JOIN categories c ON c.id = a.category_id JOIN authors au ON au.id = a.author_id
                LEFT JOIN authors r ON r.id = a.reviewer_id LEFT JOIN practitioners p ON p.id = a.featured_practitioner_id
                WHERE a.slug = \(bind: slug)
                """),
            u.branch("procedure", texts: ["pr.slug", "pr.name"], ints: ["ROW_NUMBER() OVER (ORDER BY pr.name)"],
                     from: "article_procedures ap JOIN procedures pr ON pr.id = ap.procedure_id WHERE ap.article_id = \(own)"),
            u.branch("related", texts: ["related.slug", "related.title", "related.summary", "related.category_slug", "related.category_name",
                                        "related.author_name"],
                     ints: ["related.pos", "related.reading_minutes"], dates: ["related.published_at", "related.reviewed_at"],
                     from: """
                        (SELECT ROW_NUMBER() OVER (ORDER BY CASE WHEN a.category_id = \(ownCategory) THEN 0 ELSE 1 END, a.published_at DESC) AS pos,
                           a.slug AS slug, a.title AS title, a.summary AS summary, c.slug AS category_slug, c.name AS category_name,
                           au.name AS author_name, a.published_at AS published_at, a.reviewed_at AS reviewed_at, a.reading_minutes AS reading_minutes
                         FROM articles a JOIN categories c ON c.id = a.category_id JOIN authors au ON au.id = a.author_id WHERE a.id <> \(own)
                         ORDER BY CASE WHEN a.category_id = \(ownCategory) THEN 0 ELSE 1 END, a.published_at DESC LIMIT 3) related
                        """),
        ])
        var article: KindedRow?
        var procedures: [(pos: Int64, slug: String, name: String)] = []
        var relatedRows: [(pos: Int64, card: ArticleCard)] = []
        for row in try await PreparedReads.rows(query, on: db).map { KindedRow($0, u) } {
            switch try row.kind() {
            case "article": article = row
            case "procedure": procedures.append((try row.int(1) ?? 0, try row.text(1) ?? "", try row.text(2) ?? ""))
            case "related":
                relatedRows.append((try row.int(1) ?? 0, ArticleCard(
                    slug: try row.text(1) ?? "", title: try row.text(2) ?? "", summary: try row.text(3) ?? "", categorySlug: try row.text(4) ?? "",
                    categoryName: try row.text(5) ?? "", authorName: try row.text(6) ?? "", publishedAt: try row.date(1) ?? .distantPast,
                    reviewedAt: try row.date(2), readingMinutes: Int(try row.int(2) ?? 0))))
            default: break
            }
        }
        guard let r = article else { return nil }
        struct Row {
            let slug: String; let title: String; let summary: String; let body_html: String; let is_clinical: Bool
            let reading_minutes: Int; let published_at: Date; let reviewed_at: Date?; let updated_at: Date?
            let category_slug: String; let category_name: String
            let author_slug: String; let author_name: String; let author_title: String; let author_sample: Bool
            let reviewer_slug: String?; let reviewer_name: String?; let reviewer_title: String?; let reviewer_sample: Bool?
            let p_slug: String?; let p_name: String?; let p_specialty: String?; let p_city: String?; let p_country: String?; let p_bio: String?
            let p_sample: Bool?; let p_verified_on: Date?
            let social_title: String?; let social_description: String?; let social_image: String?
        }
        let a = Row(slug: try r.text(1) ?? "", title: try r.text(2) ?? "", summary: try r.text(3) ?? "", body_html: try r.text(4) ?? "",
                    is_clinical: try r.bool(1) ?? false, reading_minutes: Int(try r.int(2) ?? 0), published_at: try r.date(1) ?? .distantPast,
                    reviewed_at: try r.date(2), updated_at: try r.date(3), category_slug: try r.text(5) ?? "", category_name: try r.text(6) ?? "",
                    author_slug: try r.text(7) ?? "", author_name: try r.text(8) ?? "", author_title: try r.text(9) ?? "",
                    author_sample: try r.bool(2) ?? false, reviewer_slug: try r.text(10), reviewer_name: try r.text(11),
                    reviewer_title: try r.text(12), reviewer_sample: try r.bool(3), p_slug: try r.text(13), p_name: try r.text(14),
                    p_specialty: try r.text(15), p_city: try r.text(16), p_country: try r.text(17), p_bio: try r.text(18),
                    p_sample: try r.bool(4), p_verified_on: try r.date(4), social_title: try r.text(19),
                    social_description: try r.text(20), social_image: try r.text(21))
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
