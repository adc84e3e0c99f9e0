import Foundation
import Vapor
import NIOConcurrencyHelpers

/// Rendered public pages kept in memory, keyed by path and query, with a strong ETag.
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
        var generation = 0
    }

    private let state = NIOLockedValueBox(State())
    let ttl: TimeInterval
    let maxEntries: Int
    let enabled: Bool

    public init(enabled: Bool, ttl: TimeInterval, maxEntries: Int = 20_000) {
        self.enabled = enabled
        self.ttl = ttl
        self.maxEntries = maxEntries
    }

    /// Forgets every page (called after content changes).
    public func invalidate() {
        state.withLockedValue {
            $0.entries.removeAll(keepingCapacity: true)
            $0.generation += 1
        }
    }

    public var count: Int { state.withLockedValue { $0.entries.count } }

    func lookup(_ key: String, now: Date) -> Entry? {
        state.withLockedValue { s in
            guard let entry = s.entries[key], entry.generation == s.generation,
                  now.timeIntervalSince(entry.storedAt) < ttl else { return nil }
            return entry
        }
    }

    func store(_ key: String, _ entry: Entry) {
        state.withLockedValue { s in
            guard entry.generation == s.generation else { return }
            if s.entries.count >= maxEntries { s.entries.removeAll(keepingCapacity: true) }
            s.entries[key] = entry
        }
    }

    var generation: Int { state.withLockedValue { $0.generation } }

    static func etag(for buffer: ByteBuffer) -> String {
        let digest = Insecure.SHA1.hash(data: buffer.readableBytesView)
        return "\"" + digest.prefix(12).hex + "\""
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

/// Serves cached public pages and answers `If-None-Match` with 304. Only successful GETs are cached.
struct RenderCacheMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let cache = request.application.renderCache
        guard request.method == .GET || request.method == .HEAD else { return try await next.respond(to: request) }
        let key = request.url.path + "?" + (request.url.query ?? "")
        let now = Date()
        if cache.enabled, let entry = cache.lookup(key, now: now) {
            return Self.answer(request, body: entry.body, etag: entry.etag, contentType: entry.contentType)
        }
        let generation = cache.generation
        let response = try await next.respond(to: request)
        guard response.status == .ok, let contentType = response.headers.first(name: .contentType) else { return response }
        let body = try await response.body.collect(on: request.eventLoop).get() ?? ByteBuffer()
        let etag = RenderCache.etag(for: body)
        if cache.enabled {
            cache.store(key, .init(body: body, etag: etag, contentType: contentType, storedAt: now, generation: generation))
        }
        let answer = Self.answer(request, body: body, etag: etag, contentType: contentType)
        for (name, value) in response.headers where name.lowercased() != "content-length" && answer.headers[name].isEmpty {
            answer.headers.add(name: name, value: value)
        }
        return answer
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
