import Foundation
import Testing
import Vapor
import Fluent
import SQLKit
@testable import App

@Suite("Rows of several kinds in one query")
struct KindedUnionTests {
    /// Each branch's values land in the slots of their type, in order, with NULL elsewhere; a branch may leave
    /// every slot of a type empty, the first one included, on either database.
    @Test func valuesComeBackInTheirSlots() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            let now = app.clock.now()
            let u = KindedUnion(texts: 2, ints: 2, dates: 1, bools: 1, floats: 1)
            let query = KindedUnion.query([
                u.branch("empty", first: true, from: "practitioners WHERE 1 = 1 AND slug = \(bind: DemoAccounts.featuredSurgeonSlug)"),
                u.branch("full", texts: [.query("\(bind: "a")"), "slug"], ints: ["id", .query("\(bind: 42)")], dates: [.query("\(bind: now)")],
                         bools: ["is_sample"], floats: [.query("\(bind: 2.5)")], from: "practitioners WHERE slug = \(bind: DemoAccounts.featuredSurgeonSlug)"),
                u.branch("none", texts: ["slug"], from: "practitioners WHERE slug = \(bind: "no-such-practitioner")"),
            ])
            let rows = try await PreparedReads.rows(query, on: app.db).map { KindedRow($0, u) }
            let id = try await Practitioner.query(on: app.db).filter(\.$slug == DemoAccounts.featuredSurgeonSlug).first()?.id
            #expect(try rows.map { try $0.kind() }.sorted() == ["empty", "full"])
            let empty = try #require(rows.first { (try? $0.kind()) == "empty" })
            #expect(try empty.text(1) == nil && empty.text(2) == nil && empty.int(1) == nil && empty.date(1) == nil)
            #expect(try empty.bool(1) == nil && empty.float(1) == nil)
            let full = try #require(rows.first { (try? $0.kind()) == "full" })
            #expect(try full.text(1) == "a" && full.text(2) == DemoAccounts.featuredSurgeonSlug)
            #expect(try full.int(1) == id.map(Int64.init) && full.int(2) == 42)
            #expect(try abs((full.date(1) ?? .distantPast).timeIntervalSince(now)) < 0.001)
            #expect(try full.bool(1) == false && full.float(1) == 2.5)
            #expect(sql.serialize(query).sql.contains("CAST(NULL AS TIMESTAMPTZ) AS d1"))
        }
    }
}
