import Foundation
import Fluent
import SQLKit
import Domain

/// One practitioner in a list of results.
struct ProviderCard: Sendable, Codable, Equatable {
    var id: Int
    var slug: String
    var name: String
    var specialty: String
    var city: String?
    var country: String?
    var verified: Bool
    var isSample: Bool
    var acceptingNewPatients: Bool?
    var languages: [String]
    var procedures: [String]
    /// Lowest quoted starting price, in the currency the search asked for (converted at reference rates).
    var priceFrom: Money?
    /// The same starting price in minor units (what the card shows, formatted without `Decimal`).
    var priceFromMinor: Int64? = nil
}

/// The results of a provider search, with facet counts.
struct ProviderSearchResult: Sendable {
    struct Facet: Sendable, Equatable { var value: String; var count: Int }
    var total: Int
    var verifiedCount: Int
    var items: [ProviderCard]
    var procedures: [Facet]
    var countries: [Facet]
    var cities: [Facet]
    var languages: [Facet]
}

/// Provider search over the index, with one SQL text per dialect for the full-text part and bound values only.
enum ProviderSearch {
    /// `facets: false` skips the facet counts (lists that show no filters, such as a guide's providers).
    /// With an `index`, searches without a price range are answered by `ProviderFilterIndex`; the SQL below is
    /// the reference it is tested against, and still answers price-range searches.
    static func run(_ q: ProviderSearchQuery, on db: any Database, now: Date, rates: ExchangeRates = .reference,
                    facets wantFacets: Bool = true, index: ProviderFilterIndex? = nil) async throws -> ProviderSearchResult {
        if let index, q.minPrice == nil, q.maxPrice == nil {
            return try await runIndexed(q, index: index, on: db, now: now, rates: rates, facets: wantFacets)
        }
        return try await runSQL(q, on: db, now: now, rates: rates, facets: wantFacets)
    }

    /// The filter terms a query asks for, as stored in `practitioner_terms`.
    static func filterTerms(_ q: ProviderSearchQuery) -> [String] {
        var keys: [String] = []
        if let v = q.procedure { keys.append("proc:\(v)") }
        if let v = q.country { keys.append("country:\(v)") }
        if let v = q.city { keys.append("city:\(v)") }
        if let v = q.language { keys.append("lang:\(v)") }
        return keys
    }

    static func runIndexed(_ q: ProviderSearchQuery, index: ProviderFilterIndex, on db: any Database, now: Date,
                           rates: ExchangeRates, facets wantFacets: Bool) async throws -> ProviderSearchResult {
        let page = try await rankIndexed(q, index: index, on: db, now: now, facets: wantFacets)
        let cards = try await cards(page.ids, verified: page.isVerified, procedure: q.procedure, currency: q.currency,
                                    on: db as! any SQLDatabase, rates: rates)
        return page.result(cards)
    }

    /// Who is on a page of results, in order, answered by the in-process index (its only database read is the
    /// generation check), with the totals and facets: everything but the cards themselves.
    struct IndexedPage: Sendable {
        var total: Int
        var verifiedCount: Int
        var ids: [Int]
        var verified: Bitset
        var facets: [String: [ProviderSearchResult.Facet]]

        func isVerified(_ id: Int) -> Bool { verified.contains(id) }

        func result(_ cards: [ProviderCard]) -> ProviderSearchResult {
            ProviderSearchResult(total: total, verifiedCount: verifiedCount, items: cards,
                                 procedures: facets["proc"] ?? [], countries: facets["country"] ?? [],
                                 cities: facets["city"] ?? [], languages: facets["lang"] ?? [])
        }
    }

