import Fluent
import SQLKit

/// The media library: stored bytes behind the blob store's interface (`blobs` is the database store), images
/// with their required alt text, their scaled variants, and the photos a practice shows on its profile.
struct CreateMedia: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("blobs")
            .field("key", .string, .identifier(auto: false))
            .field("content_type", .string, .required)
            .field("data", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("media_assets")
            .field("id", .string, .identifier(auto: false))
            .field("alt_text", .string, .required)
            .field("caption", .string)
            .field("credit", .string)
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("uploaded_by", .int, .references("users", "id", onDelete: .setNull))
            .field("uploaded_at", .datetime, .required)
            .field("provider_key", .string)
            .create()
        try await database.schema("media_variants")
            .field("id", .int, .identifier(auto: true))
            .field("asset_id", .string, .required, .references("media_assets", "id", onDelete: .cascade))
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("blob_key", .string, .required)
            .field("byte_count", .int, .required)
            .unique(on: "asset_id", "width")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "media_assets_provider_idx").on("media_assets").column("provider_key").run()
        try await sql.create(index: "media_assets_uploaded_idx").on("media_assets").column("uploaded_at").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["media_variants", "media_assets", "blobs"] { try await database.schema(table).delete() }
    }
}
