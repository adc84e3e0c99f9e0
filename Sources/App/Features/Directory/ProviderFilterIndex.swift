import Foundation
import Fluent
import SQLKit
import Vapor
import NIOConcurrencyHelpers
import Domain

/// What the in-process index knows of every practitioner: filter terms, ranking keys and verified periods.
struct ProviderFilterSnapshot: Sendable {
    struct Period: Sendable { var id: Int32; var from: Double; var until: Double }

    let generation: Int64
    let capacity: Int
    let all: Bitset
    let terms: [String: Bitset]
    let score: [Int32]
    /// Position of each practitioner in (display name, id) order: the last tie-breaker.
    let nameRank: [Int32]
    /// Every listed practitioner in ranking order without relevance (completeness, then name): a list ranked
    /// without query words is read off this order instead of compared candidate by candidate.
    let order: [Int32]
    let periods: [Period]

    func verified(at now: Date) -> Bitset {
        let t = now.timeIntervalSince1970
        var bits = Bitset(capacity: capacity)
        for p in periods where p.from <= t && p.until >= t { bits.insert(Int(p.id)) }
        return bits
    }
}

/// Full-text matches of one query text: who matched and how well (higher is better).
struct TextMatches: Sendable {
    let bits: Bitset
    let relevance: [Double]
}

