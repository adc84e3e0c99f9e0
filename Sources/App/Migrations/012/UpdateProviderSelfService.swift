import Fluent

/// What a practice or clinic edits itself: a version that every profile save moves by one (a save is one
/// conditional update on the version the editor saw), when facts a patient relies on last changed and which
/// (procedures, prices, locations), and an administrator's suspension of the listing with its reason; each
/// location's weekly opening hours.
struct UpdateProviderSelfService: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for table in ["practitioners", "organizations"] {
            try await database.schema(table).field("profile_version", .int, .required, .sql(.default(0))).update()
            try await database.schema(table).field("facts_updated_at", .datetime).update()
            try await database.schema(table).field("facts_changed", .string).update()
            try await database.schema(table).field("suspended_at", .datetime).update()
            try await database.schema(table).field("suspended_reason", .string).update()
        }
        try await database.schema("locations").field("opening_hours", .string).update()
    }

    func revert(on database: any Database) async throws {
        for table in ["practitioners", "organizations"] {
            for field in ["profile_version", "facts_updated_at", "facts_changed", "suspended_at", "suspended_reason"] {
                try await database.schema(table).deleteField(FieldKey(stringLiteral: field)).update()
            }
        }
        try await database.schema("locations").deleteField("opening_hours").update()
    }
}
