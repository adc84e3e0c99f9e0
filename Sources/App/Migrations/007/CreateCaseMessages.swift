import Fluent
import SQLKit

/// The conversation of a case: messages sealed with the patient's data key, attachments sealed the same way,
/// and how far each participant has read.
struct CreateCaseMessages: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("case_messages")
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("author_user_id", .int, .references("users", "id", onDelete: .setNull))
            .field("side", .string, .required)
            .field("body", .data, .required)
            .field("attachment_count", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("message_attachments")
            .field("id", .string, .identifier(auto: false))
            .field("message_id", .int, .required, .references("case_messages", "id", onDelete: .cascade))
            .field("case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("media_type", .string, .required)
            .field("byte_count", .int, .required)
            .field("name", .data, .required)
            .field("ciphertext", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("conversation_reads")
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("side", .string, .required)
            .field("last_read_id", .int, .required)
            .field("read_at", .datetime, .required)
            .unique(on: "case_id", "user_id")
            .create()
        let sql = database as! any SQLDatabase
        // The latest page of a conversation is an index range scan, however long the conversation is.
        try await sql.create(index: "case_messages_case").on("case_messages").column("case_id").column("id").run()
        try await sql.create(index: "case_messages_side").on("case_messages").column("case_id").column("side").column("id").run()
        try await sql.create(index: "message_attachments_message").on("message_attachments").column("message_id").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["conversation_reads", "message_attachments", "case_messages"] { try await database.schema(table).delete() }
    }
}
