import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Another member of the team saved the profile since the page was opened; answered 409 with the way to reload.
struct ProfileChanged: Error {}

/// A practice or clinic editing its own listing. Each save is one conditional update on the profile's version
/// (two editors at once: one wins, the other is told), audited, and live at once on every node (re-indexed, the
/// content generation moved). Facts a patient relies on — a new procedure, a price range moved by more than a
/// fifth, a new location — also set "updated on …" on the public page.
enum ProfileService {
    struct LocationView: Sendable {
        let id: Int
        let organizationID: Int
        let name: String
        let address: String
        let country: String
        let hours: [WeeklyHours]
    }

    struct Snapshot: Sendable {
        let version: Int
        let about: FormInput
        let offers: [OfferRow]
        let locations: [LocationView]
        /// A clinic's practitioners (whom an offer may name); empty for a practitioner's own practice.
        let team: [(id: Int, name: String)]
        let procedures: [(String, String)]
        let factsUpdatedAt: Date?
        let factsChanged: Set<ProfileFact>
    }

    static func table(_ w: SchedulePages.Workplace) -> (name: String, id: Int) {
        if let p = w.practitionerID { return ("practitioners", p) }
        return ("organizations", w.organizationID ?? 0)
    }

    static func facts(_ raw: String?) -> Set<ProfileFact> {
        Set((raw ?? "").split(separator: ",").compactMap { ProfileFact(rawValue: String($0)) })
    }

