import Fluent
import SQLKit

/// One row whose generation changes whenever published content changes (an article, a guide, a provider's
/// profile), so that every app node drops its rendered pages within a fraction of a second.
struct CreateContentState: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("content_state")
            .field("id", .int, .identifier(auto: false))
            .field("generation", .int64, .required)
            .create()
        try await (database as! any SQLDatabase).insert(into: "content_state").columns("id", "generation").values(SQLBind(1), SQLBind(Int64(1))).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("content_state").delete()
    }
}
