import Foundation
import SQLKit

/// What a practitioner's result card lists besides its own columns — its languages and its offers (procedure slug,
/// name and starting price in euro cents) — kept on the practitioner's row by whoever changes them: the indexer
/// (every save of a listing re-indexes it), publishing a guide (its name and slug), the demo and synthetic seeders.
///
/// Why stored: a guide's six cards read through two correlated subqueries each were about a third of the database's
/// work for an uncached guide (`pgbench -M prepared` on the guide's statement: 19,000 executions a second with the
/// subqueries, 26,000 with the stored columns). One SQL statement writes them, so there is one definition of the
/// format; `ProviderSearch.fill` reads it.
enum ProviderCardColumns {
    /// Between languages, and between offers. A control character, which form input refuses, so no code or name holds it.
    static let listSeparator: UInt8 = 0x1F
    /// Between an offer's procedure slug, procedure name and starting price (empty when it has none).
    static let fieldSeparator: UInt8 = 0x1D

    /// Writes the card columns of the practitioners that `condition` (SQL over `practitioners`) selects, from their
    /// languages and offers as they are now.
    static func refresh(_ sql: any SQLDatabase, where condition: SQLQueryString) async throws {
        let list = String(UnicodeScalar(listSeparator)), field = String(UnicodeScalar(fieldSeparator))
        try await sql.raw("""
            UPDATE practitioners SET
              card_languages = (SELECT string_agg(l.language_code, \(bind: list)) FROM practitioner_languages l WHERE l.practitioner_id = practitioners.id),
              card_offers = (SELECT string_agg(pr.slug || \(bind: field) || pr.name || \(bind: field) || COALESCE(CAST(o.price_min_eur_minor AS TEXT), ''), \(bind: list))
                             FROM offers o JOIN procedures pr ON pr.id = o.procedure_id WHERE o.practitioner_id = practitioners.id)
            WHERE \(condition)
            """).run()
    }

    /// `refresh` for the practitioners offering procedure `id` (after its name or slug changed).
    static func refresh(_ sql: any SQLDatabase, offering procedure: Int) async throws {
        try await refresh(sql, where: "id IN (SELECT o.practitioner_id FROM offers o WHERE o.procedure_id = \(bind: procedure))")
    }
}
