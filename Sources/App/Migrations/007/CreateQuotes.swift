import Fluent
import SQLKit

/// Quotes and their versions. A version's content (lines, rules, policy) is sealed with the patient's data key;
/// its currency, total and validity are plain so that lists and comparisons read no sealed data.
struct CreateQuotes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("quotes")
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("latest_version", .int, .required)
            .field("accepted_version", .int)
            .field("created_by", .int, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("decided_at", .datetime)
            .field("decision_note", .data)
            .create()
        try await database.schema("quote_versions")
            .field("id", .int, .identifier(auto: true))
            .field("quote_id", .int, .required, .references("quotes", "id", onDelete: .cascade))
            .field("case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("version", .int, .required)
            .field("currency", .string, .required)
            .field("total", .string, .required)
            .field("binding", .bool, .required)
            .field("valid_until", .string, .required)
            .field("body", .data, .required)
            .field("created_by", .int, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "quote_id", "version")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "quotes_case").on("quotes").column("case_id").column("id").run()
        try await sql.create(index: "quote_versions_case").on("quote_versions").column("case_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("quote_versions").delete()
        try await database.schema("quotes").delete()
    }
}
