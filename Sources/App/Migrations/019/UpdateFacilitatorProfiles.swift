import Fluent
import SQLKit

/// What a facilitator organisation shows the public: a summary and a longer text, its website, the year it began,
/// whether it takes new cases, an administrator's suspension with its reason, and a version that every profile
/// save moves by one. The countries its patients come from, the countries it arranges treatment in and the
/// languages it works in are rows of `facilitator_facets` (one indexed row per value, so the directory filters on
/// them). A credential can now belong to a facilitator organisation, and is checked like a provider's.
struct UpdateFacilitatorProfiles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("facilitators").field("summary", .string, .required, .sql(.default(""))).update()
        try await database.schema("facilitators").field("about", .string, .required, .sql(.default(""))).update()
        try await database.schema("facilitators").field("website", .string).update()
        try await database.schema("facilitators").field("founded_year", .int).update()
        try await database.schema("facilitators").field("accepting_cases", .bool, .required, .sql(.default(true))).update()
        try await database.schema("facilitators").field("suspended_at", .datetime).update()
        try await database.schema("facilitators").field("suspended_reason", .string).update()
        try await database.schema("facilitators").field("profile_version", .int, .required, .sql(.default(0))).update()
        try await database.schema("facilitators").field("updated_at", .datetime).update()
        try await database.schema("credentials").field("facilitator_id", .int).update()

        try await database.schema("facilitator_facets")
            .field("id", .int, .identifier(auto: true))
            .field("facilitator_id", .int, .required, .references("facilitators", "id", onDelete: .cascade))
            .field("facet", .string, .required)
            .field("code", .string, .required)
            .field("position", .int, .required)
            .unique(on: "facilitator_id", "facet", "code")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "facilitator_facets_value_idx").on("facilitator_facets").column("facet").column("code").run()
        try await sql.create(index: "credentials_facilitator_idx").on("credentials").column("facilitator_id").run()
        try await sql.create(index: "facilitators_name_idx").on("facilitators").column("name").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("facilitator_facets").delete()
        try await (database as! any SQLDatabase).drop(index: "credentials_facilitator_idx").run()
        try await database.schema("credentials").deleteField("facilitator_id").update()
        for field in ["summary", "about", "website", "founded_year", "accepting_cases", "suspended_at", "suspended_reason", "profile_version",
                      "updated_at"] {
            try await database.schema("facilitators").deleteField(FieldKey(stringLiteral: field)).update()
        }
        try await (database as! any SQLDatabase).drop(index: "facilitators_name_idx").run()
    }
}
