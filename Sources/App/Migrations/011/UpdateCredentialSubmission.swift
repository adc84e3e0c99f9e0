import Fluent

/// Who submitted a credential and when, and a version that every change of its status moves by one: a check or a
/// new piece of evidence is one conditional update on the version it was based on (two administrators recording a
/// check of the same submission at once: one wins, the other is told).
struct UpdateCredentialSubmission: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("credentials").field("submitted_at", .datetime).update()
        try await database.schema("credentials").field("submitted_by", .int).update()
        try await database.schema("credentials").field("version", .int, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["submitted_at", "submitted_by", "version"] {
            try await database.schema("credentials").deleteField(FieldKey(stringLiteral: field)).update()
        }
    }
}
