import Fluent
import SQLKit

/// Puts each practitioner's filter terms into the full-text index, in a column (FTS5) or weight (PostgreSQL)
/// that query words never match, so that text and filters are intersected inside the index before anything
/// is ranked. Ranking still counts the text alone (the filter column has weight 0).
struct UpdatePractitionerSearchFilters: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "sqlite" {
            // Reading the table's columns also refreshes a pooled connection's view of the schema.
            let columns = try await sql.raw("SELECT name FROM pragma_table_info('practitioners')").all().map { try $0.decode(column: "name", as: String.self) }
            if !columns.contains("filter_text") {
                try await sql.raw("ALTER TABLE practitioners ADD COLUMN filter_text TEXT NOT NULL DEFAULT ''").run()
            }
        } else {
            try await sql.raw("ALTER TABLE practitioners ADD COLUMN IF NOT EXISTS filter_text TEXT NOT NULL DEFAULT ''").run()
        }
        // The same token as `ProviderIndexer.filterToken`: the term without ':' and '-', lower-cased.
        if sql.dialect.name == "sqlite" {
            try await sql.raw("UPDATE practitioners SET filter_text = COALESCE((SELECT group_concat(lower(replace(replace(t.term, ':', ''), '-', '')), ' ') FROM practitioner_terms t WHERE t.practitioner_id = practitioners.id), '')").run()
            try await sql.raw("DROP TABLE practitioner_fts").run()
            try await sql.raw("CREATE VIRTUAL TABLE practitioner_fts USING fts5(search_text, filter_text, tokenize = 'unicode61 remove_diacritics 0')").run()
            try await sql.raw("INSERT INTO practitioner_fts(practitioner_fts, rank) VALUES ('rank', 'bm25(1.0, 0.0)')").run()
            try await sql.raw("INSERT INTO practitioner_fts(rowid, search_text, filter_text) SELECT id, search_text, filter_text FROM practitioners").run()
        } else {
            try await sql.raw("UPDATE practitioners SET filter_text = COALESCE((SELECT string_agg(lower(replace(replace(t.term, ':', ''), '-', '')), ' ') FROM practitioner_terms t WHERE t.practitioner_id = practitioners.id), '')").run()
            try await sql.raw("DROP INDEX IF EXISTS practitioners_search_idx").run()
            try await sql.raw("ALTER TABLE practitioners DROP COLUMN search_tsv").run()
            try await sql.raw("ALTER TABLE practitioners ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', search_text), 'A') || setweight(to_tsvector('simple', filter_text), 'D')) STORED").run()
            try await sql.raw("CREATE INDEX practitioners_search_idx ON practitioners USING GIN (search_tsv)").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "sqlite" {
            try await sql.raw("DROP TABLE practitioner_fts").run()
            try await sql.raw("CREATE VIRTUAL TABLE practitioner_fts USING fts5(search_text, tokenize = 'unicode61 remove_diacritics 0')").run()
            try await sql.raw("INSERT INTO practitioner_fts(rowid, search_text) SELECT id, search_text FROM practitioners").run()
            try await sql.raw("ALTER TABLE practitioners DROP COLUMN filter_text").run()
        } else {
            try await sql.raw("DROP INDEX IF EXISTS practitioners_search_idx").run()
            try await sql.raw("ALTER TABLE practitioners DROP COLUMN search_tsv").run()
            try await sql.raw("ALTER TABLE practitioners DROP COLUMN filter_text").run()
            try await sql.raw("ALTER TABLE practitioners ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED").run()
            try await sql.raw("CREATE INDEX practitioners_search_idx ON practitioners USING GIN (search_tsv)").run()
        }
    }
}