    static func rankIndexed(_ q: ProviderSearchQuery, index: ProviderFilterIndex, on db: any Database, now: Date,
                            facets wantFacets: Bool) async throws -> IndexedPage {
        let snapshot: ProviderFilterSnapshot, verifiedBits: Bitset
        if let fresh = index.fresh(at: now) {
            (snapshot, verifiedBits) = fresh
        } else {
            snapshot = try await index.current(on: db)
            verifiedBits = await index.verified(snapshot, at: now)
        }
        var candidates = snapshot.all
        var relevance: [Double]?
        let terms = q.terms
        if !terms.isEmpty {
            let matches = try await index.matches(terms, filters: filterTerms(q).map(ProviderIndexer.filterToken), snapshot: snapshot, on: db)
            candidates = matches.bits
            candidates.formIntersection(snapshot.all)
            relevance = matches.relevance
        }
        let none = Bitset(capacity: snapshot.capacity)
        for key in filterTerms(q) { candidates.formIntersection(snapshot.terms[key] ?? none) }
        if q.verifiedOnly { candidates.formIntersection(verifiedBits) }
        let total = candidates.count
        let verifiedCount = candidates.intersectionCount(verifiedBits)

        var facets: [String: [ProviderSearchResult.Facet]] = [:]
        if total > 0 && wantFacets {
            for (term, bits) in snapshot.terms {
                let n = candidates.intersectionCount(bits)
                guard n > 0, let colon = term.firstIndex(of: ":") else { continue }
                facets[String(term[..<colon]), default: []].append(.init(value: String(term[term.index(after: colon)...]), count: n))
            }
            for key in facets.keys { facets[key]!.sort { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value } }
        }

        // Ranking order of /how-we-rank: verified now, relevance, completeness, then name.
        func before(_ a: Int, _ b: Int) -> Bool {
            let va = verifiedBits.contains(a), vb = verifiedBits.contains(b)
            if va != vb { return va }
            if let r = relevance, r[a] != r[b] { return r[a] > r[b] }
            if snapshot.score[a] != snapshot.score[b] { return snapshot.score[a] > snapshot.score[b] }
            return snapshot.nameRank[a] < snapshot.nameRank[b]
        }
        let wanted = q.paging.offset + q.paging.perPage
        var top: [Int] = []
        if relevance == nil && wanted <= 1_000 {
            // Without query words the order is verified first, then the snapshot's fixed order: walk that order and
            // stop once the page is full (all verified candidates come before any other).
            let verifiedWanted = min(wanted, verifiedCount)
            var verified: [Int] = [], others: [Int] = []
            for raw in snapshot.order {
                let id = Int(raw)
                guard candidates.contains(id) else { continue }
                if verifiedBits.contains(id) {
                    if verified.count < verifiedWanted { verified.append(id) }
                } else if others.count < wanted - verifiedWanted {
                    others.append(id)
                }
                if verified.count == verifiedWanted && others.count >= min(wanted - verifiedWanted, total - verifiedCount) { break }
            }
            top = Array((verified + others).prefix(wanted))
        } else if wanted <= 1_000 {
            // Keep only the best `wanted` while walking the candidates, instead of sorting all of them.
            top.reserveCapacity(wanted + 1)
            candidates.forEach { id in
                if top.count == wanted, let last = top.last, !before(id, last) { return }
                var lo = 0, hi = top.count
                while lo < hi { let mid = (lo + hi) / 2; if before(top[mid], id) { lo = mid + 1 } else { hi = mid } }
                top.insert(id, at: lo)
                if top.count > wanted { top.removeLast() }
            }
        } else {
            var all: [Int] = []
            all.reserveCapacity(total)
            candidates.forEach { all.append($0) }
            all.sort(by: before)
            top = Array(all.prefix(wanted))
        }
        return IndexedPage(total: total, verifiedCount: verifiedCount, ids: Array(top.dropFirst(q.paging.offset)), verified: verifiedBits,
                           facets: facets)
    }

