import Fluent
import SQLKit

/// Euro reference rates by day, filled by `careabroad rates import FILE` (one row per currency and day).
struct CreateExchangeRates: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("exchange_rates")
            .field("id", .int, .identifier(auto: true))
            .field("rate_date", .string, .required)
            .field("currency", .string, .required)
            .field("per_euro", .string, .required)
            .field("imported_at", .datetime, .required)
            .unique(on: "rate_date", "currency")
            .create()
        try await (database as! any SQLDatabase).create(index: "exchange_rates_date").on("exchange_rates").column("rate_date").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("exchange_rates").delete()
    }
}
