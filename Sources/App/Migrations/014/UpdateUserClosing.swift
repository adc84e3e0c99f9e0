import Fluent

/// An account an administrator closed: it cannot sign in, and its sessions and API tokens ended when it was closed.
struct UpdateUserClosing: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users").field("closed_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").deleteField("closed_at").update()
    }
}
