import Fluent
import SQLKit

/// Categories, authors, procedures and their sample prices, articles.
struct CreateContent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("categories")
            .field("id", .int, .identifier(auto: true))
            .field("slug", .string, .required).unique(on: "slug")
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("position", .int, .required)
            .create()

        try await database.schema("authors")
            .field("id", .int, .identifier(auto: true))
            .field("slug", .string, .required).unique(on: "slug")
            .field("name", .string, .required)
            .field("title", .string, .required)
            .field("bio", .string, .required)
            .field("is_medical_reviewer", .bool, .required)
            .field("is_sample", .bool, .required)
            .create()

        try await database.schema("procedures")
            .field("id", .int, .identifier(auto: true))
            .field("slug", .string, .required).unique(on: "slug")
            .field("name", .string, .required)
            .field("category_id", .int, .required, .references("categories", "id"))
            .field("procedure_type", .string, .required)
            .field("body_location", .string, .required)
            .field("summary", .string, .required)
            .field("what_it_is", .string, .required)
            .field("suits", .string, .required)
            .field("not_suits", .string, .required)
            .field("preparation", .string, .required)
            .field("how_performed", .string, .required)
            .field("recovery", .string, .required)
            .field("results_onset", .string, .required)
            .field("results_duration", .string, .required)
            .field("risks", .string, .required)
            .field("alternatives", .string, .required)
            .field("followup", .string, .required)
            .field("duration_minutes", .int, .required)
            .field("stay_days", .int, .required)
            .field("reviewer_id", .int, .references("authors", "id"))
            .field("reviewed_at", .datetime)
            .field("updated_at", .datetime)
            .create()

        try await database.schema("procedure_prices")
            .field("id", .int, .identifier(auto: true))
            .field("procedure_id", .int, .required, .references("procedures", "id", onDelete: .cascade))
            .field("country_code", .string, .required)
            .field("price_min_minor", .int64, .required)
            .field("price_max_minor", .int64, .required)
            .field("currency", .string, .required)
            .field("is_sample", .bool, .required)
            .create()

        try await database.schema("articles")
            .field("id", .int, .identifier(auto: true))
            .field("slug", .string, .required).unique(on: "slug")
            .field("title", .string, .required)
            .field("summary", .string, .required)
            .field("body_markdown", .string, .required)
            .field("body_html", .string, .required)
            .field("category_id", .int, .required, .references("categories", "id"))
            .field("author_id", .int, .required, .references("authors", "id"))
            .field("reviewer_id", .int, .references("authors", "id"))
            .field("featured_practitioner_id", .int)
            .field("is_clinical", .bool, .required)
            .field("reading_minutes", .int, .required)
            .field("published_at", .datetime, .required)
            .field("reviewed_at", .datetime)
            .field("search_text", .string, .required)
            .field("updated_at", .datetime)
            .create()

        try await database.schema("article_procedures")
            .field("id", .int, .identifier(auto: true))
            .field("article_id", .int, .required, .references("articles", "id", onDelete: .cascade))
            .field("procedure_id", .int, .required, .references("procedures", "id", onDelete: .cascade))
            .unique(on: "article_id", "procedure_id")
            .create()

        let sql = database as! any SQLDatabase
        try await sql.create(index: "articles_published_idx").on("articles").column("published_at").run()
        try await sql.create(index: "articles_category_idx").on("articles").column("category_id").column("published_at").run()
        try await sql.create(index: "procedure_prices_procedure_idx").on("procedure_prices").column("procedure_id").run()
        try await sql.create(index: "article_procedures_procedure_idx").on("article_procedures").column("procedure_id").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["article_procedures", "articles", "procedure_prices", "procedures", "authors", "categories"] {
            try await database.schema(table).delete()
        }
    }
}
