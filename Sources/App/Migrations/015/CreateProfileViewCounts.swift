import Fluent
import SQLKit

/// Profile views by listing and week (Monday, UTC), added to by each node's counter in batches.
struct CreateProfileViewCounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("profile_view_counts")
            .field("provider_key", .string, .required)
            .field("week", .string, .required)
            .field("views", .int64, .required)
            .unique(on: "provider_key", "week")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("profile_view_counts").delete()
    }
}
