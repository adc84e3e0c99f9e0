import Foundation
import Fluent
import SQLKit
import Domain

/// A facilitator organisation as a directory card.
struct FacilitatorCard: Sendable, Equatable {
    let id: Int
    let slug: String
    let name: String
    let countryCode: String
    let summary: String
    let isSample: Bool
    let acceptingCases: Bool
    let verified: Bool
    var patientCountries: [String] = []
    var destinations: [String] = []
    var languages: [String] = []
    /// Providers it has an active agreement with.
    var partnerCount: Int = 0
}

/// One page of the facilitator directory with the counts that refine it.
struct FacilitatorDirectoryResult: Sendable {
    struct Facet: Sendable, Equatable { let code: String; let count: Int }
    let total: Int
    let items: [FacilitatorCard]
    let verifiedCount: Int
    var patientCountries: [Facet] = []
    var destinations: [Facet] = []
    var languages: [Facet] = []
}

/// A facilitator organisation's public profile.
struct FacilitatorProfile: Sendable {
    struct Partner: Sendable, Equatable {
        /// `ProviderKey` of the practice or clinic.
        let key: String
        let slug: String
        let name: String
        let link: SiteURL
        let city: String?
        let country: String?
        let verified: Bool
        let isSample: Bool
    }
    let card: FacilitatorCard
    let about: String
    let website: String?
    let foundedYear: Int?
    let isSuspended: Bool
    let suspendedReason: String?
    let updatedAt: Date?
    let credentials: [CredentialView]
    let partners: [Partner]
}

/// The reads behind `/facilitators` and `/facilitators/{slug}`. Filters are `EXISTS` tests on indexed facet rows,
/// so the directory costs the same however many organisations are listed.
enum FacilitatorQueries {
    /// The condition under which a credential earns the badge at `now` (the same rule as `CredentialCheck.isVerified`).
    static func verifiedCredential(of facilitator: SQLQueryString, now: Date) -> SQLQueryString {
        """
        EXISTS (SELECT 1 FROM credentials c WHERE c.facilitator_id = \(facilitator) AND c.status = \(bind: VerificationStatus.verified.rawValue) \
        AND c.last_verified_at IS NOT NULL AND (c.valid_from IS NULL OR c.valid_from <= \(bind: now)) \
        AND (c.valid_until IS NULL OR c.valid_until >= \(bind: now)))
        """
    }

    static func conditions(_ q: FacilitatorDirectoryQuery, now: Date, dialect: String) -> SQLQueryString {
        var parts: [SQLQueryString] = ["f.suspended_at IS NULL"]
        if let text = q.text?.lowercased() {
            let find: SQLQueryString = dialect == "postgresql" ? "strpos" : "instr"
            parts.append("(\(find)(lower(f.name), \(bind: text)) > 0 OR \(find)(lower(f.summary), \(bind: text)) > 0)")
        }
        let facets: [(FacilitatorFacet.Kind, String?)] = [(.patientCountry, q.patientCountry), (.destination, q.destination), (.language, q.language)]
        for (kind, code) in facets {
            guard let code else { continue }
            parts.append("""
                EXISTS (SELECT 1 FROM facilitator_facets x WHERE x.facilitator_id = f.id AND x.facet = \(bind: kind.rawValue) \
                AND x.code = \(bind: code))
                """)
        }
        if q.verifiedOnly { parts.append(verifiedCredential(of: "f.id", now: now)) }
        return parts.joined(separator: " AND ")
    }

