import Fluent
import SQLKit

/// Full-text indexes: FTS5 tables on SQLite, generated tsvector columns with GIN indexes on PostgreSQL.
/// Both index the same pre-folded `search_text` (see `SearchText`), so both match the same words.
struct CreateSearchIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        switch sql.dialect.name {
        case "sqlite":
            try await sql.raw("CREATE VIRTUAL TABLE practitioner_fts USING fts5(search_text, tokenize = 'unicode61 remove_diacritics 0')").run()
            try await sql.raw("CREATE VIRTUAL TABLE article_fts USING fts5(search_text, tokenize = 'unicode61 remove_diacritics 0')").run()
        default:
            try await sql.raw("ALTER TABLE practitioners ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED").run()
            try await sql.raw("CREATE INDEX practitioners_search_idx ON practitioners USING GIN (search_tsv)").run()
            try await sql.raw("ALTER TABLE articles ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED").run()
            try await sql.raw("CREATE INDEX articles_search_idx ON articles USING GIN (search_tsv)").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        switch sql.dialect.name {
        case "sqlite":
            try await sql.raw("DROP TABLE IF EXISTS practitioner_fts").run()
            try await sql.raw("DROP TABLE IF EXISTS article_fts").run()
        default:
            try await sql.raw("DROP INDEX IF EXISTS practitioners_search_idx").run()
            try await sql.raw("ALTER TABLE practitioners DROP COLUMN IF EXISTS search_tsv").run()
            try await sql.raw("DROP INDEX IF EXISTS articles_search_idx").run()
            try await sql.raw("ALTER TABLE articles DROP COLUMN IF EXISTS search_tsv").run()
        }
    }
}

enum Migrations {
    /// Every migration, in order. Append only.
    static let all: [any Migration] = [
        CreateContent(),
        CreateDirectory(),
        CreateSearchIndexes(),
        CreateSearchIndexState(),
        UpdatePractitionerSearchFilters(),
        CreateAccounts(),
        CreateSafeguards(),
        CreateCases(),
    ]
}