    /// The reference implementation in SQL, one statement text per dialect for the full-text part.
    static func runSQL(_ q: ProviderSearchQuery, on db: any Database, now: Date, rates: ExchangeRates, facets wantFacets: Bool) async throws -> ProviderSearchResult {
        let sql = db as! any SQLDatabase
        let isSQLite = sql.dialect.name == "sqlite"
        let terms = q.terms
        let hasText = !terms.isEmpty

        // FROM … WHERE … shared by the count, facets and page queries.
        var from: SQLQueryString = "FROM practitioners p"
        var conditions: [SQLQueryString] = ["p.suspended_at IS NULL"]
        if hasText {
            if isSQLite {
                from += " JOIN practitioner_fts f ON f.rowid = p.id"
                conditions.append("practitioner_fts MATCH \(bind: SearchText.fts5Match(terms, filters: []))")
            } else {
                conditions.append("p.search_tsv @@ to_tsquery('simple', \(bind: SearchText.tsQuery(terms, filters: [])))")
            }
        }
        func term(_ value: String) -> SQLQueryString {
            "p.id IN (SELECT practitioner_id FROM practitioner_terms WHERE term = \(bind: value))"
        }
        if let v = q.procedure { conditions.append(term("proc:\(v)")) }
        if let v = q.country { conditions.append(term("country:\(v)")) }
        if let v = q.city { conditions.append(term("city:\(v)")) }
        if let v = q.language { conditions.append(term("lang:\(v)")) }
        if q.verifiedOnly { conditions.append(verifiedNow(now)) }
        if q.minPrice != nil || q.maxPrice != nil {
            var offer: [SQLQueryString] = ["o.price_min_eur_minor IS NOT NULL"]
            if let hi = q.maxPrice, let eur = rates.toEuro(Money(hi, q.currency)) {
                offer.append("o.price_min_eur_minor <= \(bind: MinorUnits.from(eur, .eur))")
            }
            if let lo = q.minPrice, let eur = rates.toEuro(Money(lo, q.currency)) {
                offer.append("COALESCE(o.price_max_eur_minor, o.price_min_eur_minor) >= \(bind: MinorUnits.from(eur, .eur))")
            }
            if let v = q.procedure {
                offer.append("o.procedure_id = (SELECT id FROM procedures WHERE slug = \(bind: v))")
            }
            conditions.append("p.id IN (SELECT o.practitioner_id FROM offers o WHERE \(offer.joined(separator: " AND ")))")
        }
        let whereClause: SQLQueryString = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let matching: SQLQueryString = from + whereClause

        // The page, in ranking order (see /how-we-rank), with the totals from window functions over the
        // same matching rows: one pass over the matches instead of two.
        let relevance: SQLQueryString
        if hasText {
            // FTS5's `rank` column is bm25(); the function itself cannot be combined with window functions.
            relevance = isSQLite ? "f.rank ASC, " : "ts_rank('{0,0,0,1}', p.search_tsv, to_tsquery('simple', \(bind: SearchText.tsQuery(terms, filters: [])))) DESC, "
        } else {
            relevance = ""
        }
        let pageSQL: SQLQueryString = "SELECT " + cardColumns + ", CASE WHEN " + verifiedNow(now) + " THEN 1 ELSE 0 END AS verified, COUNT(*) OVER () AS total, SUM(CASE WHEN " + verifiedNow(now) + " THEN 1 ELSE 0 END) OVER () AS verified_total "
            + matching
            + " ORDER BY verified DESC, " + relevance + "p.profile_score DESC, p.display_name ASC, p.id ASC LIMIT \(bind: q.paging.perPage) OFFSET \(bind: q.paging.offset)"
        var cards: [ProviderCard] = []
        var total = 0
        var verified = 0
        for row in try await sql.raw(pageSQL).all() {
            total = try row.decode(column: "total", as: Int.self)
            verified = try row.decode(column: "verified_total", as: Int.self)
            cards.append(try card(row, verified: try row.decode(column: "verified", as: Int.self) == 1))
        }
        if cards.isEmpty && q.paging.page > 1 {
            // Past the last page: the window saw no rows, so count separately.
            let countRow = try await sql.raw("SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN " + verifiedNow(now) + " THEN 1 ELSE 0 END), 0) AS verified " + matching).first()
            total = try countRow?.decode(column: "total", as: Int.self) ?? 0
            verified = try countRow?.decode(column: "verified", as: Int.self) ?? 0
        }

        // Facets over the matching set.
        var facets: [String: [ProviderSearchResult.Facet]] = [:]
        if total > 0 && wantFacets {
            let rows = try await sql.raw("SELECT t.term AS term, COUNT(*) AS n FROM practitioner_terms t WHERE t.practitioner_id IN (SELECT p.id " + matching + ") GROUP BY t.term").all()
            for row in rows {
                let term = try row.decode(column: "term", as: String.self)
                let n = try row.decode(column: "n", as: Int.self)
                guard let colon = term.firstIndex(of: ":") else { continue }
                facets[String(term[..<colon]), default: []].append(.init(value: String(term[term.index(after: colon)...]), count: n))
            }
            for key in facets.keys {
                facets[key]!.sort { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
            }
        }

        try await fillDetails(&cards, procedure: q.procedure, currency: q.currency, on: sql, rates: rates)
        return ProviderSearchResult(total: total, verifiedCount: verified, items: cards,
                                    procedures: facets["proc"] ?? [], countries: facets["country"] ?? [],
                                    cities: facets["city"] ?? [], languages: facets["lang"] ?? [])
    }

    /// The practitioner columns a result card needs (table alias `p`), read back by `card(_:verified:)`.
    static let cardColumns: SQLQueryString = "p.id AS id, p.slug AS slug, p.display_name AS name, p.specialty AS specialty, p.primary_city AS city, p.primary_country AS country, p.is_sample AS is_sample, p.accepting_new_patients AS accepting"

    static func card(_ row: any SQLRow, verified: Bool) throws -> ProviderCard {
        ProviderCard(
            id: try row.decode(column: "id", as: Int.self),
            slug: try row.decode(column: "slug", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            specialty: try row.decode(column: "specialty", as: String.self),
            city: try row.decode(column: "city", as: String?.self),
            country: try row.decode(column: "country", as: String?.self),
            verified: verified,
            isSample: try row.decode(column: "is_sample", as: Bool.self),
            acceptingNewPatients: try row.decode(column: "accepting", as: Bool?.self),
            languages: [], procedures: [], priceFrom: nil)
    }

    /// True for a practitioner (`p`) holding a credential that we verified and that is in force at `now`:
    /// the same rule as `CredentialCheck.isVerified`, evaluated by the database at request time.
    static func verifiedNow(_ now: Date) -> SQLQueryString {
        "EXISTS (SELECT 1 FROM credentials vc WHERE vc.practitioner_id = p.id AND vc.status = 'verified' AND vc.last_verified_at IS NOT NULL AND (vc.valid_from IS NULL OR vc.valid_from <= \(bind: now)) AND (vc.valid_until IS NULL OR vc.valid_until >= \(bind: now)))"
    }

    /// The cards of `ids`, in that order, with their languages, procedure names and lowest starting price: one row a
    /// card, in one query. (Joined as rows, six cards were some forty rows, and decoding them cost more than the
    /// database's work; each round trip is a hop to the database and back.)
    static func cards(_ ids: [Int], verified: (Int) -> Bool, procedure: String?, currency: CurrencyCode, on sql: any SQLDatabase,
                      rates: ExchangeRates) async throws -> [ProviderCard] {
        guard !ids.isEmpty else { return [] }
        let rows = try await PreparedReads.rows("""
            SELECT \(cardColumns), \(detailColumns)
            FROM practitioners p WHERE \(PreparedReads.anyOf("p.id", ids, on: sql))
            """, on: sql)
        var byID: [Int: ProviderCard] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: Int.self)
            var card = try card(row, verified: verified(id))
            try fill(&card, from: row, procedure: procedure, currency: currency, rates: rates)
            byID[id] = card
        }
        return ids.compactMap { byID[$0] }
    }