    static func directory(_ q: FacilitatorDirectoryQuery, now: Date, on db: any Database) async throws -> FacilitatorDirectoryResult {
        let sql = db as! any SQLDatabase
        let dialect = sql.dialect.name
        let filter = conditions(q, now: now, dialect: dialect)
        struct Count: Decodable { let n: Int }
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM facilitators f WHERE \(filter)").first(decoding: Count.self)?.n ?? 0
        var unverified = q
        unverified.verifiedOnly = true
        let verifiedCount = q.verifiedOnly ? total
            : try await sql.raw("SELECT COUNT(*) AS n FROM facilitators f WHERE \(conditions(unverified, now: now, dialect: dialect))")
                .first(decoding: Count.self)?.n ?? 0
        struct Row: Decodable {
            let id: Int; let slug: String; let name: String; let country_code: String; let summary: String
            let is_sample: Bool; let accepting_cases: Bool; let verified: Int
        }
        let rows = try await sql.raw("""
            SELECT f.id, f.slug, f.name, f.country_code, f.summary, f.is_sample, f.accepting_cases, \
            CASE WHEN \(verifiedCredential(of: "f.id", now: now)) THEN 1 ELSE 0 END AS verified \
            FROM facilitators f WHERE \(filter) ORDER BY verified DESC, f.name, f.id \
            LIMIT \(literal: FacilitatorDirectoryQuery.perPage) OFFSET \(bind: q.offset)
            """).all(decoding: Row.self)
        var items = rows.map {
            FacilitatorCard(id: $0.id, slug: $0.slug, name: $0.name, countryCode: $0.country_code, summary: $0.summary, isSample: $0.is_sample,
                            acceptingCases: $0.accepting_cases, verified: $0.verified == 1)
        }
        try await fill(&items, on: db)
        struct FacetRow: Decodable { let facet: String; let code: String; let n: Int }
        let facetRows = try await sql.raw("""
            SELECT x.facet, x.code, COUNT(*) AS n FROM facilitator_facets x JOIN facilitators f ON f.id = x.facilitator_id \
            WHERE \(filter) GROUP BY x.facet, x.code ORDER BY n DESC, x.code
            """).all(decoding: FacetRow.self)
        var result = FacilitatorDirectoryResult(total: total, items: items, verifiedCount: verifiedCount)
        for row in facetRows {
            let facet = FacilitatorDirectoryResult.Facet(code: row.code, count: row.n)
            switch FacilitatorFacet.Kind(rawValue: row.facet) {
            case .patientCountry: result.patientCountries.append(facet)
            case .destination: result.destinations.append(facet)
            case .language: result.languages.append(facet)
            case nil: continue
            }
        }
        return result
    }

    /// Adds each card's facets and its number of active agreements (two queries for the whole page).
    static func fill(_ cards: inout [FacilitatorCard], on db: any Database) async throws {
        guard !cards.isEmpty else { return }
        let ids = cards.map(\.id)
        let facets = try await FacilitatorFacet.query(on: db).filter(\.$facilitatorID ~~ ids).sort(\.$facilitatorID).sort(\.$position).all()
        struct CountRow: Decodable { let facilitator_id: Int; let n: Int }
        let partners = try await (db as! any SQLDatabase).select().column("facilitator_id").column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from(FacilitatorAgreement.schema).where("facilitator_id", .in, SQLBind.group(ids)).where("status", .equal, SQLBind(AgreementStatus.active.rawValue))
            .groupBy("facilitator_id").all(decoding: CountRow.self)
        let counts = Dictionary(partners.map { ($0.facilitator_id, $0.n) }, uniquingKeysWith: +)
        for i in cards.indices {
            for f in facets where f.facilitatorID == cards[i].id {
                switch FacilitatorFacet.Kind(rawValue: f.facet) {
                case .patientCountry: cards[i].patientCountries.append(f.code)
                case .destination: cards[i].destinations.append(f.code)
                case .language: cards[i].languages.append(f.code)
                case nil: continue
                }
            }
            cards[i].partnerCount = counts[cards[i].id] ?? 0
        }
    }

