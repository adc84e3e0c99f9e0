import Fluent

/// The audit chain's signed head, kept apart from its rows: the last row's id and hash, the number of rows and the
/// id up to which rows carry the older unkeyed hashes. One row (id 1), changed by a conditional update on every
/// append.
struct CreateAuditHeads: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_heads")
            .field("id", .int, .identifier(auto: false))
            .field("last_id", .int64, .required)
            .field("row_count", .int64, .required)
            .field("last_hash", .string, .required)
            .field("legacy_until", .int64, .required)
            .field("updated_at", .datetime, .required)
            .field("signature", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_heads").delete()
    }
}
