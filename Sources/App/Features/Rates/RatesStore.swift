import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Euro reference rates by day, in the database (so every app node converts with the same figures). Rates are kept
/// as decimal text, never as binary floating point.
enum RatesStore {
    /// Writes the days of a reference-rate file; a (day, currency) that is already there takes the new value.
    /// One transaction: a file is imported whole or not at all.
    @discardableResult
    static func importDays(_ days: [ReferenceRateFile.Day], app: Application, on db: any Database) async throws -> (days: Int, rates: Int) {
        let now = app.clock.now()
        var rows: [(String, String, String)] = []
        for day in days {
            for (currency, rate) in day.perEuro.sorted(by: { $0.key < $1.key }) { rows.append((day.date, currency.code, "\(rate)")) }
        }
        let all = rows
        try await app.writes.transaction(on: db) { tx in
            let sql = tx as! any SQLDatabase
            var start = 0
            while start < all.count {
                let batch = all[start..<min(all.count, start + 500)]
                var insert = sql.insert(into: "exchange_rates").columns("rate_date", "currency", "per_euro", "imported_at")
                for row in batch { insert = insert.values(SQLBind(row.0), SQLBind(row.1), SQLBind(row.2), SQLBind(now)) }
                try await insert.onConflict(with: ["rate_date", "currency"]) {
                    $0.set(excludedValueOf: "per_euro").set(excludedValueOf: "imported_at")
                }.run()
                start += batch.count
            }
        }
        return (days.count, all.count)
    }

    /// The rates of the newest day imported (`nil` when none were).
    static func latest(on db: any Database) async throws -> ExchangeRates? {
        struct Newest: Decodable { let rate_date: String }
        struct Row: Decodable { let currency: String; let per_euro: String }
        let sql = db as! any SQLDatabase
        guard let newest = try await sql.select().column("rate_date").from("exchange_rates").orderBy("rate_date", .descending).limit(1)
            .first(decoding: Newest.self) else { return nil }
        let rows = try await sql.select().column("currency").column("per_euro").from("exchange_rates")
            .where("rate_date", .equal, SQLBind(newest.rate_date)).all(decoding: Row.self)
        var table: [CurrencyCode: Decimal] = [:]
        for row in rows {
            if let code = CurrencyCode(row.currency), let value = Decimal(string: row.per_euro, locale: Locale(identifier: "en_US_POSIX")) { table[code] = value }
        }
        return ExchangeRates(perEuro: table, asOf: newest.rate_date, source: "European Central Bank euro reference rates")
    }

    /// The sample file the demo ships (our own figures, in the ECB's daily format).
    static func sampleFile() throws -> String {
        guard let url = Bundle.module.url(forResource: "reference-rates-sample", withExtension: "csv", subdirectory: "Resources/Demo") else {
            throw Abort(.internalServerError, reason: "Resources/Demo/reference-rates-sample.csv is missing")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}

/// `careabroad rates import FILE`: fills the reference-rate table from the European Central Bank's CSV (the daily
/// file or the history file).
struct RatesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "import")
        var action: String

        @Argument(name: "file", help: "the ECB reference-rate CSV (eurofxref.csv or eurofxref-hist.csv)")
        var file: String
    }

    var help: String {
        "Reference rates: `import FILE` reads the European Central Bank's euro reference-rate CSV (daily or history file: "
            + "a 'Date' column, then one column per currency, rates as units per euro, 'N/A' where there is none) into the "
            + "rate table; a day already there takes the new figures."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "import" else {
            context.console.error("Unknown action '\(signature.action)'. Use: careabroad rates import FILE")
            throw ExitCode(2)
        }
        let app = context.application
        let attributes = try FileManager.default.attributesOfItem(atPath: signature.file)
        guard let size = attributes[.size] as? Int, size <= ReferenceRateFile.maxBytes else {
            context.console.error("\(signature.file) is larger than 8 MB")
            throw ExitCode(1)
        }
        let text = try String(contentsOfFile: signature.file, encoding: .utf8)
        let days: [ReferenceRateFile.Day]
        do { days = try ReferenceRateFile.parse(text) } catch {
            context.console.error("\(signature.file): \(error)")
            throw ExitCode(1)
        }
        try await app.autoMigrate()
        let done = try await RatesStore.importDays(days, app: app, on: app.db)
        context.console.info("Imported \(done.rates) rates for \(done.days) days (\(days.first?.date ?? "") to \(days.last?.date ?? "")).")
    }
}