    static func profile(slug: String, now: Date, on db: any Database) async throws -> FacilitatorProfile? {
        guard let f = try await Facilitator.query(on: db).filter(\.$slug == slug).first(), let id = f.id else { return nil }
        let credentials = try await Credential.query(on: db).filter(\.$facilitatorID == id)
            .filter(\.$status != VerificationStatus.refused.rawValue).all().map { CredentialView($0, now: now) }
            .sorted { ($0.verified ? 0 : 1, $0.title) < ($1.verified ? 0 : 1, $1.title) }
        var cards = [FacilitatorCard(id: id, slug: f.slug, name: f.name, countryCode: f.countryCode, summary: f.summary, isSample: f.isSample,
                                     acceptingCases: f.acceptingCases && f.suspendedAt == nil, verified: credentials.contains(where: \.verified))]
        try await fill(&cards, on: db)
        return FacilitatorProfile(card: cards[0], about: f.about, website: f.website.flatMap { HTMLSanitizer.safeURL($0) }.flatMap { $0.hasPrefix("http") ? $0 : nil },
                                  foundedYear: f.foundedYear, isSuspended: f.suspendedAt != nil, suspendedReason: f.suspendedReason,
                                  updatedAt: f.updatedAt, credentials: credentials, partners: try await partners(facilitatorID: id, now: now, on: db))
    }

    /// The providers a facilitator has an active agreement with (listed or not suspended), by name.
    static func partners(facilitatorID: Int, now: Date, on db: any Database) async throws -> [FacilitatorProfile.Partner] {
        let agreements = try await FacilitatorAgreement.query(on: db).filter(\.$facilitatorID == facilitatorID)
            .filter(\.$status == AgreementStatus.active.rawValue).all()
        let pids = Array(Set(agreements.compactMap(\.practitionerID)))
        let oids = Array(Set(agreements.compactMap(\.organizationID)))
        var partners: [FacilitatorProfile.Partner] = []
        if !pids.isEmpty {
            let verified = Set(try await Credential.query(on: db).filter(\.$practitioner.$id ~~ pids).all()
                .filter { CredentialView($0, now: now).verified }.compactMap { $0.$practitioner.id })
            for p in try await Practitioner.query(on: db).filter(\.$id ~~ pids).filter(\.$suspendedAt == nil).all() {
                partners.append(.init(key: ProviderKey.practitioner(p.id ?? 0), slug: p.slug, name: p.displayName, link: .provider(.value(p.slug)), city: p.primaryCity, country: p.primaryCountry,
                                      verified: verified.contains(p.id ?? -1), isSample: p.isSample))
            }
        }
        if !oids.isEmpty {
            let verified = Set(try await Credential.query(on: db).filter(\.$organization.$id ~~ oids).all()
                .filter { CredentialView($0, now: now).verified }.compactMap { $0.$organization.id })
            let places = try await Location.query(on: db).filter(\.$organization.$id ~~ oids).sort(\.$id).all()
            for o in try await Organization.query(on: db).filter(\.$id ~~ oids).filter(\.$suspendedAt == nil).all() {
                let l = places.first { $0.$organization.id == o.id }
                partners.append(.init(key: ProviderKey.organization(o.id ?? 0), slug: o.slug, name: o.name, link: .clinic(.value(o.slug)), city: l?.city, country: l?.countryCode,
                                      verified: verified.contains(o.id ?? -1), isSample: o.isSample))
            }
        }
        return partners.sorted { $0.name < $1.name }
    }
}

/// Where an agreement between a facilitator and a provider stands.
enum AgreementStatus: String, Sendable, CaseIterable {
    case proposed, active, declined, ended
}

extension CommissionTerms {
    /// Writes these terms into an agreement row (amounts as plain decimal text).
    func apply(to row: FacilitatorAgreement) {
        row.kind = kind.rawValue
        row.percent = percent.map { "\($0)" }
        row.fixedAmount = fixedAmount.map { "\($0)" }
        row.currency = currency.code
        row.paymentTermsDays = paymentTermsDays
    }

    /// The terms an agreement row holds (`nil` when the row does not hold valid terms).
    init?(_ row: FacilitatorAgreement) {
        self.init(kind: row.kind, percent: row.percent, fixedAmount: row.fixedAmount, currency: row.currency, paymentTermsDays: row.paymentTermsDays)
    }
}
