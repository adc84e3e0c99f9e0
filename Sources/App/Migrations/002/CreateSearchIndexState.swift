import Fluent
import SQLKit

/// One row whose generation changes whenever the provider search index is written, so that every app node
/// knows when its in-process filter index is out of date.
struct CreateSearchIndexState: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("search_index_state")
            .field("id", .int, .identifier(auto: false))
            .field("generation", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.insert(into: "search_index_state").columns("id", "generation").values(SQLBind(1), SQLBind(Int64(1))).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("search_index_state").delete()
    }
}
