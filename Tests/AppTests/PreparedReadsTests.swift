import Foundation
import Testing
import Vapor
import Fluent
import SQLKit
@testable import App

@Suite("Prepared reads of the public pages")
struct PreparedReadsTests {
    struct Row: Decodable, Equatable { let slug: String; let n: Int?; let d: Date? }

    /// The same rows as an ordinary query, with a null bind, a date, a text and a list of ids, on either database; on
    /// PostgreSQL the read went through a named statement (its text holds a slot).
    @Test func sameRowsAsAnOrdinaryQuery() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            struct ID: Decodable { let id: Int }
            let ids = try await sql.select().column("id").from("practitioners").orderBy("id").limit(3).all(decoding: ID.self).map(\.id)
            try #require(ids.count == 3)
            let none: Int? = nil
            let now = app.clock.now()
            let query: SQLQueryString = """
                SELECT slug AS slug, CAST(\(bind: none) AS BIGINT) AS n, CAST(\(bind: now) AS TIMESTAMPTZ) AS d FROM practitioners p
                WHERE \(PreparedReads.anyOf("p.id", ids, on: sql)) AND slug <> \(bind: "no-such-slug") ORDER BY id
                """
            for _ in 0..<3 {
                let prepared = try await PreparedReads.rows(query, on: app.db).map { try $0.decode(model: Row.self, with: SQLRowDecoder()) }
                let ordinary = try await sql.raw(query).all(decoding: Row.self)
                #expect(prepared.count == 3)
                #expect(prepared.map(\.slug) == ordinary.map(\.slug))
                #expect(prepared.allSatisfy { $0.n == nil })
                #expect(prepared.allSatisfy { abs(($0.d ?? .distantPast).timeIntervalSince(now)) < 0.001 })
            }
            if TestDatabase.isPostgres {
                #expect(PreparedReads.slots.existing(sql.serialize(query).sql) != nil)
                // Two and three ids make one statement text: the count does not make new statements up to a list's length.
                let two = PreparedReads.anyOf("p.id", Array(ids.prefix(2)), on: sql)
                let three = PreparedReads.anyOf("p.id", ids, on: sql)
                #expect(sql.serialize(two).sql == sql.serialize(three).sql)
                #expect(sql.serialize(three).binds.count == 8)
                let nine = PreparedReads.anyOf("p.id", Array(1...9), on: sql)
                #expect(sql.serialize(nine).binds.count == 16)
                let many = PreparedReads.anyOf("p.id", Array(1...65), on: sql)
                #expect(sql.serialize(many).sql.contains("= ANY(") && sql.serialize(many).binds.count == 1)
            }
            // No ids match nothing on either database.
            let empty: SQLQueryString = "SELECT id FROM practitioners p WHERE \(PreparedReads.anyOf("p.id", [], on: sql))"
            #expect(try await PreparedReads.rows(empty, on: app.db).isEmpty)
        }
    }

    /// The point of padding id lists: PostgreSQL keeps the statement's generic plan instead of planning it at every
    /// execution. (With one array parameter, the same statement ran on a custom plan every time.)
    @Test func idListsKeepAGenericPlan() async throws {
        guard TestDatabase.isPostgres else { return }
        try await withTestApp { app in
            let ids = try await Practitioner.query(on: app.db).sort(\.$id).limit(6).all().map { $0.id! }
            let plans = try await app.db.withConnection { connection -> (generic: Int, custom: Int) in
                let sql = connection as! any SQLDatabase
                for _ in 0..<12 {
                    _ = try await ProviderSearch.cards(ids.shuffled(), verified: { _ in false }, procedure: "dental-implants", currency: .eur,
                                                       on: sql, rates: .reference)
                }
                struct Plans: Decodable { let generic_plans: Int; let custom_plans: Int }
                let row = try await sql.raw("""
                    SELECT CAST(generic_plans AS BIGINT) AS generic_plans, CAST(custom_plans AS BIGINT) AS custom_plans
                    FROM pg_prepared_statements WHERE statement LIKE '%p.card_languages AS langs%'
                    """).first(decoding: Plans.self)
                let plans = try #require(row)
                return (plans.generic_plans, plans.custom_plans)
            }
            #expect(plans.custom <= 5)
            #expect(plans.generic >= 7)
        }
    }

    /// A slot keeps its text for the life of the process; past the capacity, texts get none (and run as ordinary
    /// queries) instead of taking another's.
    @Test func slotsAreStableAndBounded() {
        let slots = StatementSlots(capacity: 5)
        var seen: [Int] = []
        for i in 0..<8 {
            if let n = slots.slot(for: "SELECT \(i)") {
                #expect(slots.slot(for: "SELECT \(i)") == n)
                seen.append(n)
            }
        }
        #expect(seen == [0, 1, 2, 3, 4])
        #expect((0..<5).map { slots.text(of: $0) } == (0..<5).map { "SELECT \($0)" })
        #expect(slots.slot(for: "SELECT 0") == 0)
        #expect(slots.slot(for: "SELECT 99") == nil)
        #expect(slots.text(of: 7) == "")
        #expect(slots.existing("SELECT 3") == 3 && slots.existing("SELECT 6") == nil)
    }

    /// The article, guide and profile pages read the same on both paths (their reads are prepared on PostgreSQL).
    @Test func pagesRenderWithPreparedReads() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            for path in ["/magazine/natural-lip-rejuvenation-microfat-nanofat", "/procedures/microfat-lip-grafting", "/providers/\(DemoAccounts.featuredSurgeonSlug)"] {
                let first = try await browser.get(path)
                let second = try await browser.get(path)
                #expect(first.status == .ok, "\(path)")
                #expect(first.text == second.text, "\(path)")
                #expect(first.text.contains("</main><footer class=\"site-footer\">"))
            }
        }
    }
}

