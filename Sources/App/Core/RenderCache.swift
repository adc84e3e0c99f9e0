import Foundation
import Vapor
import Fluent
import SQLKit
import Domain
import NIOConcurrencyHelpers

/// Rendered public pages kept in memory, keyed by path and the query parameters the page reads, with a strong ETag.
/// Bounded in bytes: the oldest pages are dropped first, so no sequence of addresses can fill the memory.
///
/// Pages are the same for every visitor, and rendering — not the database — is what limits them, so a
/// page is rendered once and served from memory until content changes (`invalidate()`) or its time to
/// live runs out. The TTL also bounds how long another app node can serve a page older than a change.
public final class RenderCache: Sendable {
    struct Entry {
        let body: ByteBuffer
        let etag: String
        let contentType: String
        let storedAt: Date
        let generation: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Keys in the order they were stored, with the store's sequence number, for dropping the oldest first; a
        /// pair whose number is no longer the key's current one is stale and skipped.
        var order: [(key: String, seq: Int)] = []
        var orderStart = 0
        var sequence: [String: Int] = [:]
        var nextSeq = 0
        var bytes = 0
        var generation = 0
        /// The database's content and search-index generations when this node last looked, and when it looked.
        var seen: ContentGeneration.Value?
        var checkedAt: Date?
    }

    private let state = NIOLockedValueBox(State())
    let ttl: TimeInterval
    let maxEntries: Int
    let maxBytes: Int
    let enabled: Bool

    /// How often this node asks the database whether content changed on any node.
    let checkInterval: TimeInterval

    public init(enabled: Bool, ttl: TimeInterval, maxEntries: Int = 20_000, maxBytes: Int = 64 * 1_048_576, checkInterval: TimeInterval = 0.25) {
        self.enabled = enabled
        self.ttl = ttl
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.checkInterval = checkInterval
    }

    /// Whether `sync` would ask the database now (it asks again at most once per `checkInterval`).
    func syncDue(now: Date) -> Bool {
        state.withLockedValue { s in s.checkedAt.map { now.timeIntervalSince($0) >= checkInterval } ?? true }
    }

    /// Drops every page when content changed on any node since the last look. Asks the database (one read of two
    /// single-row tables) at most once per `checkInterval`, so a change shows on every node within that time.
    func sync(on db: any Database, now: Date) async throws {
        let due = state.withLockedValue { s -> Bool in
            guard s.checkedAt.map({ now.timeIntervalSince($0) >= checkInterval }) ?? true else { return false }
            s.checkedAt = now
            return true
        }
        guard due else { return }
        let current = try await ContentGeneration.read(on: db)
        state.withLockedValue { s in
            if let seen = s.seen, seen != current { Self.clear(&s) }
            s.seen = current
        }
    }

    private static func clear(_ s: inout State) {
        s.entries.removeAll(keepingCapacity: true)
        s.order.removeAll(keepingCapacity: true)
        s.sequence.removeAll(keepingCapacity: true)
        s.orderStart = 0
        s.bytes = 0
        s.generation += 1
    }

    /// Forgets every page (called after content changes).
    public func invalidate() {
        state.withLockedValue { Self.clear(&$0) }
    }

    public var count: Int { state.withLockedValue { $0.entries.count } }

    /// Pairs in the eviction order (for tests: it stays near the number of entries).
    var orderLength: Int { state.withLockedValue { $0.order.count - $0.orderStart } }

    /// Bytes of page bodies held now.
    public var bytes: Int { state.withLockedValue { $0.bytes } }

    func lookup(_ key: String, now: Date) -> Entry? {
        state.withLockedValue { s in
            guard let entry = s.entries[key], entry.generation == s.generation,
                  now.timeIntervalSince(entry.storedAt) < ttl else { return nil }
            return entry
        }
    }

    func store(_ key: String, _ entry: Entry) {
        state.withLockedValue { s in
            guard entry.generation == s.generation, entry.body.readableBytes <= maxBytes / 4 else { return }
            if let old = s.entries.removeValue(forKey: key) { s.bytes -= old.body.readableBytes + key.utf8.count }
            let size = entry.body.readableBytes + key.utf8.count
            while (s.bytes + size > maxBytes || s.entries.count >= maxEntries) && s.orderStart < s.order.count {
                let oldest = s.order[s.orderStart]
                s.orderStart += 1
                guard s.sequence[oldest.key] == oldest.seq else { continue } // stored again since: not the oldest
                s.sequence[oldest.key] = nil
                if let dropped = s.entries.removeValue(forKey: oldest.key) { s.bytes -= dropped.body.readableBytes + oldest.key.utf8.count }
            }
            s.nextSeq += 1
            s.entries[key] = entry
            s.sequence[key] = s.nextSeq
            s.order.append((key, s.nextSeq))
            s.bytes += size
            // Keep the order list near the number of entries: drop what was popped and the stale pairs.
            if s.order.count - s.orderStart > 2 * s.entries.count + 1_024 || s.orderStart > 4_096 {
                let live = s.order[s.orderStart...].filter { s.sequence[$0.key] == $0.seq }
                s.order = Array(live)
                s.orderStart = 0
            }
        }
    }

    var generation: Int { state.withLockedValue { $0.generation } }

