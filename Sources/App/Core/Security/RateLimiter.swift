import Foundation
import Fluent
import SQLKit
import Vapor

/// Fixed-window counters kept in the database, so the limits hold across app nodes.
struct RateLimiter: Sendable {
    struct Rule: Sendable {
        var limit: Int
        var window: TimeInterval
    }

    struct Limited: AbortError {
        let retryAfter: Int
        var status: HTTPResponseStatus { .tooManyRequests }
        var reason: String
        var headers: HTTPHeaders { ["Retry-After": "\(retryAfter)"] }
    }

    /// Counts one hit on `key`; when over the limit returns the seconds to wait.
    static func hit(_ key: String, rule: Rule, now: Date, on db: any Database, gate: WriteGate) async throws -> Int? {
        let windowStart = now.addingTimeInterval(-rule.window)
        struct Row: Decodable { let hits: Int; let window_start: Date }
        let row = try await gate.run(on: db) { db in
            try await (db as! any SQLDatabase).raw("""
                INSERT INTO rate_limits (key, window_start, hits) VALUES (\(bind: key), \(bind: now), 1)
                ON CONFLICT (key) DO UPDATE SET
                  hits = CASE WHEN rate_limits.window_start <= \(bind: windowStart) THEN 1 ELSE rate_limits.hits + 1 END,
                  window_start = CASE WHEN rate_limits.window_start <= \(bind: windowStart) THEN \(bind: now) ELSE rate_limits.window_start END
                RETURNING hits, window_start
                """).first(decoding: Row.self)
        }
        guard let row, row.hits > rule.limit else { return nil }
        return max(1, Int((row.window_start.addingTimeInterval(rule.window).timeIntervalSince(now)).rounded(.up)))
    }

    /// Counts a hit for each key and throws 429 with `Retry-After` when any is over its limit.
    static func enforce(_ keys: [(String, Rule)], req: Request) async throws {
        let now = req.application.clock.now()
        var wait: Int?
        for (key, rule) in keys {
            if let seconds = try await hit(key, rule: rule, now: now, on: req.db, gate: req.application.writes) {
                wait = max(wait ?? 0, seconds)
            }
        }
        if let wait {
            let t = req.application.localizer
            throw Limited(retryAfter: wait, reason: t("error.429.detail", ["minutes": "\(max(1, (wait + 59) / 60))"]))
        }
    }
}
