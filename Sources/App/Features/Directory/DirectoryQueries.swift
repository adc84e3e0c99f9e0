import Foundation
import Fluent
import SQLKit
import Domain

/// A credential as shown to people.
struct CredentialView: Sendable, Codable, Equatable {
    var kind: String
    var title: String
    var issuer: String?
    var number: String?
    var validFrom: Date?
    var validUntil: Date?
    var lastVerified: Date?
    /// The status at the time of the request: a verified credential past its end date shows as expired.
    var status: String
    var verified: Bool
    var registerURL: String?
    var note: String?

    init(_ c: Credential, now: Date) {
        self.init(kind: c.kind, title: c.title, issuer: c.issuer, number: c.number, status: c.status, registerURL: c.registerURL, note: c.note,
                  validFrom: c.validFrom, validUntil: c.validUntil, lastVerified: c.lastVerifiedAt, now: now)
    }

    init(kind: String, title: String, issuer: String?, number: String?, status rawStatus: String, registerURL: String?, note: String?,
         validFrom: Date?, validUntil: Date?, lastVerified: Date?, now: Date) {
        let check = CredentialCheck(status: VerificationStatus(rawValue: rawStatus) ?? .unverified, validFrom: validFrom, validUntil: validUntil, lastVerified: lastVerified)
        self.kind = kind; self.title = title; self.issuer = issuer; self.number = number; self.validFrom = validFrom
        self.validUntil = validUntil; self.lastVerified = lastVerified
        // Waiting for more evidence is, to the public, still "submitted, not yet verified".
        let effective = check.effectiveStatus(at: now)
        status = (effective == .needsEvidence ? .pending : effective).rawValue
        verified = check.isVerified(at: now)
        self.registerURL = registerURL.flatMap { HTMLSanitizer.safeURL($0) }.flatMap { $0.hasPrefix("http") ? $0 : nil }
        self.note = note
    }
}

struct PlaceView: Sendable, Codable, Equatable {
    var organizationSlug: String
    var organizationName: String
    var organizationKind: String
    var locationName: String
    var street: String?
    var city: String
    var citySlug: String
    var region: String?
    var postalCode: String?
    var country: String
    var latitude: Double?
    var longitude: Double?
    var role: String?
    /// Weekly opening hours in the place's local time (empty when not given).
    var hours: [WeeklyHours] = []
}

struct OfferView: Sendable, Codable, Equatable {
    var procedureSlug: String
    var procedureName: String
    var organizationSlug: String
    var organizationName: String
    var city: String
    var country: String
    var price: PriceRangeView?
    var practitionerSlug: String?
    var practitionerName: String?
}

/// A quoted price range as stored (minor units of its currency) and in euro cents at the reference rates, so that
/// ranges in different currencies compare. Formatted and converted by integer arithmetic (`Money.formatted(minor:)`,
/// `ExchangeRates.euroCents`): every offer on a profile and every price on a guide goes through here.
struct PriceRangeView: Sendable, Codable, Equatable {
    var minMinor: Int64
    var maxMinor: Int64
    var currency: String
    var code: CurrencyCode
    var eurMinCents: Int64?
    var eurMaxCents: Int64?

    var min: Decimal { MinorUnits.toDecimal(minMinor, code) }
    var max: Decimal { MinorUnits.toDecimal(maxMinor, code) }
    var eurMin: Decimal? { eurMinCents.map { MinorUnits.toDecimal($0, .eur) } }
    var eurMax: Decimal? { eurMaxCents.map { MinorUnits.toDecimal($0, .eur) } }

    /// "1,500 – 2,500 USD"; empty for a range that is not one (negative, or its maximum below its minimum).
    var formatted: String { Self.range(minMinor, maxMinor, code) ?? "" }

    /// The same in whole euros, for a range in another currency.
    var formattedEUR: String? {
        guard let lo = eurMinCents, let hi = eurMaxCents, currency != "EUR" else { return nil }
        return Self.range(Self.wholeEuros(lo) * 100, Self.wholeEuros(hi) * 100, .eur)
    }

