import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

extension Demo {
    static let mediterrania = DemoAccounts.accounts.first { $0.organizationSlug == "clinica-mediterrania-estetica" }!
}

@Suite("Practice profile")
struct PracticeProfileTests {
    static let surgeon = DemoAccounts.featuredSurgeonSlug

    static func surgeonPlace(_ app: Application) async throws -> SchedulePages.Workplace {
        let p = try #require(try await Practitioner.query(on: app.db).filter(\.$slug == surgeon).first())
        return SchedulePages.Workplace(key: ProviderKey.practitioner(p.id!), name: p.displayName, practitionerID: p.id, organizationID: nil, slug: p.slug)
    }

    /// The offers form's fields for `rows`, with the section and version.
    static func offerFields(_ rows: [OfferRow], version: Int) -> [(String, String)] {
        var fields: [(String, String)] = [("section", "offers"), ("version", "\(version)"), ("intent", "save")]
        for r in rows {
            fields += [("offer_procedure", r.procedure), ("offer_location", "\(r.location)"), ("offer_practitioner", r.practitioner.map(String.init) ?? ""),
                       ("offer_min", r.price.map { "\($0.min)" } ?? ""), ("offer_max", r.price.map { "\($0.max)" } ?? ""),
                       ("offer_currency", r.price?.currency.code ?? "")]
        }
        return fields
    }

    @Test("The practice changes a price range: live at once on the profile with 'updated on', audited; a small move later keeps the date; a stale form is refused")
    func priceRange() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            let place = try await Self.surgeonPlace(app)
            let staff = try await staffBrowser(app)
            #expect(try await staff.get("/practice/profile").status == .ok)
            var snapshot = try await ProfileService.load(place, on: app.db)
            var rows = snapshot.offers
            let index = try #require(rows.firstIndex { $0.procedure == "microfat-lip-grafting" })
            rows[index].price = PriceRange(min: 2800, max: 3900, currency: .eur)
            let saved = try await staff.submit("/practice/profile", Self.offerFields(rows, version: snapshot.version))
            #expect(saved.status == .seeOther)
            var page = try await Browser(app).get("/providers/\(Self.surgeon)").text
            #expect(page.contains("2,800 – 3,900 EUR"))
            #expect(page.contains("Updated on 25 November 2026: prices."))
            let audited = try await AuditEvent.query(on: app.db).filter(\.$objectID == place.key).all().map(\.action)
            #expect(audited.contains("profile.offers"))

            // Ten per cent more a week later: not a fact patients must be told about again.
            clock.advance(7 * 86_400)
            let staffLater = try await staffBrowser(app)
            snapshot = try await ProfileService.load(place, on: app.db)
            rows[index].price = PriceRange(min: 3000, max: 4200, currency: .eur)
            #expect(try await staffLater.submit("/practice/profile", Self.offerFields(rows, version: snapshot.version)).status == .seeOther)
            page = try await Browser(app).get("/providers/\(Self.surgeon)").text
            #expect(page.contains("3,000 – 4,200 EUR"))
            #expect(page.contains("Updated on 25 November 2026: prices."))

            // A form opened before the last save is refused, and changes nothing.
            let stale = try await staffLater.submit("/practice/profile", Self.offerFields([], version: snapshot.version))
            #expect(stale.status == .conflict)
            #expect(try await ProfileService.load(place, on: app.db).offers.count == rows.count)

