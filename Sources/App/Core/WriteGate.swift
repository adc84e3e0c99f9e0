import Foundation
import Fluent

/// Runs database writes. On SQLite, one write transaction at a time in this process: SQLite allows one writer,
/// and a transaction that reads before it writes fails with `SQLITE_BUSY` (not a wait) when another writer
/// committed in between, so queueing writers here is what keeps concurrent submissions from failing. SQLite
/// serves one machine, so an in-process queue is enough. On PostgreSQL writes go straight to the database.
struct WriteGate: Sendable {
    let serialises: Bool
    let lock = AsyncLock()

    /// Runs `body` in one database transaction.
    func transaction<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard serialises else { return try await db.transaction(body) }
        return try await lock.withLock { try await db.transaction(body) }
    }

    /// Runs a single write statement (or a few that need no transaction).
    func run<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard serialises else { return try await body(db) }
        return try await lock.withLock { try await body(db) }
    }
}

/// A first-in-first-out lock for async code. Written here because neither the standard library nor the
/// packages we use offer an async mutex that suspends waiters instead of blocking a thread.
final class AsyncLock: @unchecked Sendable {
    private let state = NSLock()
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.lock()
            if locked {
                waiters.append(continuation)
                state.unlock()
            } else {
                locked = true
                state.unlock()
                continuation.resume()
            }
        }
    }

    private func release() {
        state.lock()
        if waiters.isEmpty {
            locked = false
            state.unlock()
        } else {
            let next = waiters.removeFirst()
            state.unlock()
            next.resume()
        }
    }
}
