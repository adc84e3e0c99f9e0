import Fluent

/// An outgoing message may carry one file (a calendar invitation): its name and media type in plain, its content
/// sealed under the outbox key like the body.
struct UpdateOutboxAttachment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("outbox_messages").field("attachment_name", .string).update()
        try await database.schema("outbox_messages").field("attachment_type", .string).update()
        try await database.schema("outbox_messages").field("attachment_sealed", .data).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["attachment_name", "attachment_type", "attachment_sealed"] {
            try await database.schema("outbox_messages").deleteField(FieldKey(stringLiteral: field)).update()
        }
    }
}