    /// Languages, procedure names and the lowest starting price of each card, in one query.
    static func fillDetails(_ cards: inout [ProviderCard], procedure: String?, currency: CurrencyCode, on sql: any SQLDatabase, rates: ExchangeRates) async throws {
        let ids = cards.map(\.id)
        guard !ids.isEmpty else { return }
        let rows = try await PreparedReads.rows("""
            SELECT p.id AS id, \(detailColumns) FROM practitioners p WHERE \(PreparedReads.anyOf("p.id", ids, on: sql))
            """, on: sql)
        var position: [Int: Int] = [:]
        for (i, card) in cards.enumerated() { position[card.id] = i }
        for row in rows {
            guard let i = position[try row.decode(column: "id", as: Int.self)] else { continue }
            try fill(&cards[i], from: row, procedure: procedure, currency: currency, rates: rates)
        }
    }

    /// A card's languages (`langs`) and offers (`offers`) for a practitioner `p`: the columns `ProviderCardColumns`
    /// keeps. The lists are sorted and de-duplicated when read (`fill`), in Swift's string order.
    static let detailColumns: SQLQueryString = "p.card_languages AS langs, p.card_offers AS offers"

    /// Puts the `detailColumns` of `row` on `card`, with the lowest starting price among its offers of `procedure` (of
    /// all of them when nil).
    static func fill(_ card: inout ProviderCard, from row: any SQLRow, procedure: String?, currency: CurrencyCode, rates: ExchangeRates) throws {
        fill(&card, languages: try row.decode(column: "langs", as: String?.self), offers: try row.decode(column: "offers", as: String?.self),
             procedure: procedure, currency: currency, rates: rates)
    }

