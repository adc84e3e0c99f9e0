import Foundation
import Fluent
import SQLKit

/// A guide's sections as HTML sanitised once (when the guide is published or seeded), and the plain text of the
/// two sections JSON-LD quotes: a guide page never parses Markdown per request.
enum GuideHTML {
    static let sections = ["what_it_is", "suits", "not_suits", "preparation", "how_performed", "recovery", "risks", "alternatives"]

    /// JSON `{section: html, …, "preparation_text": …, "how_performed_text": …}` from the Markdown of each section.
    static func render(_ markdown: [String: String]) -> String {
        var out: [String: String] = [:]
        for key in sections { out[key] = HTMLSanitizer.render(markdown: markdown[key] ?? "").string }
        for key in ["preparation", "how_performed"] {
            out[key + "_text"] = HTMLSanitizer.plainText(markdown: markdown[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(out)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode(_ json: String?) -> [String: String]? {
        guard let json, let data = json.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode([String: String].self, from: data)
    }

    static func markdown(of p: Procedure) -> [String: String] {
        ["what_it_is": p.whatItIs, "suits": p.suits, "not_suits": p.notSuits, "preparation": p.preparation, "how_performed": p.howPerformed,
         "recovery": p.recovery, "risks": p.risks, "alternatives": p.alternatives]
    }

    /// Writes the stored HTML of every guide that has none yet (guides seeded or published before it existed).
    static func backfill(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        // Reading the table's columns refreshes a pooled SQLite connection's view of the schema (see migration 003).
        if sql.dialect.name == "sqlite" { _ = try await sql.raw("SELECT name FROM pragma_table_info('procedures')").all() }
        struct Row: Decodable {
            let id: Int; let what_it_is: String; let suits: String; let not_suits: String; let preparation: String; let how_performed: String
            let recovery: String; let risks: String; let alternatives: String
        }
        let rows = try await sql.select().columns("id", "what_it_is", "suits", "not_suits", "preparation", "how_performed", "recovery", "risks", "alternatives")
            .from("procedures").where("sections_html", .is, SQLLiteral.null).all(decoding: Row.self)
        for r in rows {
            let html = render(["what_it_is": r.what_it_is, "suits": r.suits, "not_suits": r.not_suits, "preparation": r.preparation,
                               "how_performed": r.how_performed, "recovery": r.recovery, "risks": r.risks, "alternatives": r.alternatives])
            try await sql.update("procedures").set("sections_html", to: SQLBind(html)).where("id", .equal, SQLBind(r.id)).run()
        }
    }
}
