import Foundation
import Testing
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("In-process filter index agrees with the SQL reference")
struct FilterIndexTests {
    static let queries: [ProviderSearchQuery] = [
        ProviderSearchQuery(),
        ProviderSearchQuery(text: "nanofat"),
        ProviderSearchQuery(text: "dental implants"),
        ProviderSearchQuery(text: "Tonnard"),
        ProviderSearchQuery(text: "istanbul", language: "en"),
        ProviderSearchQuery(procedure: "microfat-lip-grafting"),
        ProviderSearchQuery(country: "TR", language: "tr"),
        ProviderSearchQuery(text: "surgery", country: "ES", verifiedOnly: true),
        ProviderSearchQuery(verifiedOnly: true),
        ProviderSearchQuery(city: "seoul"),
        ProviderSearchQuery(text: "no-such-word-anywhere"),
        ProviderSearchQuery(country: "ZZ"),
        ProviderSearchQuery(paging: Paging(page: 3, perPage: 5)),
        ProviderSearchQuery(text: "surgeon", paging: Paging(page: 2, perPage: 7)),
        ProviderSearchQuery(paging: Paging(page: 40, perPage: 20)),
    ]

    @Test("Totals, verified counts, facets and the ordered page are the same", arguments: Array(queries.indices))
    func agrees(_ i: Int) async throws {
        let q = Self.queries[i]
        try await withTestApp { app in
            // MUT
            let reference = try await ProviderSearch.runSQL(q, on: app.db, now: testNow, rates: .reference, facets: true)
            let indexed = try await ProviderSearch.run(q, on: app.db, now: testNow, index: app.providerFilterIndex)
            // validate
            #expect(indexed.total == reference.total)
            #expect(indexed.verifiedCount == reference.verifiedCount)
            #expect(indexed.items.map(\.slug) == reference.items.map(\.slug))
            #expect(indexed.items.map(\.verified) == reference.items.map(\.verified))
            #expect(indexed.procedures == reference.procedures)
            #expect(indexed.countries == reference.countries)
            #expect(indexed.cities == reference.cities)
            #expect(indexed.languages == reference.languages)
        }
    }

    @Test("A change to the index on any node reaches the next search")
    func generation() async throws {
        try await withTestApp { app in
            // setup: a first search loads the index
            let before = try await ProviderSearch.run(ProviderSearchQuery(text: "Zanzibar"), on: app.db, now: testNow, index: app.providerFilterIndex)
            #expect(before.total == 0)
            let p = try #require(try await Practitioner.query(on: app.db).filter(\.$slug == "dr-selin-aydin").first())
            p.specialty = "Dentistry (Zanzibar outreach)"
            try await p.save(on: app.db)
            // MUT: re-indexing bumps the generation in the database
            try await ProviderIndexer.reindex([p.id!], on: app.db, t: app.localizer, now: testNow)
            let after = try await ProviderSearch.run(ProviderSearchQuery(text: "Zanzibar"), on: app.db, now: testNow, index: app.providerFilterIndex)
            // validate
            #expect(after.items.map(\.slug) == ["dr-selin-aydin"])
        }
    }
}

@Suite("Bitset")
struct BitsetTests {
    @Test("Insert, contains, count, intersection and ordered iteration")
    func basics() {
        var a = Bitset(capacity: 200, members: [0, 5, 63, 64, 130, 199])
        let b = Bitset(capacity: 200, members: [5, 64, 150, 199])
        #expect(a.count == 6)
        #expect(a.contains(63) && !a.contains(62))
        #expect(!a.contains(-1) && !a.contains(200))
        #expect(a.intersectionCount(b) == 3)
        a.insert(500)
        #expect(a.count == 6)
        a.formIntersection(b)
        var seen: [Int] = []
        a.forEach { seen.append($0) }
        #expect(seen == [5, 64, 199])
    }
}
