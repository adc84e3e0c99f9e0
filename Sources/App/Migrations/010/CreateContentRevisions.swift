import Fluent
import SQLKit

/// Every save of a page is a revision (its fields as JSON), kept so any two can be compared and one restored; the
/// reviewers' comments belong to the revision they were made on.
struct CreateContentRevisions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("content_revisions")
            .field("id", .int, .identifier(auto: true))
            .field("item_id", .int, .required, .references("editorial_items", "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("fields", .string, .required)
            .field("substantive", .bool, .required)
            .field("saved_by", .int, .references("users", "id", onDelete: .setNull))
            .field("saved_at", .datetime, .required)
            .unique(on: "item_id", "number")
            .create()
        try await database.schema("editorial_comments")
            .field("id", .int, .identifier(auto: true))
            .field("item_id", .int, .required, .references("editorial_items", "id", onDelete: .cascade))
            .field("revision", .int, .required)
            .field("action", .string, .required)
            .field("text", .string, .required)
            .field("by_user", .int, .references("users", "id", onDelete: .setNull))
            .field("at", .datetime, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "editorial_comments_item").on("editorial_comments").column("item_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("editorial_comments").delete()
        try await database.schema("content_revisions").delete()
    }
}