    static func range(_ lo: Int64, _ hi: Int64, _ code: CurrencyCode) -> String? {
        guard lo >= 0, hi >= lo else { return nil }
        if lo == hi { return Money.formatted(minor: lo, code) }
        // The range names its currency once, after the upper end.
        return Money.amount(minor: lo, code) + " – " + Money.formatted(minor: hi, code)
    }

    /// Cents rounded half away from zero to whole euros.
    static func wholeEuros(_ cents: Int64) -> Int64 {
        let (q, r) = cents.quotientAndRemainder(dividingBy: 100)
        return r.magnitude >= 50 ? q + (cents < 0 ? -1 : 1) : q
    }

    init?(minMinor: Int64?, maxMinor: Int64?, currency: String?, rates: ExchangeRates) {
        guard let minMinor, let raw = currency, let c = CurrencyCode(raw) else { return nil }
        self.minMinor = minMinor
        self.maxMinor = maxMinor ?? minMinor
        self.currency = c.code
        self.code = c
        eurMinCents = rates.euroCents(minor: self.minMinor, c)
        eurMaxCents = rates.euroCents(minor: self.maxMinor, c)
    }
}

/// Everything a practitioner's profile shows.
struct ProviderProfile: Sendable {
    var id: Int
    var slug: String
    var name: String
    var prefix: String?
    var givenName: String
    var familyName: String
    var suffix: String?
    var specialty: String
    var bio: String
    var practicingSince: Int?
    var acceptingNewPatients: Bool?
    var techniques: [String]
    var isSample: Bool
    var languages: [String]
    var places: [PlaceView]
    var offers: [OfferView]
    var credentials: [CredentialView]
    var featuredIn: [(slug: String, title: String)]
    /// When facts a patient relies on (procedures, prices, locations) last changed, and which.
    var factsUpdatedAt: Date? = nil
    var factsChanged: [ProfileFact] = []
    /// Set while an administrator has suspended the listing: it takes no requests and is not in search.
    var suspendedReason: String? = nil
    var isSuspended: Bool = false
    /// Photos the practice shows (library images with their alt text).
    var photos: [MediaAsset] = []

    /// The verified, unexpired credential that earns the badge (latest check first).
    var badge: CredentialView? {
        credentials.filter(\.verified).max { ($0.lastVerified ?? .distantPast) < ($1.lastVerified ?? .distantPast) }
    }

    func yearsInPractice(now: Date) -> Int? {
        guard let since = practicingSince else { return nil }
        let year = ISODate.utcCalendar.component(.year, from: now)
        return max(0, year - since)
    }
}

/// Everything a clinic page shows.
struct ClinicProfile: Sendable {
    var id: Int
    var slug: String
    var name: String
    var kind: String
    var summary: String
    var website: String?
    var isSample: Bool
    var parent: (slug: String, name: String)?
    var children: [(slug: String, name: String)]
    var locations: [PlaceView]
    var credentials: [CredentialView]
    var practitioners: [ProviderCard]
    var offers: [OfferView]
    var factsUpdatedAt: Date? = nil
    var factsChanged: [ProfileFact] = []
    var suspendedReason: String? = nil
    var isSuspended: Bool = false
    var photos: [MediaAsset] = []
}

