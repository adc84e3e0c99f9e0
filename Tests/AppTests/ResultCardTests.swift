import Foundation
import Testing
import Vapor
import Fluent
import SQLKit
@testable import App
import Domain

/// A result card's details (languages, procedures, starting price) are read as one row a card; these check them
/// against the rows themselves, read with Fluent, on either database.
@Suite("Result cards")
struct ResultCardTests {
    @Test("A card lists each language and procedure once, sorted, and the lowest starting price of the asked procedure")
    func detailsMatchTheRows() async throws {
        try await withTestApp { app in
            let db = app.db
            let sql = db as! any SQLDatabase
            // setup: a practitioner with offers of two procedures, one of them offered twice (a second place, cheaper)
            let offers = try await Offer.query(on: db).filter(\.$practitioner.$id != nil).with(\.$procedure).all()
            let byPractitioner = Dictionary(grouping: offers) { $0.$practitioner.id! }
            let (id, own) = try #require(byPractitioner.sorted { $0.key < $1.key }
                .first { Set($0.value.map(\.$procedure.id)).count >= 2 && $0.value.contains { $0.priceMinEURMinor != nil } })
            let first = try #require(own.first { $0.priceMinEURMinor != nil })
            let lowest = own.filter { $0.$procedure.id == first.$procedure.id }.compactMap(\.priceMinEURMinor).min()!
            let cheaper = lowest / 2
            let copy = Offer()
            copy.$practitioner.id = id
            copy.$organization.id = first.$organization.id
            copy.$location.id = first.$location.id
            copy.$procedure.id = first.$procedure.id
            copy.currency = "EUR"
            copy.priceMinMinor = cheaper
            copy.priceMaxMinor = lowest
            copy.priceMinEURMinor = cheaper
            copy.priceMaxEURMinor = lowest
            try await copy.save(on: db)
            // The card's columns follow a listing's changes when it is re-indexed, as every save of a listing does.
            try await ProviderIndexer.reindex([id], on: db, t: app.localizer, now: Date())

            let languages = try await PractitionerLanguage.query(on: db).filter(\.$practitioner.$id == id).all().map(\.languageCode).sorted()
            let names = Set(own.map(\.procedure.name)).sorted()
            let allLowest = (own.compactMap(\.priceMinEURMinor) + [cheaper]).min()!

            // MUT: the card of one procedure's search, and of a listing without a procedure
            let slug = first.procedure.slug
            let cards = try await ProviderSearch.cards([id], verified: { _ in false }, procedure: slug, currency: .eur, on: sql, rates: .reference)
            var listed = [ProviderCard(id: id, slug: "", name: "", specialty: "", city: nil, country: nil, verified: false, isSample: true,
                                       acceptingNewPatients: nil, languages: [], procedures: [], priceFrom: nil)]
            try await ProviderSearch.fillDetails(&listed, procedure: nil, currency: .eur, on: sql, rates: .reference)

            // validate: whole euros, rounded half up, from the lowest starting price
            func whole(_ cents: Int64) -> Int64 { (cents + 50) / 100 * 100 }
            let card = try #require(cards.first)
            #expect(cards.count == 1)
            #expect(card.languages == languages && !languages.isEmpty)
            #expect(card.procedures == names)
            #expect(card.priceFromMinor == whole(cheaper))
            #expect(listed[0].languages == languages)
            #expect(listed[0].procedures == names)
            #expect(listed[0].priceFromMinor == whole(allLowest))
        }
    }

    @Test("Cards come back in the order asked, and an unknown id is left out")
    func orderOfIDs() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            let ids = try await Practitioner.query(on: app.db).sort(\.$id).limit(5).all().map { $0.id! }
            try #require(ids.count == 5)
            let asked = Array(ids.reversed()) + [9_999_999]
            let cards = try await ProviderSearch.cards(asked, verified: { $0 == ids[0] }, procedure: nil, currency: .eur, on: sql, rates: .reference)
            #expect(cards.map(\.id) == Array(ids.reversed()))
            #expect(cards.map(\.verified) == [false, false, false, false, true])
        }
    }
}