@Suite("Prepared reads by statement shape")
struct PreparedReadShapeTests {
    struct Row: Decodable { let slug: String }

    static func query(_ slug: String) -> SQLQueryString {
        "SELECT slug AS slug FROM practitioners WHERE slug = \(bind: slug) AND slug <> \(bind: slug + "-none")"
    }

    /// A shape's later calls bind their own values to the statement built on the first: each call reads its own row.
    @Test func laterCallsBindTheirOwnValues() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            let slugs = try await Practitioner.query(on: app.db).sort(\.$id).limit(3).all().map(\.slug)
            try #require(slugs.count == 3)
            let shape = "test-shape-\(UUID().uuidString)"
            for slug in slugs + slugs.reversed() {
                let rows = try await PreparedReads.rows(shape: shape, binds: [slug, slug + "-none"], on: sql) { Self.query(slug) }
                #expect(try rows.map { try $0.decode(model: Row.self, with: SQLRowDecoder()).slug } == [slug])
            }
            if TestDatabase.isPostgres {
                #expect(PreparedReads.slots.existing(sql.serialize(Self.query(slugs[0])).sql) != nil)
            }
        }
    }

    /// Values that are not the ones the statement binds (here, in the wrong order) are caught on the shape's first
    /// call: the shape is then built at every call, and every call still reads its own row.
    @Test func mismatchedValuesAreNeverBound() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            let slugs = try await Practitioner.query(on: app.db).sort(\.$id).limit(2).all().map(\.slug)
            try #require(slugs.count == 2)
            let shape = "test-shape-\(UUID().uuidString)"
            for slug in slugs + slugs {
                let rows = try await PreparedReads.rows(shape: shape, binds: [slug + "-none", slug], on: sql) { Self.query(slug) }
                #expect(try rows.map { try $0.decode(model: Row.self, with: SQLRowDecoder()).slug } == [slug])
            }
        }
    }

    /// The guide's and the profile's statements are built once: the values each page passes are the ones its
    /// statement binds (were they not, the shape would be built at every request, correct but slow).
    @Test func guideAndProfileShapesArePrepared() async throws {
        guard TestDatabase.isPostgres else { return }
        try await withTestApp { app in
            for path in ["/procedures/microfat-lip-grafting", "/providers/patrick-tonnard-md-phd"] {
                for _ in 0..<2 { try await app.testing().test(.GET, path) { res in #expect(res.status == .ok) } }
            }
            #expect(PreparedReads.isPrepared(shape: "profile"))
            #expect((0...6).contains { PreparedReads.isPrepared(shape: "guide:false:\($0)") })
        }
    }
}
