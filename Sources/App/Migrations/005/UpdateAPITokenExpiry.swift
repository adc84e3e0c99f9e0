import Fluent

/// Personal API tokens expire (`expires_at`); tokens made before this have none and count from their creation.
struct UpdateAPITokenExpiry: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("api_tokens").field("expires_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("api_tokens").deleteField("expires_at").update()
    }
}