enum DirectoryQueries {
    /// A practitioner's profile in one query: the practitioner and everything listed on the page (languages, places,
    /// offers, credentials, articles, photos) as one `KindedUnion`, each branch finding the practitioner by its slug.
    /// An uncached profile at platform scale is bound by round trips and row decoding, not by these small joins.
    static func provider(slug: String, on db: any Database, now: Date, rates: ExchangeRates = .reference) async throws -> ProviderProfile? {
        let u = KindedUnion(texts: 12, ints: 2, dates: 3, bools: 2, floats: 2)
        // The statement's text never changes; its values are the slug (once per branch that reads the practitioner)
        // and two constants, in the order the branches bind them.
        let refused = VerificationStatus.refused.rawValue, prefix = ProviderKey.practitionerPrefix
        let binds: [any Encodable & Sendable] = [slug, slug, slug, slug, slug, refused, slug, prefix, slug]
        let rows = try await PreparedReads.rows(shape: "profile", binds: binds, on: db as! any SQLDatabase) {
            let pid: SQLQueryString = "(SELECT id FROM practitioners WHERE slug = \(bind: slug))"
            return KindedUnion.query([
                u.branch("who", first: true, texts: [
                    "slug", "prefix", "given_name", "family_name", "suffix", "display_name", "specialty", "bio", "signature_techniques",
                    "facts_changed", "suspended_reason",
                ], ints: ["id", "practicing_since"], dates: ["facts_updated_at", "suspended_at"], bools: ["accepting_new_patients", "is_sample"],
                from: "practitioners WHERE slug = \(bind: slug)"),
                u.branch("lang", texts: ["language_code"], from: "practitioner_languages WHERE practitioner_id = \(pid)"),
                u.branch("place", texts: ["o.slug", "o.name", "o.kind", "l.name", "l.street", "l.city", "l.city_slug", "l.region", "l.postal_code",
                                          "l.country_code", "r.title", "l.opening_hours"],
                         ints: ["r.id"], floats: ["l.latitude", "l.longitude"],
                         from: """
                            practitioner_roles r JOIN organizations o ON o.id = r.organization_id JOIN locations l ON l.id = r.location_id
                            WHERE r.practitioner_id = \(pid)
                            """),
                u.branch("offer", texts: ["pr.slug", "pr.name", "o.slug", "o.name", "l.city", "l.country_code", "f.currency"],
                         ints: ["f.price_min_minor", "f.price_max_minor"],
                         from: """
                            offers f JOIN procedures pr ON pr.id = f.procedure_id JOIN organizations o ON o.id = f.organization_id
                            JOIN locations l ON l.id = f.location_id WHERE f.practitioner_id = \(pid)
                            """),
                u.branch("cred", texts: ["kind", "title", "issuer", "number", "status", "register_url", "note"],
                         dates: ["valid_from", "valid_until", "last_verified_at"],
                         from: "credentials WHERE practitioner_id = \(pid) AND status <> \(bind: refused)"),
                u.branch("article", texts: ["slug", "title"], dates: ["published_at"], from: "articles WHERE featured_practitioner_id = \(pid)"),
                u.branch("photo", texts: ["id", "alt_text", "caption", "credit"], ints: ["width", "height"], dates: ["uploaded_at"],
                         from: "media_assets WHERE provider_key = \(bind: prefix) || \(pid)"),
            ])
        }
        var who: KindedRow?
        var languages: [String] = [], places: [(Int, PlaceView)] = [], offers: [OfferView] = [], credentials: [CredentialView] = []
        var articles: [(Date, String, String)] = [], photos: [MediaAsset] = []
        for row in rows.map({ KindedRow($0, u) }) {
            let s = row.text, i = row.int, d = row.date
            switch try row.kind() {
            case "who": who = row
            case "lang": if let code = try s(1) { languages.append(code) }
            case "place":
                places.append((Int(try i(1) ?? 0), PlaceView(
                    organizationSlug: try s(1) ?? "", organizationName: try s(2) ?? "", organizationKind: try s(3) ?? "", locationName: try s(4) ?? "",
                    street: try s(5), city: try s(6) ?? "", citySlug: try s(7) ?? "", region: try s(8), postalCode: try s(9), country: try s(10) ?? "",
                    latitude: try row.float(1), longitude: try row.float(2), role: try s(11), hours: ProfileService.decodeHours(try s(12)))))
            case "offer":
                offers.append(OfferView(procedureSlug: try s(1) ?? "", procedureName: try s(2) ?? "", organizationSlug: try s(3) ?? "",
                                        organizationName: try s(4) ?? "", city: try s(5) ?? "", country: try s(6) ?? "",
                                        price: PriceRangeView(minMinor: try i(1), maxMinor: try i(2), currency: try s(7), rates: rates),
                                        practitionerSlug: nil, practitionerName: nil))
            case "cred":
                credentials.append(CredentialView(kind: try s(1) ?? "", title: try s(2) ?? "", issuer: try s(3), number: try s(4), status: try s(5) ?? "",
                                                  registerURL: try s(6), note: try s(7), validFrom: try d(1), validUntil: try d(2), lastVerified: try d(3), now: now))
            case "article": articles.append((try d(1) ?? .distantPast, try s(1) ?? "", try s(2) ?? ""))
            case "photo":
                let w = Int(try i(1) ?? 0), h = Int(try i(2) ?? 0)
                photos.append(MediaAsset(id: try s(1) ?? "", alt: try s(2) ?? "", caption: try s(3), credit: try s(4), width: w, height: h,
                                         uploadedAt: try d(1) ?? .distantPast, variants: []))
            default: break
            }
        }
        guard let r = who, let id = try r.int(1).map(Int.init) else { return nil }
        struct P {
            let slug: String; let prefix: String?; let given_name: String; let family_name: String; let suffix: String?
            let display_name: String; let specialty: String; let bio: String; let practicing_since: Int?; let accepting_new_patients: Bool?
            let signature_techniques: String; let is_sample: Bool; let facts_updated_at: Date?; let facts_changed: String?
            let suspended_at: Date?; let suspended_reason: String?
        }
        let p = P(slug: try r.text(1) ?? "", prefix: try r.text(2), given_name: try r.text(3) ?? "", family_name: try r.text(4) ?? "",
                  suffix: try r.text(5), display_name: try r.text(6) ?? "", specialty: try r.text(7) ?? "", bio: try r.text(8) ?? "",
                  practicing_since: try r.int(2).map(Int.init), accepting_new_patients: try r.bool(1),
                  signature_techniques: try r.text(9) ?? "", is_sample: try r.bool(2) ?? false, facts_updated_at: try r.date(1),
                  facts_changed: try r.text(10), suspended_at: try r.date(2), suspended_reason: try r.text(11))
        return ProviderProfile(
            id: id, slug: p.slug, name: p.display_name, prefix: p.prefix, givenName: p.given_name, familyName: p.family_name,
            suffix: p.suffix, specialty: p.specialty, bio: p.bio, practicingSince: p.practicing_since,
            acceptingNewPatients: p.accepting_new_patients,
            techniques: p.signature_techniques.split(separator: "\n").map(String.init), isSample: p.is_sample,
            languages: languages.sorted(),
            places: places.sorted { $0.0 < $1.0 }.map(\.1),
            offers: offers.sorted { $0.procedureName < $1.procedureName },
            credentials: credentials.sorted { ($0.verified ? 0 : 1, $0.title) < ($1.verified ? 0 : 1, $1.title) },
            featuredIn: articles.sorted { $0.0 > $1.0 }.map { ($0.1, $0.2) },
            factsUpdatedAt: p.facts_updated_at, factsChanged: ProfileService.facts(p.facts_changed).sorted { $0.rawValue < $1.rawValue },
            suspendedReason: p.suspended_reason, isSuspended: p.suspended_at != nil,
            photos: Array(photos.sorted { $0.uploadedAt > $1.uploadedAt }.prefix(12)))
    }

