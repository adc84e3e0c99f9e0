import Fluent

/// Random keys for platform-wide purposes (the audit chain's MAC, sealing outgoing messages), each stored wrapped
/// by a master key so that `keys rotate` re-wraps them instead of re-sealing everything they protect.
struct CreatePlatformKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("platform_keys")
            .field("purpose", .string, .identifier(auto: false))
            .field("master_key_id", .string, .required)
            .field("wrapped_key", .data, .required)
            .field("created_at", .datetime, .required)
            .field("rotated_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("platform_keys").delete()
    }
}
