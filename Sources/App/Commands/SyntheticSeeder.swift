import Foundation
import Vapor
import Fluent
import SQLKit
import Domain

/// Builds a benchmark-sized directory: N practitioners, N/5 clinics, 10 offers per practitioner.
/// Rows are written with multi-row inserts in batches, each batch in one transaction; every row is marked sample data.
enum SyntheticSeeder {
    /// A small deterministic generator (SplitMix64), so two runs build the same directory.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ list: [T]) -> T { list[int(list.count)] }
    }

    struct City { var name: String; var country: String; var currency: String; var lat: Double; var lon: Double; var languages: [String] }

    static let cities: [City] = [
        City(name: "Istanbul", country: "TR", currency: "EUR", lat: 41.01, lon: 28.98, languages: ["tr", "en", "ar"]),
        City(name: "Antalya", country: "TR", currency: "EUR", lat: 36.90, lon: 30.70, languages: ["tr", "en", "ru"]),
        City(name: "Guadalajara", country: "MX", currency: "USD", lat: 20.67, lon: -103.35, languages: ["es", "en"]),
        City(name: "Tijuana", country: "MX", currency: "USD", lat: 32.51, lon: -117.04, languages: ["es", "en"]),
        City(name: "Bangkok", country: "TH", currency: "THB", lat: 13.76, lon: 100.50, languages: ["th", "en"]),
        City(name: "Seoul", country: "KR", currency: "KRW", lat: 37.57, lon: 126.98, languages: ["ko", "en"]),
        City(name: "Madrid", country: "ES", currency: "EUR", lat: 40.42, lon: -3.70, languages: ["es", "en"]),
        City(name: "Barcelona", country: "ES", currency: "EUR", lat: 41.39, lon: 2.17, languages: ["es", "en", "fr"]),
        City(name: "Munich", country: "DE", currency: "EUR", lat: 48.14, lon: 11.58, languages: ["de", "en"]),
        City(name: "Warsaw", country: "PL", currency: "PLN", lat: 52.23, lon: 21.01, languages: ["pl", "en"]),
        City(name: "Budapest", country: "HU", currency: "HUF", lat: 47.50, lon: 19.04, languages: ["hu", "en", "de"]),
        City(name: "Prague", country: "CZ", currency: "CZK", lat: 50.08, lon: 14.44, languages: ["cs", "en", "de"]),
        City(name: "Chennai", country: "IN", currency: "INR", lat: 13.08, lon: 80.27, languages: ["hi", "en"]),
        City(name: "San José", country: "CR", currency: "USD", lat: 9.93, lon: -84.08, languages: ["es", "en"]),
        City(name: "Medellín", country: "CO", currency: "USD", lat: 6.24, lon: -75.58, languages: ["es", "en"]),
        City(name: "Dubai", country: "AE", currency: "AED", lat: 25.20, lon: 55.27, languages: ["ar", "en", "hi"]),
        City(name: "Lisbon", country: "PT", currency: "EUR", lat: 38.72, lon: -9.14, languages: ["pt", "en", "es"]),
        City(name: "Athens", country: "GR", currency: "EUR", lat: 37.98, lon: 23.73, languages: ["el", "en"]),
        City(name: "Zagreb", country: "HR", currency: "EUR", lat: 45.81, lon: 15.98, languages: ["hr", "en", "de"]),
        City(name: "Kuala Lumpur", country: "MY", currency: "MYR", lat: 3.14, lon: 101.69, languages: ["ms", "en", "zh"]),
        City(name: "São Paulo", country: "BR", currency: "BRL", lat: -23.55, lon: -46.63, languages: ["pt", "en"]),
        City(name: "Ghent", country: "BE", currency: "EUR", lat: 51.05, lon: 3.72, languages: ["nl", "fr", "en"]),
    ]
    static let given = ["Ana", "Ben", "Chiara", "Deniz", "Elif", "Farid", "Greta", "Hana", "Ivo", "Jana", "Kaan", "Lena", "Marek", "Nadia", "Omar", "Paula", "Rui", "Sara", "Tomas", "Uma", "Vera", "Wojtek", "Yara", "Zeynep"]
    static let family = ["Almeida", "Bakker", "Costa", "Demir", "Esposito", "Fischer", "Garcia", "Horvath", "Ivanova", "Jensen", "Kowalski", "Lopez", "Meyer", "Novak", "Oliveira", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka", "Umarov", "Varga", "Weber", "Yilmaz"]
    static let specialties = ["Plastic and reconstructive surgery", "Dentistry", "Orthopaedic surgery", "Reproductive medicine", "Ophthalmology", "Dermatology and hair restoration"]

    static func run(providers count: Int, app: Application, console: any Console) async throws {
        if try await DemoSeeder.isEmpty(app.db) {
            console.info("Loading the demo data first (procedures and categories are needed).")
            try await DemoSeeder.seed(on: app.db, t: app.localizer, now: app.clock.now())
        }
        let sql = app.db as! any SQLDatabase
        let isSQLite = sql.dialect.name == "sqlite"
        let procedures = try await Procedure.query(on: app.db).sort(\.$id).all().map { (id: $0.id!, slug: $0.slug, name: $0.name) }
        let clinicCount = max(1, count / 5)
        let rates = ExchangeRates.reference
        let t = app.localizer
        var rng = Generator(state: 20_261_125)
        let firstOrg = try await nextID("organizations", sql)
        let firstLocation = try await nextID("locations", sql)
        let firstPractitioner = try await nextID("practitioners", sql)
        let firstOffer = try await nextID("offers", sql)
        let now = Date()

        let bar = console.progressBar(title: "Clinics")
        bar.start()
        var clinicCity: [Int] = []
        for start in stride(from: 0, to: clinicCount, by: 2_000) {
            let end = min(start + 2_000, clinicCount)
            var orgRows: [[SQLBind]] = []
            var locRows: [[SQLBind]] = []
            for i in start..<end {
                let city = rng.int(cities.count)
                clinicCity.append(city)
                let c = cities[city]
                let name = "\(rng.pick(family)) \(rng.pick(["Clinic", "Medical Centre", "Surgery Centre", "Hospital"])) \(i + 1)"
                orgRows.append([SQLBind(firstOrg + i), SQLBind("synthetic-clinic-\(i + 1)"), SQLBind(name), SQLBind(i % 10 == 0 ? "hospital" : "clinic"),
                                SQLBind("A generated clinic for load testing (sample data)."), SQLBind(true)])
                locRows.append([SQLBind(firstLocation + i), SQLBind(firstOrg + i), SQLBind("main"), SQLBind("Main site"), SQLBind("\(rng.int(200) + 1) Sample Street"),
                                SQLBind(c.name), SQLBind(Slug.make(c.name)), SQLBind(c.country),
                                SQLBind(c.lat + Double(rng.int(1000)) / 20_000), SQLBind(c.lon + Double(rng.int(1000)) / 20_000)])
            }
            let batchOrgs = orgRows, batchLocs = locRows
            try await app.db.transaction { db in
                let s = db as! any SQLDatabase
                try await insert(s, "organizations", ["id", "slug", "name", "kind", "description", "is_sample"], batchOrgs)
                try await insert(s, "locations", ["id", "organization_id", "key", "name", "street", "city", "city_slug", "country_code", "latitude", "longitude"], batchLocs)
            }
            bar.activity.currentProgress = Double(end) / Double(clinicCount)
        }
        bar.succeed()

        let pbar = console.progressBar(title: "Practitioners and offers")
        pbar.start()
        let batch = 1_000
        for start in stride(from: 0, to: count, by: batch) {
            let end = min(start + batch, count)
            var practitionerRows: [[SQLBind]] = [], languageRows: [[SQLBind]] = [], roleRows: [[SQLBind]] = []
            var credentialRows: [[SQLBind]] = [], termRows: [[SQLBind]] = [], offerRows: [[SQLBind]] = [], ftsRows: [[SQLBind]] = []
            for i in start..<end {
                let id = firstPractitioner + i
                let clinic = rng.int(clinicCount)
                let c = cities[clinicCity[clinic]]
                let g = rng.pick(given), f = rng.pick(family)
                let specialty = rng.pick(specialties)
                let langs = Array(Set([c.languages[0], "en", rng.pick(c.languages)])).sorted()
                var offered: [(slug: String, name: String)] = []
                for k in 0..<10 {
                    let p = procedures[(rng.int(procedures.count) + k) % procedures.count]
                    let currency = CurrencyCode(c.currency)!
                    let lo = Decimal(500 + rng.int(8_000))
                    let hi = lo + Decimal(rng.int(4_000))
                    let loEUR = rates.toEuro(Money(lo, currency)) ?? lo
                    let hiEUR = rates.toEuro(Money(hi, currency)) ?? hi
                    offerRows.append([SQLBind(firstOffer + i * 10 + k), SQLBind(id), SQLBind(firstOrg + clinic), SQLBind(firstLocation + clinic), SQLBind(p.id),
                                      SQLBind(MinorUnits.from(lo, currency)), SQLBind(MinorUnits.from(hi, currency)), SQLBind(currency.code),
                                      SQLBind(MinorUnits.from(loEUR, .eur)), SQLBind(MinorUnits.from(hiEUR, .eur))])
                    if !offered.contains(where: { $0.slug == p.slug }) { offered.append((p.slug, p.name)) }
                }
                let verified = rng.int(10) < 7
                let validUntil = ISODate.utcCalendar.date(byAdding: .day, value: rng.int(1_500) - 200, to: now)!
                // A checked credential already past its expiry is seeded as expired, as the housekeeping would mark it.
                let status: VerificationStatus = verified ? (validUntil < now ? .expired : .verified) : .pending
                let check = CredentialCheck(status: status, validFrom: nil, validUntil: validUntil, lastVerified: verified ? now : nil)
                let display = "Dr. \(g) \(f)"
                let facts = ProviderIndexer.Facts(id: id, names: [display, specialty], languages: langs, procedures: offered,
                                                  places: [(c.name, Slug.make(c.name), c.country, "Synthetic clinic \(clinic + 1)")],
                                                  credentials: [check], techniques: [], hasPrices: true, hasBio: true, hasSince: true)
                let row = ProviderIndexer.row(facts, t: t, now: now)
                practitionerRows.append([SQLBind(id), SQLBind("dr-\(Slug.make(g))-\(Slug.make(f))-s\(i + 1)"), SQLBind("Dr."), SQLBind(g), SQLBind(f), SQLBind(display),
                                         SQLBind(specialty), SQLBind("A generated practitioner profile for load testing (sample data)."),
                                         SQLBind(1985 + rng.int(35)), SQLBind(true), SQLBind(""), SQLBind(true), SQLBind(row.searchText),
                                         SQLBind(row.score), SQLBind(row.primaryCountry), SQLBind(row.primaryCity), SQLBind(row.filterText)])
                for l in langs { languageRows.append([SQLBind(id), SQLBind(l)]) }
                roleRows.append([SQLBind(id), SQLBind(firstOrg + clinic), SQLBind(firstLocation + clinic), SQLBind("Consultant")])
                credentialRows.append([SQLBind(id), SQLBind("licence"), SQLBind("Licence to practise (sample)"), SQLBind("National medical council (sample)"),
                                       SQLBind("SAMPLE-\(c.country)-\(100_000 + i)"), SQLBind(Optional<Date>.none), SQLBind(validUntil),
                                       SQLBind(verified ? now : nil), SQLBind(status.rawValue), SQLBind("https://example.org/register")])
                for term in row.terms { termRows.append([SQLBind(id), SQLBind(term)]) }
                ftsRows.append([SQLBind(id), SQLBind(row.searchText), SQLBind(row.filterText)])
            }
            let batch = (practitionerRows, languageRows, roleRows, credentialRows, termRows, offerRows, ftsRows)
            try await app.db.transaction { db in
                let s = db as! any SQLDatabase
                try await insert(s, "practitioners", ["id", "slug", "prefix", "given_name", "family_name", "display_name", "specialty", "bio",
                    "practicing_since", "accepting_new_patients", "signature_techniques", "is_sample", "search_text", "profile_score", "primary_country", "primary_city", "filter_text"], batch.0)
                try await insert(s, "practitioner_languages", ["practitioner_id", "language_code"], batch.1)
                try await insert(s, "practitioner_roles", ["practitioner_id", "organization_id", "location_id", "title"], batch.2)
                try await insert(s, "credentials", ["practitioner_id", "kind", "title", "issuer", "number", "valid_from", "valid_until", "last_verified_at", "status", "register_url"], batch.3)
                try await insert(s, "practitioner_terms", ["practitioner_id", "term"], batch.4)
                try await insert(s, "offers", ["id", "practitioner_id", "organization_id", "location_id", "procedure_id",
                                               "price_min_minor", "price_max_minor", "currency", "price_min_eur_minor", "price_max_eur_minor"], batch.5)
                if isSQLite { try await insert(s, "practitioner_fts", ["rowid", "search_text", "filter_text"], batch.6) }
            }
            pbar.activity.currentProgress = Double(end) / Double(count)
        }
        pbar.succeed()
        try await ProviderCardColumns.refresh(sql, where: "id >= \(bind: firstPractitioner)")
        if !isSQLite {
            for table in ["organizations", "locations", "practitioners", "offers"] {
                try await sql.raw("SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), (SELECT MAX(id) FROM \(ident: table)))").run()
            }
            try await sql.raw("ANALYZE").run()
        } else {
            try await sql.raw("ANALYZE").run()
        }
        try await ProviderIndexer.bumpGeneration(sql)
        app.renderCache.invalidate()
        console.success("Built \(count) practitioners, \(clinicCount) clinics and \(count * 10) offers.")
    }

    /// Multi-row inserts, split so that no statement binds more than PostgreSQL's 65,535 parameters.
    static func insert(_ sql: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [[SQLBind]]) async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, 60_000 / max(1, columns.count))
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let insert = sql.insert(into: table).columns(columns)
            for row in rows[start..<min(start + perStatement, rows.count)] { insert.values(row.map { $0 as any SQLExpression }) }
            try await insert.run()
        }
    }

    static func nextID(_ table: String, _ sql: any SQLDatabase) async throws -> Int {
        let row = try await sql.raw("SELECT COALESCE(MAX(id), 0) AS m FROM \(ident: table)").first()
        return (try row?.decode(column: "m", as: Int.self) ?? 0) + 1
    }
}
