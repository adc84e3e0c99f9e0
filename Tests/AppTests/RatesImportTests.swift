import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Reference rates import")
struct RatesImportTests {
    @Test("Importing is whole and repeatable: a day already there takes the new figures; the newest day is what converts")
    func importTwice() async throws {
        try await withTestApp(seed: false) { app in
            let first = try ReferenceRateFile.parse("Date,USD,JPY\n2026-11-26,1.0790,160.95\n2026-11-27,1.0812,161.50\n")
            #expect(try await RatesStore.importDays(first, app: app, on: app.db) == (2, 4))
            let again = try ReferenceRateFile.parse("Date,USD,JPY\n2026-11-27,1.0800,161.00\n")
            try await RatesStore.importDays(again, app: app, on: app.db)
            struct Count: Decodable { let n: Int }
            let rows = try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM exchange_rates").first(decoding: Count.self)
            #expect(rows?.n == 4)
            let latest = try #require(try await RatesStore.latest(on: app.db))
            #expect(latest.asOf == "2026-11-27")
            #expect(latest.perEuro[.usd] == Decimal(string: "1.0800"))
            let converted = try #require(latest.exactConversion(Money(1000, .eur), to: CurrencyCode("JPY")!))
            #expect(converted.converted.amount == 161_000 && converted.rateDate == "2026-11-27")
        }
    }

    @Test("The demo ships a sample file in the ECB's daily format, loaded with the demo data")
    func demoSample() async throws {
        try await withTestApp { app in
            let latest = try #require(try await RatesStore.latest(on: app.db))
            #expect(latest.perEuro.count >= 15)
            #expect(latest.perEuro[CurrencyCode("GBP")!] != nil)
        }
    }
}
