import Foundation
import Testing
import Vapor
import Fluent
@testable import App
import Domain

@Suite("Demo data")
struct DemoDataTests {
    @Test("Articles across categories, each clinical one reviewed and dated")
    func articles() async throws {
        try await withTestApp { app in
            let articles = try await Article.query(on: app.db).all()
            #expect(articles.count >= 9)
            #expect(articles.count == 10)
            #expect(Set(articles.map(\.$category.id)).count >= 6)
            #expect(try await Category.query(on: app.db).count() == 8)
            for a in articles where a.isClinical {
                #expect(a.$reviewer.id != nil, "\(a.slug) has no reviewer")
                #expect(a.reviewedAt != nil, "\(a.slug) has no review date")
                if let reviewed = a.reviewedAt { #expect(reviewed >= a.publishedAt, "\(a.slug) reviewed before publication") }
            }
            #expect(articles.filter(\.isClinical).count >= 8)
            // Reviewers are medical reviewers.
            let reviewers = try await Author.query(on: app.db).filter(\.$isMedicalReviewer == true).all().compactMap(\.id)
            for a in articles { if let r = a.$reviewer.id { #expect(reviewers.contains(r), "\(a.slug)") } }
            // Bodies were rendered and indexed.
            for a in articles {
                #expect(!a.bodyHTML.isEmpty && !a.bodyHTML.contains("<script"))
                #expect(!a.searchText.isEmpty)
                #expect(a.readingMinutes >= 1)
            }
        }
    }

    @Test("Eighteen procedures, including the required ones, each reviewed with sample prices")
    func procedures() async throws {
        try await withTestApp { app in
            let procedures = try await Procedure.query(on: app.db).all()
            #expect(procedures.count == 18)
            let slugs = Set(procedures.map(\.slug))
            for required in ["microfat-lip-grafting", "nanofat-grafting", "nanofat-microneedling", "hyaluronic-acid-lip-filler",
                             "filler-dissolution-hyaluronidase", "macs-lift-facelift", "dental-implants", "hip-replacement", "ivf", "lasik",
                             "rhinoplasty", "hair-transplant"] {
                #expect(slugs.contains(required), "\(required)")
            }
            for p in procedures {
                #expect(p.$reviewer.id != nil && p.reviewedAt != nil, "\(p.slug)")
                #expect(Slug.isValid(p.slug))
                let prices = try await ProcedurePrice.query(on: app.db).filter(\.$procedure.$id == p.id!).all()
                #expect(prices.count >= 3, "\(p.slug)")
                #expect(prices.allSatisfy { $0.isSample && $0.priceMinMinor <= $0.priceMaxMinor && CurrencyCode($0.currency) != nil })
            }
        }
    }

    @Test("At least 40 fictional practitioners in 15 countries, and the one real surgeon")
    func practitioners() async throws {
        try await withTestApp { app in
            let practitioners = try await Practitioner.query(on: app.db).all()
            let sample = practitioners.filter(\.isSample)
            #expect(sample.count >= 40)
            let real = practitioners.filter { !$0.isSample }
            #expect(real.map(\.slug) == ["patrick-tonnard-md-phd"])
            let tonnard = try #require(real.first)
            #expect(tonnard.displayName == "Dr. Patrick Tonnard, MD, PhD")
            let locations = try await Location.query(on: app.db).all()
            #expect(Set(locations.map(\.countryCode)).count >= 15)
            let sampleIDs = Set(sample.compactMap(\.id))
            let roles = try await PractitionerRole.query(on: app.db).with(\.$location).all()
            let sampleCountries = Set(roles.filter { sampleIDs.contains($0.$practitioner.id) }.map(\.location.countryCode))
            #expect(sampleCountries.count >= 15)
            // Every practitioner works somewhere, is indexed and has a valid slug.
            for p in practitioners {
                #expect(roles.contains { $0.$practitioner.id == p.id }, "\(p.slug) has no place of work")
                #expect(!p.searchText.isEmpty, "\(p.slug) not indexed")
                #expect(p.primaryCountry != nil, "\(p.slug)")
                #expect(Slug.isValid(p.slug))
            }
            // Dr Tonnard's clinics are real too; every other organisation is sample data.
            let organizations = try await Organization.query(on: app.db).all()
            let realOrganizations = Set(organizations.filter { !$0.isSample }.map(\.slug))
            #expect(realOrganizations == ["coupure-center-for-plastic-surgery", "aesthetic-medical-center-2-emc2"])
            for l in locations { #expect(Slug.isValid(l.citySlug), "\(l.city) → \(l.citySlug)") }
        }
    }

    @Test("Every offer in providers.json keeps the price the file gives")
    func offerPrices() async throws {
        try await withTestApp { app in
            let (_, practitioners) = try demoProviders()
            let offers = try await Offer.query(on: app.db).with(\.$procedure).with(\.$practitioner).all()
            var checked = 0
            for p in practitioners {
                let slug = try #require(p["slug"] as? String)
                for o in p["offers"] as? [[String: Any]] ?? [] {
                    let procedure = try #require(o["procedure"] as? String)
                    let stored = offers.first { $0.practitioner?.slug == slug && $0.procedure.slug == procedure }
                    let row = try #require(stored, "\(slug) \(procedure) missing")
                    guard let min = o["min"] as? String, let code = o["currency"] as? String else {
                        #expect(row.priceMinMinor == nil, "\(slug) \(procedure) has a price the file does not give")
                        continue
                    }
                    let currency = try #require(CurrencyCode(code))
                    #expect(row.currency == currency.code, "\(slug) \(procedure): currency \(row.currency ?? "nil")")
                    #expect(row.priceMinMinor == MinorUnits.from(Decimal(string: min)!, currency), "\(slug) \(procedure): the starting price \(min) \(code) was lost")
                    if let max = o["max"] as? String {
                        #expect(row.priceMaxMinor == MinorUnits.from(Decimal(string: max)!, currency), "\(slug) \(procedure)")
                    }
                    #expect(row.priceMinEURMinor != nil, "\(slug) \(procedure) has no euro equivalent for filtering")
                    checked += 1
                }
            }
            #expect(checked > 100)
        }
    }

    @Test("A 'from' price without an upper bound shows on the profile instead of 'On request'")
    func openEndedPrice() async throws {
        try await withTestApp { app in
            // providers.json: Dr Jin-ho Park quotes rhinoplasty from 6,000,000 KRW with no upper bound.
            let res = try await send(app, .GET, "/providers/dr-jin-ho-park")
            #expect(res.status == .ok)
            #expect(res.text.contains("6,000,000 KRW"), "the quoted starting price is missing from the profile")
        }
    }

    @Test("Credentials in the file are stored as given")
    func credentials() async throws {
        try await withTestApp { app in
            let (organizations, practitioners) = try demoProviders()
            let fileCount = practitioners.reduce(0) { $0 + ($1["credentials"] as? [Any] ?? []).count }
                + organizations.reduce(0) { $0 + ($1["credentials"] as? [Any] ?? []).count }
            let facilitators = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: demoFile("facilitators.json"))) as? [[String: Any]])
            let facilitatorCount = facilitators.reduce(0) { $0 + ($1["credentials"] as? [Any] ?? []).count }
            let stored = try await Credential.query(on: app.db).all()
            #expect(stored.count == fileCount + facilitatorCount)
            for c in stored {
                #expect(VerificationStatus(rawValue: c.status) != nil)
                #expect(CredentialKind(rawValue: c.kind) != nil)
                #expect([c.$practitioner.id, c.$organization.id, c.facilitatorID].compactMap { $0 }.count == 1, "a credential belongs to exactly one holder")
                if let from = c.validFrom, let until = c.validUntil { #expect(from <= until, "\(c.title)") }
            }
            // Dr Tonnard's only credential is unverified, as published.
            let tonnard = try #require(try await Practitioner.query(on: app.db).filter(\.$slug == "patrick-tonnard-md-phd").first())
            let his = stored.filter { $0.$practitioner.id == tonnard.id }
            #expect(his.count == 1)
            #expect(his.first?.status == "unverified")
            #expect(his.allSatisfy { !CredentialView($0, now: testNow).verified })
        }
    }

    @Test("Seeding is skipped on a database that already has content, and an unseeded app is empty")
    func seeding() async throws {
        try await withTestApp(seed: false) { app in
            #expect(try await DemoSeeder.isEmpty(app.db))
            #expect(try await Practitioner.query(on: app.db).count() == 0)
            let res = try await send(app, .GET, "/providers")
            #expect(res.status == .ok)
            #expect(res.text.contains("0 providers found"))
            let home = try await send(app, .GET, "/")
            #expect(home.status == .ok)
            try await DemoSeeder.seed(on: app.db, t: app.localizer, now: testNow)
            #expect(try await !DemoSeeder.isEmpty(app.db))
            #expect(try await Practitioner.query(on: app.db).count() == 52)
        }
    }

    @Test("Minor units and decimal amounts convert exactly both ways, for currencies with 0, 2 and 3 decimals")
    func minorUnits() throws {
        for code in ["JPY", "EUR", "KWD"] {
            let currency = try #require(CurrencyCode(code))
            for minor: Int64 in [0, 1, 5, 99, 100, 12_345, 250_000_00, -1, -12_345, 9_007_199_254_740_993] {
                let amount = MinorUnits.toDecimal(minor, currency)
                var expected = Decimal(minor)
                for _ in 0..<currency.minorUnits { expected /= 10 }
                #expect(amount == expected, "\(code) \(minor)")
                // The API writes amounts with `description`: the same text either way.
                #expect(amount.description == expected.description, "\(code) \(minor)")
                #expect(MinorUnits.from(amount, currency) == minor, "\(code) \(minor)")
            }
        }
        #expect(MinorUnits.from(Decimal(string: "12.345")!, .eur) == 1_235)
    }
}