    /// The fields of `joined` between `separator` bytes (none for an empty string).
    static func fields(_ joined: String, separator: UInt8) -> [String] {
        guard !joined.isEmpty else { return [] }
        return joined.utf8.split(separator: separator, omittingEmptySubsequences: false).map { String(Substring($0)) }
    }

    /// Puts a card's details, as its `detailColumns` read them, on `card`: languages, the names of the procedures it
    /// offers, and the lowest starting price among its offers of `procedure` (of all of them when nil).
    static func fill(_ card: inout ProviderCard, languages: String?, offers: String?, procedure: String?, currency: CurrencyCode,
                     rates: ExchangeRates) {
        // One pass over the bytes (the separators are ASCII, so every cut is on a character boundary): splitting the
        // strings into substrings was a fifth of reading the guide's statement and its cards.
        let list = ProviderCardColumns.listSeparator, field = ProviderCardColumns.fieldSeparator
        card.languages = languages.map { Self.fields($0, separator: list).sorted() } ?? []
        var names: [String] = []
        var lowestEuroCents: Int64?
        if var offers {
            let wanted = procedure.map { Array($0.utf8) }
            offers.withUTF8 { bytes in
                var start = 0, index = 0
                var slugMatches = false
                for i in 0...bytes.count {
                    let b = i < bytes.count ? bytes[i] : list
                    guard b == field || b == list else { continue }
                    let part = UnsafeBufferPointer(rebasing: bytes[start..<i])
                    switch index {
                    case 0: slugMatches = wanted.map { part.elementsEqual($0) } ?? true
                    case 1: names.append(String(decoding: part, as: UTF8.self))
                    default:
                        if slugMatches, !part.isEmpty, let cents = Int64(String(decoding: part, as: UTF8.self)) {
                            lowestEuroCents = min(lowestEuroCents ?? cents, cents)
                        }
                    }
                    index = b == field ? index + 1 : 0
                    start = i + 1
                }
            }
        }
        names.sort()
        var unique: [String] = []
        for name in names where name != unique.last { unique.append(name) }
        card.procedures = unique
        if let eur = lowestEuroCents, let minor = rates.fromEuroCents(eur, to: currency) {
            // A converted starting price is indicative: shown in whole units of the asked currency.
            let scale = Int64(DecimalParts.powersOfTen[currency.minorUnits])
            let (q, r) = minor.quotientAndRemainder(dividingBy: scale)
            let whole = r.magnitude * 2 >= scale.magnitude ? q + (minor < 0 ? -1 : 1) : q
            card.priceFrom = Money(Decimal(whole), currency)
            card.priceFromMinor = whole * scale
        }
    }
}
