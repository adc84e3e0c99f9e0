import Fluent
import SQLKit

/// A page in the editorial workspace (an article or a procedure guide) and where its work stands: the revision being
/// written, the one a medical reviewer approved, the one readers see, and when its next review is due.
struct CreateEditorialItems: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("editorial_items")
            .field("id", .int, .identifier(auto: true))
            .field("kind", .string, .required)
            .field("target_id", .int)
            .field("status", .string, .required)
            .field("current_revision", .int, .required)
            .field("approved_revision", .int)
            .field("live_revision", .int)
            .field("scheduled_at", .datetime)
            .field("reviewed_by", .int, .references("authors", "id", onDelete: .setNull))
            .field("reviewed_at", .datetime)
            .field("review_due_at", .datetime)
            .field("created_by", .int, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "kind", "target_id")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "editorial_items_status").on("editorial_items").column("status").column("updated_at").run()
        try await sql.create(index: "editorial_items_review_due").on("editorial_items").column("review_due_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("editorial_items").delete()
    }
}