            // Bad cells are named at their row; nothing is saved.
            var bad = Self.offerFields(rows, version: snapshot.version + 1)
            bad = bad.map { $0.0 == "offer_currency" && $0.1 == "EUR" ? ("offer_currency", "XYZ") : $0 }
            let refused = try await staffLater.submit("/practice/profile", bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("href=\"#offers-\(index)-currency\""))
        }
    }

    @Test("About, opening hours and a new location: plain text live at once (escaped), hours shown by day, a new place marked as updated")
    func aboutHoursAndLocation() async throws {
        try await withTestApp { app in
            let place = try await Self.surgeonPlace(app)
            let staff = try await staffBrowser(app)
            var snapshot = try await ProfileService.load(place, on: app.db)
            let about = try await staff.submit("/practice/profile", [("section", "about"), ("version", "\(snapshot.version)"),
                ("bio", "Facial surgery in Ghent. <script>alert(1)</script>"), ("languages", "nl"), ("languages", "en"), ("practicing_since", "1990"),
                ("accepting", "yes"), ("techniques", "MACS-lift\nNanofat grafting")])
            #expect(about.status == .seeOther)
            var page = try await Browser(app).get("/providers/\(Self.surgeon)").text
            #expect(page.contains("Facial surgery in Ghent. &lt;script&gt;"))
            #expect(!page.contains("<script>alert(1)"))
            #expect(!page.contains("Updated on"))

            let badYear = try await staff.submit("/practice/profile", [("section", "about"), ("version", "\(snapshot.version + 1)"), ("bio", "x"),
                                                                       ("practicing_since", "3000")])
            #expect(badYear.status == .unprocessableEntity)
            #expect(badYear.text.contains("href=\"#practicing_since\""))

            snapshot = try await ProfileService.load(place, on: app.db)
            let location = try #require(snapshot.locations.first).id
            let overlap = try await staff.submit("/practice/profile", [("section", "hours"), ("version", "\(snapshot.version)"), ("location", "\(location)"),
                ("hours_day", "1"), ("hours_start", "09:00"), ("hours_end", "12:00"), ("hours_day", "1"), ("hours_start", "11:00"), ("hours_end", "13:00")])
            #expect(overlap.status == .unprocessableEntity)
            #expect(try await staff.submit("/practice/profile", [("section", "hours"), ("version", "\(snapshot.version)"), ("location", "\(location)"),
                ("hours_day", "1"), ("hours_start", "09:00"), ("hours_end", "12:00"), ("hours_day", "1"), ("hours_start", "14:00"), ("hours_end", "18:00")]).status == .seeOther)
            page = try await Browser(app).get("/providers/\(Self.surgeon)").text
            #expect(page.contains("09:00–12:00, 14:00–18:00"))

            snapshot = try await ProfileService.load(place, on: app.db)
            let missing = try await staff.submit("/practice/profile", [("section", "location"), ("version", "\(snapshot.version)"), ("location_name", "Antwerp rooms")])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.text.contains("href=\"#location_city\""))
            #expect(try await staff.submit("/practice/profile", [("section", "location"), ("version", "\(snapshot.version)"), ("location_name", "Antwerp consulting rooms"),
                ("location_street", "Meir 1"), ("location_city", "Antwerp"), ("location_country", "BE")]).status == .seeOther)
            page = try await Browser(app).get("/providers/\(Self.surgeon)").text
            #expect(page.contains("Antwerp consulting rooms"))
            #expect(page.contains("Updated on 25 November 2026: locations."))
            // Searching for the new city finds the practice.
            #expect(try await Browser(app).get("/providers?q=antwerp").text.contains("/providers/\(Self.surgeon)"))
        }
    }

    @Test("A clinic's staff edit the clinic's offers and name who performs each; another practice's staff cannot reach it")
    func clinic() async throws {
        try await withTestApp { app in
            let org = try #require(try await Organization.query(on: app.db).filter(\.$slug == "clinica-mediterrania-estetica").first())
            let place = SchedulePages.Workplace(key: ProviderKey.organization(org.id!), name: org.name, practitionerID: nil, organizationID: org.id, slug: org.slug)
            let staff = try await staffBrowser(app, Demo.mediterrania.email, Demo.mediterrania.password)
            let snapshot = try await ProfileService.load(place, on: app.db)
            #expect(!snapshot.team.isEmpty)
            var rows = snapshot.offers
            rows.append(OfferRow(procedure: "nanofat-grafting", location: snapshot.locations[0].id, practitioner: snapshot.team[0].id,
                                 price: PriceRange(min: 1500, max: 2500, currency: .eur)))
            #expect(try await staff.submit("/practice/profile", Self.offerFields(rows, version: snapshot.version)).status == .seeOther)
            let page = try await Browser(app).get("/clinics/clinica-mediterrania-estetica").text
            #expect(page.contains("1,500 – 2,500 EUR"))
            // The clinic offered nanofat grafting already (by another of its doctors): a new price, not a new procedure.
            #expect(page.contains("Updated on 25 November 2026: prices."))

            let other = try await staffBrowser(app, Demo.lale.email, Demo.lale.password)
            #expect(try await other.get("/practice/profile?provider=\(place.key)").status == .notFound)
            let token = try #require(Browser.csrf(in: try await other.get("/practice/profile").text))
            #expect(try await other.post("/practice/profile?provider=\(place.key)", Self.offerFields([], version: snapshot.version + 1) + [("csrf", token)]).status == .notFound)
            #expect(try await ProfileService.load(place, on: app.db).offers.count == rows.count)
        }
    }
}