    static func etag(for buffer: ByteBuffer) -> String {
        let digest = Insecure.SHA1.hash(data: buffer.readableBytesView)
        return "\"" + digest.prefix(12).hex + "\""
    }
}

/// The generations of published content and of the provider search index, as one value: when either moves, on
/// any node, every node's rendered pages are out of date.
enum ContentGeneration {
    struct Value: Equatable, Sendable { let content: Int64; let search: Int64 }

    static func read(on db: any Database) async throws -> Value {
        struct Row: Decodable { let c: Int64?; let s: Int64? }
        let row = try await (db as! any SQLDatabase)
            .raw("SELECT (SELECT generation FROM content_state WHERE id = 1) AS c, (SELECT generation FROM search_index_state WHERE id = 1) AS s")
            .first(decoding: Row.self)
        return Value(content: row?.c ?? 0, search: row?.s ?? 0)
    }

    /// Moves the content generation, in the caller's transaction: every node drops its pages once it commits.
    static func bump(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("UPDATE content_state SET generation = generation + 1 WHERE id = 1").run()
    }
}

extension Application {
    private struct RenderCacheKey: StorageKey { typealias Value = RenderCache }

    public var renderCache: RenderCache {
        get {
            guard let value = storage[RenderCacheKey.self] else { fatalError("configure has not set up the render cache") }
            return value
        }
        set { storage[RenderCacheKey.self] = newValue }
    }
}

/// The query parameters a cached page reads, recorded on its route.
enum RenderCacheQuery {
    static let key = "careabroad.cacheQuery"
    static let paging = ["page", "limit"]
    static let magazine = ["q"] + paging
    static let providerSearch = ["q", "procedure", "country", "city", "language", "verified", "min_price", "max_price", "currency"] + paging
    static let apiArticles = ["q", "category"] + paging
}

/// Serves cached public pages and answers `If-None-Match` with 304. Only successful GETs are cached.
///
/// Written with futures rather than as an `AsyncMiddleware`: a page served from the cache then makes no task of its
/// own, and with the database asked at most once per `checkInterval`, a hit is answered on the event loop at once.
/// (The task, its hops and the request's database handle, made for every hit, were about a tenth of a cached page.)
struct RenderCacheMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let cache = request.application.renderCache
        guard request.method == .GET || request.method == .HEAD else { return next.respond(to: request) }
        let now = Date()
        guard cache.enabled else { return Self.render(request, next, cache, key: nil, now: now) }
        let key: String
        do { key = try Self.key(for: request) } catch { return request.eventLoop.makeFailedFuture(error) }
        guard cache.syncDue(now: now) else { return Self.serve(request, next, cache, key: key, now: now) }
        return request.eventLoop.makeFutureWithTask { try await cache.sync(on: request.db, now: now) }
            .flatMap { Self.serve(request, next, cache, key: key, now: now) }
    }

    private static func serve(_ request: Request, _ next: any Responder, _ cache: RenderCache, key: String, now: Date) -> EventLoopFuture<Response> {
        if let entry = cache.lookup(key, now: now) {
            return request.eventLoop.makeSucceededFuture(answer(request, body: entry.body, etag: entry.etag, contentType: entry.contentType))
        }
        return render(request, next, cache, key: key, now: now)
    }

    /// The page from its handler, with its ETag, kept under `key` (nil: the cache is off).
    private static func render(_ request: Request, _ next: any Responder, _ cache: RenderCache, key: String?, now: Date) -> EventLoopFuture<Response> {
        let generation = cache.generation
        return next.respond(to: request).flatMap { response in
            guard response.status == .ok, let contentType = response.headers.first(name: .contentType) else {
                return request.eventLoop.makeSucceededFuture(response)
            }
            return response.body.collect(on: request.eventLoop).map { collected in
                let body = collected ?? ByteBuffer()
                let etag = RenderCache.etag(for: body)
                if let key {
                    cache.store(key, .init(body: body, etag: etag, contentType: contentType, storedAt: now, generation: generation))
                }
                let answer = Self.answer(request, body: body, etag: etag, contentType: contentType)
                for (name, value) in response.headers where name.lowercased() != "content-length" && answer.headers[name].isEmpty {
                    answer.headers.add(name: name, value: value)
                }
                return answer
            }
        }
    }

    /// The path and, in a fixed order, only the query parameters the route declared it reads (`RenderCacheQuery`):
    /// other parameters do not change the page, so they do not make new entries.
    static func key(for request: Request) throws -> String {
        let names = request.route?.userInfo[RenderCacheQuery.key] as? [String] ?? []
        guard !names.isEmpty, let raw = request.url.query, !raw.isEmpty else { return request.sitePath }
        let query = try QueryParameters(raw: raw)
        let pairs = names.flatMap { name in (query.values[name] ?? []).map { (name, $0) } }
        return pairs.isEmpty ? request.sitePath : request.sitePath + "?" + SiteURL.queryString(pairs)
    }

    static func answer(_ request: Request, body: ByteBuffer, etag: String, contentType: String) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .eTag, value: etag)
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=60, stale-while-revalidate=300")
        headers.replaceOrAdd(name: .contentType, value: contentType)
        if let match = request.headers.first(name: .ifNoneMatch),
           match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(buffer: body))
    }
}
