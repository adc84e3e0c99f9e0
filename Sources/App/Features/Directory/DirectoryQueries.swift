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
        let check = CredentialCheck(status: VerificationStatus(rawValue: c.status) ?? .unverified, validFrom: c.validFrom, validUntil: c.validUntil, lastVerified: c.lastVerifiedAt)
        kind = c.kind; title = c.title; issuer = c.issuer; number = c.number; validFrom = c.validFrom
        validUntil = c.validUntil; lastVerified = c.lastVerifiedAt
        // Waiting for more evidence is, to the public, still "submitted, not yet verified".
        let effective = check.effectiveStatus(at: now)
        status = (effective == .needsEvidence ? .pending : effective).rawValue
        verified = check.isVerified(at: now)
        registerURL = c.registerURL.flatMap { HTMLSanitizer.safeURL($0) }.flatMap { $0.hasPrefix("http") ? $0 : nil }
        note = c.note
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

struct PriceRangeView: Sendable, Codable, Equatable {
    var min: Decimal
    var max: Decimal
    var currency: String
    /// The same range in euros at the reference rates, so quotes in different currencies compare.
    var eurMin: Decimal?
    var eurMax: Decimal?

    var formatted: String {
        guard let c = CurrencyCode(currency), let r = PriceRange(min: min, max: max, currency: c) else { return "" }
        return r.formatted
    }

    var formattedEUR: String? {
        guard let lo = eurMin, let hi = eurMax, currency != "EUR", let r = PriceRange(min: lo.rounded(0), max: hi.rounded(0), currency: .eur) else { return nil }
        return r.formatted
    }

    init?(minMinor: Int64?, maxMinor: Int64?, currency: String?, rates: ExchangeRates) {
        guard let minMinor, let code = currency, let c = CurrencyCode(code) else { return nil }
        let lo = MinorUnits.toDecimal(minMinor, c)
        let hi = MinorUnits.toDecimal(maxMinor ?? minMinor, c)
        min = lo; max = hi; self.currency = c.code
        eurMin = rates.toEuro(Money(lo, c)); eurMax = rates.toEuro(Money(hi, c))
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
    static func provider(slug: String, on db: any Database, now: Date, rates: ExchangeRates = .reference) async throws -> ProviderProfile? {
        guard let p = try await Practitioner.query(on: db).filter(\.$slug == slug).first(), let id = p.id else { return nil }
        let languages = try await PractitionerLanguage.query(on: db).filter(\.$practitioner.$id == id).sort(\.$languageCode).all()
        let roles = try await PractitionerRole.query(on: db).filter(\.$practitioner.$id == id).with(\.$organization).with(\.$location).all()
        let offers = try await Offer.query(on: db).filter(\.$practitioner.$id == id).with(\.$procedure).with(\.$organization).with(\.$location).all()
        // A refused submission is never shown publicly.
        let credentials = try await Credential.query(on: db).filter(\.$practitioner.$id == id)
            .filter(\.$status != VerificationStatus.refused.rawValue).all()
        let articles = try await Article.query(on: db).filter(\.$featuredPractitioner.$id == id).sort(\.$publishedAt, .descending).all()
        return ProviderProfile(
            id: id, slug: p.slug, name: p.displayName, prefix: p.prefix, givenName: p.givenName, familyName: p.familyName,
            suffix: p.suffix, specialty: p.specialty, bio: p.bio, practicingSince: p.practicingSince,
            acceptingNewPatients: p.acceptingNewPatients,
            techniques: p.signatureTechniques.split(separator: "\n").map(String.init), isSample: p.isSample,
            languages: languages.map(\.languageCode),
            places: roles.map { place($0.organization, $0.location, role: $0.title) },
            offers: offers.map { offer($0, rates: rates) }.sorted { $0.procedureName < $1.procedureName },
            credentials: credentials.map { CredentialView($0, now: now) }.sorted { ($0.verified ? 0 : 1, $0.title) < ($1.verified ? 0 : 1, $1.title) },
            featuredIn: articles.map { ($0.slug, $0.title) },
            factsUpdatedAt: p.factsUpdatedAt, factsChanged: ProfileService.facts(p.factsChanged).sorted { $0.rawValue < $1.rawValue },
            suspendedReason: p.suspendedReason, isSuspended: p.suspendedAt != nil,
            photos: try await MediaService.assets(providerKey: ProviderKey.practitioner(id), limit: 12, on: db))
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
