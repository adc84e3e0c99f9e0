import Foundation
import Testing
import VaporTesting
import Fluent
import SQLKit
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

@Suite("Filter tokens in the full-text index")
struct FilterTokenTests {
    @Test("Migration 003 computes the same filter tokens in SQL as the indexer does in Swift, and search still agrees")
    func migrationMatchesIndexer() async throws {
        try await withTestApp { app in
            // setup: the seeded index, written by Swift
            let sql = app.db as! any SQLDatabase
            func tokens() async throws -> [Int: Set<String>] {
                var result: [Int: Set<String>] = [:]
                for row in try await sql.raw("SELECT id, filter_text FROM practitioners").all() {
                    result[try row.decode(column: "id", as: Int.self)] = Set(try row.decode(column: "filter_text", as: String.self).split(separator: " ").map(String.init))
                }
                return result
            }
            let written = try await tokens()
            #expect(written.values.allSatisfy { !$0.isEmpty })
            // MUT: the migration's SQL recomputes them from the terms
            try await UpdatePractitionerSearchFilters().revert(on: app.db)
            try await UpdatePractitionerSearchFilters().prepare(on: app.db)
            try await ProviderIndexer.bumpGeneration(sql)
            // validate
            #expect(try await tokens() == written)
            let q = ProviderSearchQuery(text: "surgery", country: "ES", language: "en")
            let reference = try await ProviderSearch.runSQL(q, on: app.db, now: testNow, rates: .reference, facets: true)
            let indexed = try await ProviderSearch.run(q, on: app.db, now: testNow, index: app.providerFilterIndex)
            #expect(reference.total > 0)
            #expect(indexed.items.map(\.slug) == reference.items.map(\.slug))
        }
    }

    @Test("Tokens and query expressions")
    func expressions() {
        #expect(ProviderIndexer.filterToken("city:sao-paulo") == "citysaopaulo")
        #expect(ProviderIndexer.filterToken("country:TR") == "countrytr")
        #expect(SearchText.fts5Match(["nano"], filters: ["countrytr", "langen"]) == "search_text : (\"nano\"*) AND filter_text : (\"countrytr\" \"langen\")")
        #expect(SearchText.tsQuery(["nano", "fat"], filters: ["countrytr"]) == "nano:*A & fat:*A & countrytr:D")
    }

    @Test("Between generation checks the snapshot and this minute's verified set are read without the actor")
    func freshWithoutTheActor() async throws {
        try await withTestApp { app in
            let index = ProviderFilterIndex(checkInterval: .seconds(60))
            #expect(index.fresh(at: testNow, lastLocalWrite: nil) == nil)
            let snapshot = try await index.current(on: app.db)
            // The verified set of this minute is not known yet: the caller asks the actor.
            #expect(index.fresh(at: testNow, lastLocalWrite: nil) == nil)
            let bits = await index.verified(snapshot, at: testNow)
            let fresh = try #require(index.fresh(at: testNow, lastLocalWrite: nil))
            #expect(fresh.snapshot.generation == snapshot.generation)
            #expect(fresh.verified == bits)
            // The next minute, or a checked generation older than the interval, goes back to the actor.
            #expect(index.fresh(at: testNow.addingTimeInterval(60), lastLocalWrite: nil) == nil)
            #expect(ProviderFilterIndex(checkInterval: .zero).fresh(at: testNow, lastLocalWrite: nil) == nil)
            let immediate = ProviderFilterIndex(checkInterval: .zero)
            _ = await immediate.verified(try await immediate.current(on: app.db), at: testNow)
            #expect(immediate.fresh(at: testNow, lastLocalWrite: nil) == nil)
        }
    }

    @Test("Within a second of an index write on this node, a search asks the actor (which asks the database)")
    func freshAfterLocalWrite() async throws {
        try await withTestApp { app in
            let index = ProviderFilterIndex(checkInterval: .seconds(60))
            _ = await index.verified(try await index.current(on: app.db), at: testNow)
            #expect(index.fresh(at: testNow, lastLocalWrite: nil) != nil)
            #expect(index.fresh(at: testNow, lastLocalWrite: .now) == nil)
            #expect(index.fresh(at: testNow, lastLocalWrite: .now - .seconds(2)) != nil)
        }
    }
}
