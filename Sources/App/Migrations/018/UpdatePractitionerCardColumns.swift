import Fluent
import SQLKit

/// A practitioner's card details (languages, offers) stored on its row (`ProviderCardColumns`), written here for
/// every practitioner listed so far.
struct UpdatePractitionerCardColumns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("practitioners").field("card_languages", .string).update()
        try await database.schema("practitioners").field("card_offers", .string).update()
        let sql = database as! any SQLDatabase
        // Reading the table's columns refreshes a pooled SQLite connection's view of the schema (see migration 003).
        if sql.dialect.name == "sqlite" { _ = try await sql.raw("SELECT name FROM pragma_table_info('practitioners')").all() }
        try await ProviderCardColumns.refresh(sql, where: "1 = 1")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("practitioners").deleteField("card_languages").update()
        try await database.schema("practitioners").deleteField("card_offers").update()
    }
}
