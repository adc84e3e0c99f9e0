import Fluent

/// The social card of an article and of a guide (title, description, a library image), and a guide's sections as
/// the HTML sanitised once when it was published (JSON by section), so pages never parse Markdown per request.
struct UpdateSocialCardsAndGuideHTML: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for table in ["articles", "procedures"] {
            try await database.schema(table).field("social_title", .string).update()
            try await database.schema(table).field("social_description", .string).update()
            try await database.schema(table).field("social_image", .string).update()
        }
        try await database.schema("procedures").field("sections_html", .string).update()
        try await GuideHTML.backfill(on: database)
    }

    func revert(on database: any Database) async throws {
        for table in ["articles", "procedures"] {
            for field in ["social_title", "social_description", "social_image"] {
                try await database.schema(table).deleteField(FieldKey(stringLiteral: field)).update()
            }
        }
        try await database.schema("procedures").deleteField("sections_html").update()
    }
}
