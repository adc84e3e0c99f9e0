import Foundation
import Fluent
import SQLKit
import Domain

/// Writes the search columns, filter terms and full-text rows of practitioners from their records.
enum ProviderIndexer {
    struct Facts {
        var id: Int
        var names: [String]
        var languages: [String]
        var procedures: [(slug: String, name: String)]
        var places: [(city: String, citySlug: String, country: String, organization: String)]
        var credentials: [CredentialCheck]
        var techniques: [String]
        var hasPrices: Bool
        var hasBio: Bool
        var hasSince: Bool
    }

    /// The full-text token of a filter term (`city:sao-paulo` → `citysaopaulo`); migration 003 computes the same in SQL.
    static func filterToken(_ term: String) -> String {
        term.replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "").lowercased()
    }

    struct Row {
        var id: Int
        var searchText: String
        var filterText: String { terms.map(ProviderIndexer.filterToken).joined(separator: " ") }
        var score: Int
        var primaryCountry: String?
        var primaryCity: String?
        var terms: [String]
    }

    /// The index row of one practitioner. `t` names countries in the search document, so "Belgium" finds Ghent.
    static func row(_ f: Facts, t: Localizer, now: Date) -> Row {
        var parts = f.names + f.techniques + f.procedures.map(\.name)
        for place in f.places {
            parts += [place.city, t.country(place.country), place.organization]
        }
        parts += f.languages.map { t.language($0) }
        var terms = Set<String>()
        for place in f.places {
            terms.insert("country:\(place.country)")
            terms.insert("city:\(place.citySlug)")
        }
        for l in f.languages { terms.insert("lang:\(l)") }
        for p in f.procedures { terms.insert("proc:\(p.slug)") }
        // Completeness only: the same for every provider that gives the same facts, and nothing can buy it.
        var score = 0
        score += min(f.credentials.filter { $0.isVerified(at: now) }.count, 3) * 15
        score += f.languages.isEmpty ? 0 : 10
        score += f.techniques.isEmpty ? 0 : 5
        score += f.hasPrices ? 10 : 0
        score += f.hasBio ? 5 : 0
        score += f.hasSince ? 5 : 0
        score += min(f.procedures.count, 4) * 5
        return Row(id: f.id, searchText: SearchText.document(parts), score: score,
                   primaryCountry: f.places.first?.country, primaryCity: f.places.first?.city, terms: terms.sorted())
    }

    /// Re-indexes the given practitioners (all when `ids` is nil) from their stored records.
    static func reindex(_ ids: [Int]? = nil, on db: any Database, t: Localizer, now: Date) async throws {
        var query = Practitioner.query(on: db)
        if let ids { query = query.filter(\.$id ~~ ids) }
        let practitioners = try await query.all()
        let pids = practitioners.compactMap(\.id)
        guard !pids.isEmpty else { return }
        let languages = try await PractitionerLanguage.query(on: db).filter(\.$practitioner.$id ~~ pids).all()
        let roles = try await PractitionerRole.query(on: db).filter(\.$practitioner.$id ~~ pids).with(\.$location).with(\.$organization).all()
        let offers = try await Offer.query(on: db).filter(\.$practitioner.$id ~~ pids).with(\.$procedure).all()
        let credentials = try await Credential.query(on: db).filter(\.$practitioner.$id ~~ pids).all()

        var rows: [Row] = []
        for p in practitioners {
            let id = p.id!
            let myOffers = offers.filter { $0.$practitioner.id == id }
            var procs: [(String, String)] = []
            for o in myOffers where !procs.contains(where: { $0.0 == o.procedure.slug }) { procs.append((o.procedure.slug, o.procedure.name)) }
            let facts = Facts(
                id: id,
                names: [p.displayName, p.specialty],
                languages: languages.filter { $0.$practitioner.id == id }.map(\.languageCode).sorted(),
                procedures: procs,
                places: roles.filter { $0.$practitioner.id == id }.map { ($0.location.city, $0.location.citySlug, $0.location.countryCode, $0.organization.name) },
                credentials: credentials.filter { $0.$practitioner.id == id }.map {
                    CredentialCheck(status: VerificationStatus(rawValue: $0.status) ?? .unverified, validFrom: $0.validFrom, validUntil: $0.validUntil, lastVerified: $0.lastVerifiedAt)
                },
                techniques: p.signatureTechniques.split(separator: "\n").map(String.init),
                hasPrices: myOffers.contains { $0.priceMinMinor != nil },
                hasBio: !p.bio.isEmpty,
                hasSince: p.practicingSince != nil
            )
            rows.append(row(facts, t: t, now: now))
        }
        try await write(rows, on: db)
    }

    /// Marks the search index as changed, for every app node's filter index.
    static func bumpGeneration(_ sql: any SQLDatabase) async throws {
        ProviderFilterIndex.noteLocalWrite()
        try await sql.raw("UPDATE search_index_state SET generation = generation + 1 WHERE id = 1").run()
    }

    /// Stores index rows: practitioner columns (with the card's, `ProviderCardColumns`), terms and (SQLite) FTS rows.
    static func write(_ rows: [Row], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await bumpGeneration(sql)
        let isSQLite = sql.dialect.name == "sqlite"
        for chunk in stride(from: 0, to: rows.count, by: 500).map({ Array(rows[$0..<min($0 + 500, rows.count)]) }) {
            let ids = chunk.map(\.id)
            for r in chunk {
                try await sql.update("practitioners")
                    .set("search_text", to: r.searchText)
                    .set("filter_text", to: r.filterText)
                    .set("profile_score", to: r.score)
                    .set("primary_country", to: r.primaryCountry)
                    .set("primary_city", to: r.primaryCity)
                    .where("id", .equal, r.id)
                    .run()
            }
            try await ProviderCardColumns.refresh(sql, where: "id IN (\(binds: ids))")
            try await sql.delete(from: "practitioner_terms").where("practitioner_id", .in, ids).run()
            let termRows = chunk.flatMap { r in r.terms.map { [SQLBind(r.id), SQLBind($0)] as [any SQLExpression] } }
            if !termRows.isEmpty {
                let insert = sql.insert(into: "practitioner_terms").columns("practitioner_id", "term")
                for values in termRows { insert.values(values) }
                try await insert.run()
            }
            if isSQLite {
                try await sql.delete(from: "practitioner_fts").where(SQLColumn("rowid"), .in, SQLBind.group(ids)).run()
                for r in chunk {
                    try await sql.raw("INSERT INTO practitioner_fts(rowid, search_text, filter_text) VALUES (\(bind: r.id), \(bind: r.searchText), \(bind: r.filterText))").run()
                }
            }
        }
    }
}
