import Foundation
import Fluent
import SQLKit
import Domain

/// Loads the demo content into an empty database, in one transaction.
enum DemoSeeder {
    /// True when the database has no content yet.
    static func isEmpty(_ db: any Database) async throws -> Bool {
        try await Category.query(on: db).count() == 0
    }

    static func seed(on db: any Database, t: Localizer, now: Date, rates: ExchangeRates = .reference) async throws {
        let data = try DemoData.load()
        try await db.transaction { db in
            try await insert(data, on: db, rates: rates)
            try await ProviderIndexer.reindex(on: db, t: t, now: now)
            try await ArticleIndexer.reindexAll(on: db)
        }
    }

    private static func date(_ text: String?) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let d = ISODate.parse(text) else { throw DemoError("'\(text)' is not a YYYY-MM-DD date") }
        return d
    }

    private static func currency(_ code: String) throws -> CurrencyCode {
        guard let c = CurrencyCode(code) else { throw DemoError("unknown currency \(code)") }
        return c
    }

    private static func amount(_ text: String) throws -> Decimal {
        guard let d = Money.parseAmount(text), d >= 0 else { throw DemoError("'\(text)' is not an amount") }
        return d
    }

    static func insert(_ data: DemoData, on db: any Database, rates: ExchangeRates) async throws {
        var categories: [String: Int] = [:]
        for (i, c) in data.categories.enumerated() {
            let m = Category(slug: c.slug, name: c.name, summary: c.description, position: i)
            try await m.create(on: db)
            categories[c.slug] = m.id
        }
        var authors: [String: Int] = [:]
        for a in data.authors {
            let m = Author(slug: a.slug, name: a.name, title: a.title, bio: a.bio, isMedicalReviewer: a.isMedicalReviewer, isSample: a.isSample)
            try await m.create(on: db)
            authors[a.slug] = m.id
        }
        var procedures: [String: Int] = [:]
        for p in data.procedures {
            guard let categoryID = categories[p.category] else { throw DemoError("procedure \(p.slug): unknown category \(p.category)") }
            let m = Procedure()
            m.slug = p.slug; m.name = p.name; m.$category.id = categoryID; m.procedureType = p.procedureType
            m.bodyLocation = p.bodyLocation; m.summary = p.summary; m.whatItIs = p.whatItIs; m.suits = p.suits
            m.notSuits = p.notSuits; m.preparation = p.preparation; m.howPerformed = p.howPerformed; m.recovery = p.recovery
            m.resultsOnset = p.resultsOnset; m.resultsDuration = p.resultsDuration; m.risks = p.risks
            m.alternatives = p.alternatives; m.followup = p.followup; m.durationMinutes = p.durationMinutes; m.stayDays = p.stayDays
            if let r = p.reviewer {
                guard let id = authors[r] else { throw DemoError("procedure \(p.slug): unknown reviewer \(r)") }
                m.$reviewer.id = id
            }
            m.reviewedAt = try date(p.reviewed)
            m.sectionsHTML = GuideHTML.render(GuideHTML.markdown(of: m))
            try await m.create(on: db)
            procedures[p.slug] = m.id
            for s in p.priceSamples {
                let c = try currency(s.currency)
                let price = ProcedurePrice()
                price.$procedure.id = m.id!
                price.countryCode = s.country.uppercased()
                price.priceMinMinor = MinorUnits.from(try amount(s.min), c)
                price.priceMaxMinor = MinorUnits.from(try amount(s.max), c)
                price.currency = c.code
                price.isSample = true
                try await price.create(on: db)
            }
        }

        var organizations: [String: Int] = [:]
        var locations: [String: Int] = [:]
        for o in data.providers.organizations {
            let m = Organization()
            m.slug = o.slug; m.name = o.name; m.kind = o.kind; m.summary = o.description; m.website = o.website; m.isSample = o.isSample
            try await m.create(on: db)
            organizations[o.slug] = m.id
            for l in o.locations {
                let loc = Location()
                loc.$organization.id = m.id!; loc.key = l.key; loc.name = l.name; loc.street = l.street; loc.city = l.city
                loc.citySlug = Slug.make(l.city); loc.region = l.region; loc.postalCode = l.postalCode
                loc.countryCode = l.country.uppercased(); loc.latitude = l.latitude; loc.longitude = l.longitude
                try await loc.create(on: db)
                locations["\(o.slug)/\(l.key)"] = loc.id
            }
            for c in o.credentials ?? [] {
                try await credential(c, on: db).with { $0.$organization.id = m.id }.create(on: db)
            }
        }
        for o in data.providers.organizations {
            if let parent = o.partOf {
                guard let pid = organizations[parent] else { throw DemoError("organisation \(o.slug): unknown parent \(parent)") }
                try await Organization.query(on: db).filter(\.$id == organizations[o.slug]!).set(\.$parent.$id, to: pid).update()
            }
        }

        var practitioners: [String: Int] = [:]
        for p in data.providers.practitioners {
            let m = Practitioner()
            m.slug = p.slug; m.prefix = p.prefix; m.givenName = p.givenName; m.familyName = p.familyName; m.suffix = p.suffix
            m.displayName = [p.prefix, "\(p.givenName) \(p.familyName)"].compactMap { $0 }.joined(separator: " ") + (p.suffix.map { ", \($0)" } ?? "")
            m.specialty = p.specialty; m.bio = p.bio; m.practicingSince = p.practicingSince
            m.acceptingNewPatients = p.acceptingNewPatients; m.signatureTechniques = p.signatureTechniques.joined(separator: "\n")
            m.isSample = p.isSample; m.searchText = ""; m.profileScore = 0
            try await m.create(on: db)
            let id = m.id!
            practitioners[p.slug] = id
            for l in Set(p.languages.map { $0.lowercased() }) {
                try await PractitionerLanguage(practitionerID: id, languageCode: l).create(on: db)
            }
            for r in p.roles {
                guard let oid = organizations[r.organization], let lid = locations["\(r.organization)/\(r.location)"] else {
                    throw DemoError("practitioner \(p.slug): unknown role place \(r.organization)/\(r.location)")
                }
                let role = PractitionerRole()
                role.$practitioner.id = id; role.$organization.id = oid; role.$location.id = lid; role.title = r.title
                try await role.create(on: db)
            }
            for o in p.offers {
                guard let oid = organizations[o.organization], let lid = locations["\(o.organization)/\(o.location)"] else {
                    throw DemoError("practitioner \(p.slug): unknown offer place \(o.organization)/\(o.location)")
                }
                guard let procID = procedures[o.procedure] else { throw DemoError("practitioner \(p.slug): unknown procedure \(o.procedure)") }
                let offer = Offer()
                offer.$practitioner.id = id; offer.$organization.id = oid; offer.$location.id = lid; offer.$procedure.id = procID
                // A price may be open-ended ("from 12,000 EUR"): the upper bound is optional.
                if let lo = o.min, let code = o.currency {
                    let c = try currency(code)
                    let min = try amount(lo)
                    let max = try o.max.map(amount)
                    if let max, max < min { throw DemoError("practitioner \(p.slug): price max below min") }
                    offer.priceMinMinor = MinorUnits.from(min, c)
                    offer.priceMaxMinor = max.map { MinorUnits.from($0, c) }
                    offer.currency = c.code
                    offer.priceMinEURMinor = rates.toEuro(Money(min, c)).map { MinorUnits.from($0, .eur) }
                    offer.priceMaxEURMinor = max.flatMap { rates.toEuro(Money($0, c)) }.map { MinorUnits.from($0, .eur) }
                }
                try await offer.create(on: db)
            }
            for c in p.credentials {
                try await credential(c, on: db).with { $0.$practitioner.id = id }.create(on: db)
            }
        }

        try await insertFacilitators(data.facilitators, on: db)

        for a in data.articles {
            let slug = try a.required("slug")
            let m = Article()
            m.slug = slug
            m.title = try a.required("title")
            m.summary = try a.required("summary")
            m.bodyMarkdown = a.body
            m.bodyHTML = HTMLSanitizer.render(markdown: a.body).string
            guard let cid = categories[try a.required("category")] else { throw DemoError("article \(slug): unknown category") }
            m.$category.id = cid
            guard let aid = authors[try a.required("author")] else { throw DemoError("article \(slug): unknown author") }
            m.$author.id = aid
            if let r = a.meta["reviewer"], !r.isEmpty {
                guard let rid = authors[r] else { throw DemoError("article \(slug): unknown reviewer \(r)") }
                m.$reviewer.id = rid
            }
            if let f = a.meta["featured_provider"], !f.isEmpty {
                guard let pid = practitioners[f] else { throw DemoError("article \(slug): unknown featured provider \(f)") }
                m.$featuredPractitioner.id = pid
            }
            m.isClinical = (a.meta["clinical"] ?? "true").lowercased() != "false"
            m.readingMinutes = ReadingTime.minutes(for: a.body)
            guard let published = try date(a.required("published")) else { throw DemoError("article \(slug): no date") }
            m.publishedAt = published
            m.reviewedAt = try date(a.meta["reviewed"])
            m.searchText = ""
            try await m.create(on: db)
            for ps in (a.meta["procedures"] ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !ps.isEmpty {
                guard let procID = procedures[ps] else { throw DemoError("article \(slug): unknown procedure \(ps)") }
                try await ArticleProcedure(articleID: m.id!, procedureID: procID).create(on: db)
            }
        }
    }

    /// Facilitator organisations with their facets, credentials and agreements with sample clinics (all sample data).
    static func insertFacilitators(_ list: [DemoData.FacilitatorFile], on db: any Database) async throws {
        let epoch = ISODate.parse("2026-01-01")!
        for f in list {
            guard f.isSample else { throw DemoError("facilitator \(f.slug): every demo facilitator is sample data") }
            let m = Facilitator(slug: f.slug, name: f.name, countryCode: f.countryCode, isSample: f.isSample, summary: f.summary, about: f.about)
            m.website = f.website
            m.foundedYear = f.foundedYear
            m.acceptingCases = f.acceptingCases
            m.updatedAt = epoch
            try await m.create(on: db)
            let id = try m.requireID()
            let facets: [(FacilitatorFacet.Kind, [String])] = [(.patientCountry, f.patientCountries), (.destination, f.destinations), (.language, f.languages)]
            for (kind, codes) in facets {
                for (i, code) in codes.enumerated() {
                    try await FacilitatorFacet(facilitatorID: id, facet: kind, code: code, position: i).create(on: db)
                }
            }
            for c in f.credentials {
                try await credential(c, on: db).with { $0.facilitatorID = id }.create(on: db)
            }
            for a in f.agreements {
                guard let o = try await Organization.query(on: db).filter(\.$slug == a.organization).first(), let oid = o.id, o.isSample else {
                    throw DemoError("facilitator \(f.slug): agreements are with sample clinics only (\(a.organization))")
                }
                guard let terms = CommissionTerms(kind: a.kind, percent: a.percent, fixedAmount: a.fixedAmount, currency: a.currency,
                                                  paymentTermsDays: a.paymentTermsDays) else {
                    throw DemoError("facilitator \(f.slug): the agreement with \(a.organization) is not valid")
                }
                guard ISODate.parse(a.startsOn) != nil else { throw DemoError("facilitator \(f.slug): '\(a.startsOn)' is not a date") }
                let row = FacilitatorAgreement()
                row.facilitatorID = id
                row.providerKey = ProviderKey.organization(oid)
                row.organizationID = oid
                terms.apply(to: row)
                row.status = AgreementStatus.active.rawValue
                row.openClaim = FacilitatorAgreement.claim(facilitatorID: id, providerKey: row.providerKey)
                row.proposedSide = "facilitator"
                row.startsOn = a.startsOn
                row.createdAt = epoch
                row.updatedAt = epoch
                try await row.create(on: db)
            }
        }
    }

    private static func credential(_ c: DemoData.CredentialFile, on db: any Database) throws -> Credential {
        guard CredentialKind(rawValue: c.kind) != nil else { throw DemoError("unknown credential kind \(c.kind)") }
        guard VerificationStatus(rawValue: c.status) != nil else { throw DemoError("unknown credential status \(c.status)") }
        let m = Credential()
        m.kind = c.kind; m.title = c.title; m.issuer = c.issuer; m.number = c.number
        m.validFrom = try date(c.validFrom); m.validUntil = try date(c.validUntil); m.lastVerifiedAt = try date(c.lastVerified)
        m.status = c.status; m.registerURL = c.registerUrl; m.note = c.note; m.version = 0
        return m
    }
}

extension Credential {
    func with(_ change: (Credential) -> Void) -> Credential {
        change(self)
        return self
    }
}