    static func decodeHours(_ raw: String?) -> [WeeklyHours] {
        guard let raw, let data = raw.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([WeeklyHours].self, from: data)) ?? []
    }

    // MARK: reading

    static func load(_ w: SchedulePages.Workplace, on db: any Database) async throws -> Snapshot {
        let sql = db as! any SQLDatabase
        let (tableName, id) = table(w)
        struct Meta: Decodable { let profile_version: Int; let facts_updated_at: Date?; let facts_changed: String? }
        guard let meta = try await sql.select().column("profile_version").column("facts_updated_at").column("facts_changed")
            .from(tableName).where("id", .equal, SQLBind(id)).first(decoding: Meta.self) else { throw Abort(.notFound) }
        var about = FormInput()
        var team: [(Int, String)] = []
        var locationRows: [Location] = []
        if let pid = w.practitionerID, let p = try await Practitioner.find(pid, on: db) {
            let languages = try await PractitionerLanguage.query(on: db).filter(\.$practitioner.$id == pid).all().map(\.languageCode)
            about = PractitionerAbout(bio: p.bio, languages: languages.sorted(), practicingSince: p.practicingSince, acceptingNewPatients: p.acceptingNewPatients,
                                      techniques: p.signatureTechniques.split(separator: "\n").map(String.init)).formInput
            let roles = try await PractitionerRole.query(on: db).filter(\.$practitioner.$id == pid).with(\.$location).all()
            var seen = Set<Int>()
            locationRows = roles.map(\.location).filter { seen.insert($0.id ?? 0).inserted }
        } else if let oid = w.organizationID, let o = try await Organization.find(oid, on: db) {
            about = ClinicAbout(description: o.summary, website: o.website).formInput
            locationRows = try await Location.query(on: db).filter(\.$organization.$id == oid).sort(\.$id).all()
            let roles = try await PractitionerRole.query(on: db).filter(\.$organization.$id == oid).with(\.$practitioner).all()
            var seen = Set<Int>()
            team = roles.compactMap { r in seen.insert(r.practitioner.id ?? 0).inserted ? (r.practitioner.id ?? 0, r.practitioner.displayName) : nil }
                .sorted { $0.1 < $1.1 }
        }
        let offers = try await offerRows(w, on: db)
        let locations = locationRows.map { l in
            LocationView(id: l.id ?? 0, organizationID: l.$organization.id, name: l.name,
                         address: [l.street, l.postalCode.map { "\($0) \(l.city)" } ?? l.city].compactMap { $0 }.joined(separator: ", "),
                         country: l.countryCode, hours: decodeHours(l.openingHours))
        }
        return Snapshot(version: meta.profile_version, about: about, offers: offers, locations: locations, team: team,
                        procedures: try await DirectoryQueries.procedureChoices(on: db), factsUpdatedAt: meta.facts_updated_at,
                        factsChanged: facts(meta.facts_changed))
    }

    static func offerRows(_ w: SchedulePages.Workplace, on db: any Database) async throws -> [OfferRow] {
        var query = Offer.query(on: db).with(\.$procedure)
        if let pid = w.practitionerID { query = query.filter(\.$practitioner.$id == pid) }
        else if let oid = w.organizationID { query = query.filter(\.$organization.$id == oid) }
        return try await query.sort(\.$id).all().map { o in
            var price: PriceRange?
            if let lo = o.priceMinMinor, let code = o.currency, let c = CurrencyCode(code) {
                price = PriceRange(min: MinorUnits.toDecimal(lo, c), max: MinorUnits.toDecimal(o.priceMaxMinor ?? lo, c), currency: c)
            }
            return OfferRow(procedure: o.procedure.slug, location: o.$location.id, practitioner: w.practitionerID == nil ? o.$practitioner.id : nil, price: price)
        }
    }

    // MARK: writing

    /// The conditional update every save starts with: the version must still be the one the editor saw.
    static func claim(_ w: SchedulePages.Workplace, expected: Int, now: Date, facts: Set<ProfileFact>, on tx: any Database) async throws {
        let (tableName, id) = table(w)
        let sql = tx as! any SQLDatabase
        var update = sql.update(tableName).set("profile_version", to: SQLRaw("profile_version + 1")).set("updated_at", to: SQLBind(now))
        if !facts.isEmpty {
            update = update.set("facts_updated_at", to: SQLBind(now)).set("facts_changed", to: SQLBind(facts.map(\.rawValue).sorted().joined(separator: ",")))
        }
        let rows = try await update.where("id", .equal, SQLBind(id)).where("profile_version", .equal, SQLBind(expected)).returning("id").all()
        guard rows.count == 1 else { throw ProfileChanged() }
    }

    /// After a save: audit, re-index the practitioners concerned, move the content generation (every node).
    static func finish(_ w: SchedulePages.Workplace, action: String, user: SignedInUser, app: Application, source: String, now: Date,
                       on tx: any Database) async throws {
        try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "profile.\(action)", objectType: "provider",
                                             objectID: w.key, source: source), at: now, app: app, on: tx)
        var ids: [Int] = []
        if let p = w.practitionerID { ids = [p] }
        if let o = w.organizationID {
            ids = Array(Set(try await PractitionerRole.query(on: tx).filter(\.$organization.$id == o).all().map { $0.$practitioner.id }))
        }
        if !ids.isEmpty { try await ProviderIndexer.reindex(ids, on: tx, t: app.localizer, now: now) }
        try await ContentGeneration.bump(on: tx)
    }

    static func saveAbout(_ w: SchedulePages.Workplace, practitioner: PractitionerAbout?, clinic: ClinicAbout?, expected: Int, user: SignedInUser,
                          app: Application, source: String, on db: any Database) async throws {
        let now = app.clock.now()
        try await app.writes.transaction(on: db) { tx in
            try await claim(w, expected: expected, now: now, facts: [], on: tx)
            let sql = tx as! any SQLDatabase
            if let pid = w.practitionerID, let a = practitioner {
                try await sql.update("practitioners").set("bio", to: SQLBind(a.bio)).set("practicing_since", to: SQLBind(a.practicingSince))
                    .set("accepting_new_patients", to: SQLBind(a.acceptingNewPatients))
                    .set("signature_techniques", to: SQLBind(a.techniques.joined(separator: "\n"))).where("id", .equal, SQLBind(pid)).run()
                try await sql.delete(from: "practitioner_languages").where("practitioner_id", .equal, SQLBind(pid)).run()
                for code in a.languages { try await PractitionerLanguage(practitionerID: pid, languageCode: code).create(on: tx) }
            } else if let oid = w.organizationID, let c = clinic {
                try await sql.update("organizations").set("description", to: SQLBind(c.description)).set("website", to: SQLBind(c.website))
                    .where("id", .equal, SQLBind(oid)).run()
            } else {
                throw Abort(.badRequest)
            }
            try await finish(w, action: "about", user: user, app: app, source: source, now: now, on: tx)
        }
        app.renderCache.invalidate()
    }

    /// Replaces the practice's offers with `rows`; returns the facts that changed.
    @discardableResult
    static func saveOffers(_ w: SchedulePages.Workplace, rows: [OfferRow], locations: [LocationView], expected: Int, user: SignedInUser,
                           app: Application, source: String, on db: any Database) async throws -> Set<ProfileFact> {
        let now = app.clock.now()
        let rates = ExchangeRates.reference
        let changed = try await app.writes.transaction(on: db) { tx -> Set<ProfileFact> in
            let before = try await offerRows(w, on: tx)
            let facts = ProfileFactChange.classify(before: before, after: rows)
            try await claim(w, expected: expected, now: now, facts: facts, on: tx)
            let procedures = try await Procedure.query(on: tx).filter(\.$slug ~~ Set(rows.map(\.procedure))).all()
            var old = Offer.query(on: tx)
            if let pid = w.practitionerID { old = old.filter(\.$practitioner.$id == pid) }
            else if let oid = w.organizationID { old = old.filter(\.$organization.$id == oid) }
            try await old.delete()
            for row in rows {
                guard let procedure = procedures.first(where: { $0.slug == row.procedure }), let place = locations.first(where: { $0.id == row.location }) else {
                    throw Abort(.badRequest)
                }
                let offer = Offer()
                offer.$practitioner.id = w.practitionerID ?? row.practitioner
                offer.$organization.id = place.organizationID
                offer.$location.id = place.id
                offer.$procedure.id = try procedure.requireID()
                if let price = row.price {
                    offer.priceMinMinor = MinorUnits.from(price.min, price.currency)
                    offer.priceMaxMinor = MinorUnits.from(price.max, price.currency)
                    offer.currency = price.currency.code
                    offer.priceMinEURMinor = rates.toEuro(Money(price.min, price.currency)).map { MinorUnits.from($0, .eur) }
                    offer.priceMaxEURMinor = rates.toEuro(Money(price.max, price.currency)).map { MinorUnits.from($0, .eur) }
                }
                try await offer.create(on: tx)
            }
            try await finish(w, action: "offers", user: user, app: app, source: source, now: now, on: tx)
            return facts
        }
        app.renderCache.invalidate()
        return changed
    }

    static func saveHours(_ w: SchedulePages.Workplace, location: Int, hours: [WeeklyHours], expected: Int, user: SignedInUser,
                          app: Application, source: String, on db: any Database) async throws {
        let now = app.clock.now()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(hours), as: UTF8.self)
        try await app.writes.transaction(on: db) { tx in
            try await claim(w, expected: expected, now: now, facts: [], on: tx)
            try await (tx as! any SQLDatabase).update("locations").set("opening_hours", to: SQLBind(json)).where("id", .equal, SQLBind(location)).run()
            try await finish(w, action: "hours", user: user, app: app, source: source, now: now, on: tx)
        }
        app.renderCache.invalidate()
    }

    /// A new location: under the clinic, or under the organisation of the practitioner's first place (with a role
    /// there). A fact patients rely on ("updated on …").
    static func addLocation(_ w: SchedulePages.Workplace, _ new: NewLocation, expected: Int, user: SignedInUser, app: Application, source: String,
                            on db: any Database) async throws {
        let now = app.clock.now()
        try await app.writes.transaction(on: db) { tx in
            try await claim(w, expected: expected, now: now, facts: [.locations], on: tx)
            var organizationID = w.organizationID
            var role: PractitionerRole?
            if let pid = w.practitionerID {
                role = try await PractitionerRole.query(on: tx).filter(\.$practitioner.$id == pid).sort(\.$id).first()
                organizationID = role?.$organization.id
            }
            guard let organizationID else { throw Abort(.conflict, reason: app.localizer("practice.profile.noOrganization")) }
            let location = Location()
            location.$organization.id = organizationID
            location.key = "loc-" + UUID().uuidString.lowercased().prefix(8)
            location.name = new.name
            location.street = new.street
            location.city = new.city
            location.citySlug = Slug.make(new.city)
            location.postalCode = new.postalCode
            location.countryCode = new.country
            try await location.create(on: tx)
            if let pid = w.practitionerID, let role {
                let link = PractitionerRole()
                link.$practitioner.id = pid
                link.$organization.id = organizationID
                link.$location.id = try location.requireID()
                link.title = role.title
                try await link.create(on: tx)
            }
            try await finish(w, action: "location", user: user, app: app, source: source, now: now, on: tx)
        }
        app.renderCache.invalidate()
    }
}
