import Fluent

/// The development mailbox keeps the file a message carried, to be read at `/dev/mailbox`.
struct UpdateMailboxAttachment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("mailbox_messages").field("attachment_name", .string).update()
        try await database.schema("mailbox_messages").field("attachment", .string).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["attachment_name", "attachment"] {
            try await database.schema("mailbox_messages").deleteField(FieldKey(stringLiteral: field)).update()
        }
    }
}