    static func place(_ o: Organization, _ l: Location, role: String?) -> PlaceView {
        PlaceView(organizationSlug: o.slug, organizationName: o.name, organizationKind: o.kind, locationName: l.name,
                  street: l.street, city: l.city, citySlug: l.citySlug, region: l.region, postalCode: l.postalCode,
                  country: l.countryCode, latitude: l.latitude, longitude: l.longitude, role: role, hours: ProfileService.decodeHours(l.openingHours))
    }

    static func offer(_ o: Offer, rates: ExchangeRates, practitioner: Practitioner? = nil) -> OfferView {
        OfferView(procedureSlug: o.procedure.slug, procedureName: o.procedure.name, organizationSlug: o.organization.slug,
                  organizationName: o.organization.name, city: o.location.city, country: o.location.countryCode,
                  price: PriceRangeView(minMinor: o.priceMinMinor, maxMinor: o.priceMaxMinor, currency: o.currency, rates: rates),
                  practitionerSlug: practitioner?.slug, practitionerName: practitioner?.displayName)
    }

    static func clinic(slug: String, on db: any Database, now: Date, rates: ExchangeRates = .reference) async throws -> ClinicProfile? {
        guard let o = try await Organization.query(on: db).filter(\.$slug == slug).with(\.$parent).first(), let id = o.id else { return nil }
        let locations = try await Location.query(on: db).filter(\.$organization.$id == id).sort(\.$id).all()
        let children = try await Organization.query(on: db).filter(\.$parent.$id == id).sort(\.$name).all()
        let credentials = try await Credential.query(on: db).filter(\.$organization.$id == id)
            .filter(\.$status != VerificationStatus.refused.rawValue).all()
        let roles = try await PractitionerRole.query(on: db).filter(\.$organization.$id == id).with(\.$practitioner).all()
        let offers = try await Offer.query(on: db).filter(\.$organization.$id == id).with(\.$procedure).with(\.$organization).with(\.$location).with(\.$practitioner).all()
        var seen = Set<Int>()
        var cards: [ProviderCard] = []
        let teamIDs = Array(Set(roles.map { $0.$practitioner.id }))
        let verifiedIDs = Set(try await Credential.query(on: db).filter(\.$practitioner.$id ~~ teamIDs).all()
            .filter { c in CredentialView(c, now: now).verified }.compactMap { $0.$practitioner.id })
        for r in roles where seen.insert(r.practitioner.id!).inserted {
            let p = r.practitioner
            cards.append(ProviderCard(id: p.id!, slug: p.slug, name: p.displayName, specialty: p.specialty, city: p.primaryCity,
                                      country: p.primaryCountry, verified: verifiedIDs.contains(p.id!), isSample: p.isSample,
                                      acceptingNewPatients: p.acceptingNewPatients, languages: [], procedures: [], priceFrom: nil))
        }
        cards.sort { $0.name < $1.name }
        try await ProviderSearch.fillDetails(&cards, procedure: nil, currency: .eur, on: db as! any SQLDatabase, rates: rates)
        return ClinicProfile(
            id: id, slug: o.slug, name: o.name, kind: o.kind, summary: o.summary, website: o.website.flatMap { HTMLSanitizer.safeURL($0) },
            isSample: o.isSample, parent: o.parent.map { ($0.slug, $0.name) }, children: children.map { ($0.slug, $0.name) },
            locations: locations.map { place(o, $0, role: nil) },
            credentials: credentials.map { CredentialView($0, now: now) },
            practitioners: cards,
            offers: offers.map { offer($0, rates: rates, practitioner: $0.practitioner) }.sorted { ($0.procedureName, $0.practitionerName ?? "") < ($1.procedureName, $1.practitionerName ?? "") },
            factsUpdatedAt: o.factsUpdatedAt, factsChanged: ProfileService.facts(o.factsChanged).sorted { $0.rawValue < $1.rawValue },
            suspendedReason: o.suspendedReason, isSuspended: o.suspendedAt != nil,
            photos: try await MediaService.assets(providerKey: ProviderKey.organization(id), limit: 12, on: db))
    }

    /// Practitioners offering a procedure, best ranked first.
    static func providers(offering procedureSlug: String, limit: Int, on db: any Database, now: Date, index: ProviderFilterIndex?) async throws -> ProviderSearchResult {
        try await ProviderSearch.run(ProviderSearchQuery(procedure: procedureSlug, paging: Paging(page: 1, perPage: limit)), on: db, now: now, facets: false, index: index)
    }

    /// Slug and name of every procedure, for the search form's menu. Two columns through SQLKit: loading whole
    /// `Procedure` models (every guide's text, decoded through Fluent's reflection) cost a quarter of a search
    /// request's CPU time.
    static func procedureChoices(on db: any Database) async throws -> [(String, String)] {
        struct Row: Decodable { let slug: String; let name: String }
        return try await (db as! any SQLDatabase).select()
            .column("slug").column("name").from(Procedure.schema)
            .orderBy("name").orderBy("slug")
            .all(decoding: Row.self).map { ($0.slug, $0.name) }
    }
}
