import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

/// The fixed "now" of every test: the demo data's credentials are judged against this date.
let testNow = ISODate.parse("2026-11-25")!

/// One master key for the whole test run (a fresh one per process).
let testMasterKey = MasterKeyring.generateEncoded()

/// Which database the suite runs on: PostgreSQL when `DATABASE_URL` is set, a SQLite file otherwise.
enum TestDatabase {
    static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["DATABASE_URL"]
        return (url?.isEmpty ?? true) ? nil : url
    }
    static var isPostgres: Bool { postgresURL != nil }
}

/// How many test applications may be alive at once. Swift Testing starts every test at the same time; each app
/// holds its own connection pool, and PostgreSQL refuses clients past `max_connections`.
let liveApps = CountingGate(limit: TestDatabase.isPostgres ? 12 : 24)

/// A counting semaphore for async code (the test suite's own, not the app's).
final class CountingGate: @unchecked Sendable {
    private let lock = NSLock()
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []
    init(limit: Int) { available = limit }

    func acquire() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if available > 0 { available -= 1; lock.unlock(); c.resume() } else { waiters.append(c); lock.unlock() }
        }
    }

    func release() {
        lock.lock()
        if waiters.isEmpty { available += 1; lock.unlock() } else { let next = waiters.removeFirst(); lock.unlock(); next.resume() }
    }
}

/// Builds the real application on a fresh database (its own SQLite file, or its own PostgreSQL schema),
/// migrates it, optionally loads the demo data, runs `body`, then removes the database.
func withTestApp(seed: Bool = true, renderCache: Bool = false, rateLimits: AppConfig.RateLimits = AppConfig.RateLimits(),
                 clock: AppClock = .fixed(testNow), tls: Bool = false, _ body: (Application) async throws -> Void) async throws {
    await liveApps.acquire()
    defer { liveApps.release() }
    let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let sqlitePath = FileManager.default.temporaryDirectory.appendingPathComponent("careabroad-test-\(id).sqlite").path
    let schema = "t_\(id)"
    let database: AppConfig.Database = TestDatabase.postgresURL.map { .postgres(url: $0, schema: schema) } ?? .sqlite(path: sqlitePath)
    let config = AppConfig(database: database, baseURL: "https://careabroad.test", seedDemoOnEmpty: seed,
                           renderCacheEnabled: renderCache, renderCacheTTL: 300, tlsEnabled: tls, databasePoolSize: 2,
                           masterKey: testMasterKey, bcryptCost: 4, mail: .mailbox, rateLimits: rateLimits)
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    var failure: (any Error)?
    do {
        try await configure(app, config: config, clock: clock)
        try await prepareForServing(app, startWorker: false, announce: false)
        try await body(app)
    } catch {
        failure = error
    }
    if TestDatabase.isPostgres, let sql = app.db as? any SQLDatabase {
        try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }
    try await app.asyncShutdown()
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlitePath + suffix) }
    if let failure {
        if TestDatabase.isPostgres { Issue.record("database error: \(String(reflecting: failure))") }
        throw failure
    }
}

extension TestingHTTPResponse {
    var text: String { body.string }
}

/// Every JSON-LD block of a page, parsed.
func jsonLDBlocks(in html: String) throws -> [[String: Any]] {
    var blocks: [[String: Any]] = []
    var rest = html[...]
    let open = "<script type=\"application/ld+json\">"
    while let start = rest.range(of: open) {
        guard let end = rest[start.upperBound...].range(of: "</script>") else { break }
        let json = String(rest[start.upperBound..<end.lowerBound])
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        guard let dict = object as? [String: Any] else { throw JSONLDError.notAnObject }
        blocks.append(dict)
        rest = rest[end.upperBound...]
    }
    return blocks
}

enum JSONLDError: Error { case notAnObject }
