import Fluent

/// Outgoing messages keep their body sealed (`body_sealed`); `body` is left empty for new rows.
struct UpdateOutboxSealedBody: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages").field("body_sealed", .data).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("body_sealed").update()
    }
}
