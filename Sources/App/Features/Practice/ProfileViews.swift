import Foundation
import Fluent
import SQLKit
import Vapor
import NIOConcurrencyHelpers
import Domain

/// Counts profile views on this node in memory (a lock and a dictionary: no database write on the page's path,
/// cached or not) and adds them to `profile_view_counts` in one batch every half minute and at shutdown. A node
/// that dies loses at most its last half minute of counts, which analytics can afford; no request waits for it.
final class ProfileViewCounter: Sendable {
    enum Kind: String, Sendable { case practitioner, clinic }
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    func count(_ kind: Kind, slug: String) {
        counts.withLockedValue { $0["\(kind.rawValue)|\(slug)", default: 0] += 1 }
    }

    /// Takes the counts gathered so far (and forgets them).
    func drain() -> [String: Int] {
        counts.withLockedValue { current in
            let taken = current
            current.removeAll(keepingCapacity: true)
            return taken
        }
    }

    /// Adds the drained counts to the week of `now`, one upsert per listing.
    func flush(app: Application) async throws {
        let taken = drain()
        guard !taken.isEmpty else { return }
        let week = ISODate.format(Weeks.start(of: app.clock.now()))
        let sql = app.db as! any SQLDatabase
        struct Row: Decodable { let id: Int; let slug: String }
        var keys: [String: Int] = [:]
        for kind in [Kind.practitioner, .clinic] {
            let slugs = taken.keys.filter { $0.hasPrefix(kind.rawValue + "|") }.map { String($0.dropFirst(kind.rawValue.count + 1)) }
            guard !slugs.isEmpty else { continue }
            let rows = try await sql.select().column("id").column("slug").from(kind == .practitioner ? "practitioners" : "organizations")
                .where("slug", .in, SQLBind.group(slugs)).all(decoding: Row.self)
            for r in rows {
                let key = kind == .practitioner ? ProviderKey.practitioner(r.id) : ProviderKey.organization(r.id)
                keys[key, default: 0] += taken["\(kind.rawValue)|\(r.slug)"] ?? 0
            }
        }
        let totals = keys
        try await app.writes.transaction(on: app.db) { tx in
            let sql = tx as! any SQLDatabase
            for (key, n) in totals.sorted(by: { $0.key < $1.key }) where n > 0 {
                try await sql.raw("""
                    INSERT INTO profile_view_counts (provider_key, week, views) VALUES (\(bind: key), \(bind: week), \(bind: Int64(n)))
                    ON CONFLICT (provider_key, week) DO UPDATE SET views = profile_view_counts.views + excluded.views
                    """).run()
            }
        }
    }
}

/// Counts a successful view of a profile (served from the render cache or not); sits in front of the cache.
/// Written with futures: counting a view needs no task of its own (an `AsyncMiddleware` makes one per request).
struct ProfileViewMiddleware: Middleware {
    let kind: ProfileViewCounter.Kind

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            if request.method == .GET, response.status == .ok || response.status == .notModified, let slug = request.parameters.get(SiteURL.slugKey) {
                request.application.profileViews.count(kind, slug: slug)
            }
            return response
        }
    }
}

extension Application {
    private struct ProfileViewCounterKey: StorageKey { typealias Value = ProfileViewCounter }

    /// Set once by `configure`, before the server starts (no request races to create it).
    var profileViews: ProfileViewCounter {
        get {
            guard let value = storage[ProfileViewCounterKey.self] else { fatalError("configure has not set up the profile view counter") }
            return value
        }
        set { storage[ProfileViewCounterKey.self] = newValue }
    }
}