/// Filters, facet counts and ordering of provider search, answered from memory.
///
/// Full-text matching stays in the database (FTS5 / tsvector); its result for a query text is cached here.
/// Everything else a search needs — filter terms, who is verified now, completeness and name order — is
/// loaded once per index generation (`search_index_state`, changed by every index write on any node), so
/// a search costs one generation check, at most one full-text query, and one query for the page's rows.
actor ProviderFilterIndex {
    /// How long a checked generation is trusted before the database is asked again (the render cache's interval).
    let checkInterval: Duration
    private var checkedAt: ContinuousClock.Instant?
    /// When this process last wrote to the index: for a second after that every search asks the database, so a
    /// change on this node (committed a moment later) is seen at once, whatever the interval.
    static let lastLocalWrite = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    init(checkInterval: Duration = .zero) { self.checkInterval = checkInterval }

    static func noteLocalWrite() { lastLocalWrite.withLockedValue { $0 = ContinuousClock.now } }

    private var snapshot: ProviderFilterSnapshot?
    private var loading: (generation: Int64, task: Task<ProviderFilterSnapshot, any Error>)?
    private var verifiedCache: (generation: Int64, minute: Int64, bits: Bitset)?
    private var textCache: [String: TextMatches] = [:]
    private var textOrder: [String] = []
    static let textCacheLimit = 32

    func current(on db: any Database) async throws -> ProviderFilterSnapshot {
        let now = ContinuousClock.now
        if let snapshot, let checkedAt, isFresh(checkedAt, at: now, lastLocalWrite: Self.lastLocalWrite.withLockedValue { $0 }) {
            return snapshot
        }
        checkedAt = now
        defer { publish() }
        let sql = db as! any SQLDatabase
        let generation = try await sql.raw("SELECT generation FROM search_index_state WHERE id = 1").first()?.decode(column: "generation", as: Int64.self) ?? 0
        if let snapshot, snapshot.generation == generation { return snapshot }
        if let loading, loading.generation == generation { return try await loading.task.value }
        let task = Task { try await Self.load(sql, generation: generation) }
        loading = (generation, task)
        let loaded = try await task.value
        if loading?.generation == generation { loading = nil }
        if (snapshot?.generation ?? -1) < loaded.generation {
            snapshot = loaded
            textCache.removeAll()
            textOrder.removeAll()
            verifiedCache = nil
            warming.removeAll()
        }
        return loaded
    }

    func verified(_ snapshot: ProviderFilterSnapshot, at now: Date) -> Bitset {
        // Recomputed each minute: credential dates are whole days, so a minute's lag never shows.
        let minute = Self.minute(now)
        if let c = verifiedCache, c.generation == snapshot.generation, c.minute == minute { return c.bits }
        let bits = snapshot.verified(at: now)
        verifiedCache = (snapshot.generation, minute, bits)
        publish()
        return bits
    }

    private static func minute(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 / 60) }

    /// What `current` and `verified` last answered, for `fresh` to read without a hop to the actor.
    private struct Published: Sendable {
        var snapshot: ProviderFilterSnapshot
        var checkedAt: ContinuousClock.Instant
        var verified: (minute: Int64, bits: Bitset)?
    }
    private nonisolated let published = NIOLockedValueBox<Published?>(nil)

    private func publish() {
        guard let snapshot, let checkedAt else { return }
        let verified = verifiedCache.flatMap { $0.generation == snapshot.generation ? (minute: $0.minute, bits: $0.bits) : nil }
        published.withLockedValue { $0 = Published(snapshot: snapshot, checkedAt: checkedAt, verified: verified) }
    }

    /// The snapshot and who is verified at `now`, as `current` and `verified` would answer them, when the generation
    /// was checked within the interval (and no index write on this node is under a second old) and this minute's
    /// verified set is known; nil otherwise, and the caller asks the actor. A guide or a search that finds them here
    /// saves two hops to the actor and back, a noticeable part of an uncached guide.
    nonisolated func fresh(at now: Date, lastLocalWrite: ContinuousClock.Instant? = ProviderFilterIndex.lastLocalWrite.withLockedValue { $0 })
        -> (snapshot: ProviderFilterSnapshot, verified: Bitset)? {
        let clock = ContinuousClock.now
        let minute = Self.minute(now)
        return published.withLockedValue { p in
            guard let p, isFresh(p.checkedAt, at: clock, lastLocalWrite: lastLocalWrite), let v = p.verified, v.minute == minute else { return nil }
            return (p.snapshot, v.bits)
        }
    }

    /// A generation checked at `checkedAt` is trusted at `clock` within the interval, unless this node wrote to the
    /// index in the last second (then the database is asked, so its own change is seen at once).
    private nonisolated func isFresh(_ checkedAt: ContinuousClock.Instant, at clock: ContinuousClock.Instant,
                                     lastLocalWrite: ContinuousClock.Instant?) -> Bool {
        clock - checkedAt < checkInterval && (lastLocalWrite.map { clock - $0 > .seconds(1) } ?? true)
    }

    private var warming: Set<String> = []

    /// Practitioners matching the query words (and, when the words alone are not cached yet, carrying every
    /// filter token), with the relevance of the words. Callers intersect the filters themselves, so either
    /// answer is exact.
    ///
    /// A cached match of the words alone answers any filters. On a miss, this request is answered by the
    /// narrower query of words and filters — the index intersects them before ranking, which is cheap even for
    /// a broad word — and the words alone are matched in the background for the searches that follow.
    func matches(_ terms: [String], filters: [String], snapshot: ProviderFilterSnapshot, on db: any Database) async throws -> TextMatches {
        let key = "\(snapshot.generation)|" + terms.joined(separator: " ")
        if let hit = textCache[key] { return hit }
        guard !filters.isEmpty else {
            let all = try await Self.fetch(terms, filters: [], capacity: snapshot.capacity, on: db)
            remember(key, all)
            return all
        }
        let narrow = try await Self.fetch(terms, filters: filters, capacity: snapshot.capacity, on: db)
        if warming.insert(key).inserted {
            Task {
                let all = try? await Self.fetch(terms, filters: [], capacity: snapshot.capacity, on: db)
                self.finishWarming(key, all)
            }
        }
        return narrow
    }

    private func finishWarming(_ key: String, _ value: TextMatches?) {
        warming.remove(key)
        if let value, let generation = snapshot?.generation, key.hasPrefix("\(generation)|") { remember(key, value) }
    }

    private func remember(_ key: String, _ value: TextMatches) {
        if textCache[key] == nil { textOrder.append(key) }
        textCache[key] = value
        if textOrder.count > Self.textCacheLimit { textCache[textOrder.removeFirst()] = nil }
    }

    static func fetch(_ terms: [String], filters: [String], capacity: Int, on db: any Database) async throws -> TextMatches {
        let sql = db as! any SQLDatabase
        // One row holding "id:rank,id:rank,…": thousands of matches cross from the database as one value
        // instead of one decoded row each.
        let packed: String?
        if sql.dialect.name == "sqlite" {
            packed = try await sql.raw("SELECT group_concat(rowid || ':' || (-rank), ',') AS m FROM practitioner_fts WHERE practitioner_fts MATCH \(bind: SearchText.fts5Match(terms, filters: filters))").first()?.decode(column: "m", as: String?.self)
        } else {
            let text = SearchText.tsQuery(terms, filters: [])
            let all = SearchText.tsQuery(terms, filters: filters)
            packed = try await sql.raw("SELECT string_agg(id::text || ':' || ts_rank('{0,0,0,1}', search_tsv, to_tsquery('simple', \(bind: text)))::text, ',') AS m FROM practitioners WHERE search_tsv @@ to_tsquery('simple', \(bind: all))").first()?.decode(column: "m", as: String?.self)
        }
        var bits = Bitset(capacity: capacity)
        var relevance = [Double](repeating: 0, count: capacity)
        for pair in (packed ?? "").split(separator: ",") {
            guard let colon = pair.firstIndex(of: ":"), let id = Int(pair[..<colon]), let r = Double(pair[pair.index(after: colon)...]),
                  id >= 0, id < capacity else { continue }
            bits.insert(id)
            relevance[id] = r
        }
        return TextMatches(bits: bits, relevance: relevance)
    }

    /// Reads the whole index in a handful of queries; each filter term arrives as one list of ids.
    static func load(_ sql: any SQLDatabase, generation: Int64) async throws -> ProviderFilterSnapshot {
        let maxID = try await sql.raw("SELECT COALESCE(MAX(id), 0) AS m FROM practitioners").first()?.decode(column: "m", as: Int.self) ?? 0
        let capacity = maxID + 1
        var all = Bitset(capacity: capacity)
        var score = [Int32](repeating: 0, count: capacity)
        var names: [(String, Int)] = []
        // Suspended listings are left out of search (they keep their page, which says so).
        for row in try await sql.raw("SELECT id, profile_score, display_name FROM practitioners WHERE suspended_at IS NULL").all() {
            let id = try row.decode(column: "id", as: Int.self)
            all.insert(id)
            score[id] = Int32(try row.decode(column: "profile_score", as: Int.self))
            names.append((try row.decode(column: "display_name", as: String.self), id))
        }
        names.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var nameRank = [Int32](repeating: .max, count: capacity)
        for (position, entry) in names.enumerated() { nameRank[entry.1] = Int32(position) }

        let aggregate: SQLQueryString = sql.dialect.name == "sqlite"
            ? "SELECT term, group_concat(practitioner_id) AS ids FROM practitioner_terms GROUP BY term"
            : "SELECT term, string_agg(practitioner_id::text, ',') AS ids FROM practitioner_terms GROUP BY term"
        var terms: [String: Bitset] = [:]
        for row in try await sql.raw(aggregate).all() {
            var bits = Bitset(capacity: capacity)
            let list = try row.decode(column: "ids", as: String.self)
            for part in list.utf8.split(separator: UInt8(ascii: ",")) {
                var value = 0
                for digit in part { value = value * 10 + Int(digit &- 48) }
                bits.insert(value)
            }
            terms[try row.decode(column: "term", as: String.self)] = bits
        }

        var periods: [ProviderFilterSnapshot.Period] = []
        for row in try await sql.raw("SELECT practitioner_id, valid_from, valid_until FROM credentials WHERE practitioner_id IS NOT NULL AND status = 'verified' AND last_verified_at IS NOT NULL").all() {
            let id = try row.decode(column: "practitioner_id", as: Int.self)
            let from = try row.decode(column: "valid_from", as: Date?.self)?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
            let until = try row.decode(column: "valid_until", as: Date?.self)?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude
            periods.append(.init(id: Int32(id), from: from, until: until))
        }
        var order: [Int32] = []
        order.reserveCapacity(names.count)
        all.forEach { order.append(Int32($0)) }
        order.sort { score[Int($0)] != score[Int($1)] ? score[Int($0)] > score[Int($1)] : nameRank[Int($0)] < nameRank[Int($1)] }
        return ProviderFilterSnapshot(generation: generation, capacity: capacity, all: all, terms: terms, score: score, nameRank: nameRank, order: order,
                                      periods: periods)
    }
}

extension Application {
    private struct ProviderFilterIndexKey: StorageKey { typealias Value = ProviderFilterIndex }

    var providerFilterIndex: ProviderFilterIndex {
        get {
            guard let value = storage[ProviderFilterIndexKey.self] else { fatalError("configure has not set up the filter index") }
            return value
        }
        set { storage[ProviderFilterIndexKey.self] = newValue }
    }
}
