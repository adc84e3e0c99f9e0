import Foundation
import Fluent
import SQLKit
import FluentPostgresDriver
import NIOConcurrencyHelpers

/// The reads a public page makes on every request, run on PostgreSQL as named prepared statements.
///
/// PostgreSQL parses and plans an unnamed statement again at every execution; for an article page (three short
/// reads) that was about a millisecond of the server's time per page, three quarters of it planning
/// (`pgbench -M extended` against `-M prepared` on the article's reads: 2,431 against 10,293 pages per second).
/// A named statement is parsed once per connection and its plan is reused.
///
/// PostgresNIO prepares and caches a statement per connection by a name and text known from its type. The SQL of
/// these reads is the same on every call apart from its bound values, so each distinct text is given a slot when it is
/// first seen, and slot `n` is a distinct type (`Next<…<Root>>`) whose name is `ca_read_n`; slots are process-wide and
/// never reused for another text, so a name always means one statement on every connection. Past `capacity` texts,
/// or for a value the statement path cannot bind, the read runs as an ordinary query. SQLite runs them as ordinary
/// queries (its statements are compiled in microseconds).
enum PreparedReads {
    static let slots = StatementSlots(capacity: 48)

    /// The rows of `query`, prepared on PostgreSQL.
    static func rows(_ query: SQLQueryString, on db: any Database) async throws -> [any SQLRow] {
        try await rows(query, on: db as! any SQLDatabase)
    }

    static func rows(_ query: SQLQueryString, on sql: any SQLDatabase) async throws -> [any SQLRow] {
        guard sql.dialect.name == "postgresql", let pg = sql as? any PostgresDatabase else { return try await sql.raw(query).all() }
        let (text, binds) = sql.serialize(query)
        guard let slot = slots.slot(for: text), let bindings = bindings(binds) else { return try await sql.raw(query).all() }
        return try await pg.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                try await Slots.open(slot, Runner(connection: connection, bindings: bindings, logger: sql.logger))
            }
        }.get()
    }

    /// The rows of a statement whose text depends only on `shape` (not on its values): on PostgreSQL `build` runs and
    /// is serialised once per shape, and later calls bind `binds`, which must be the values `build` binds, in the same
    /// order. A guide's statement is four branches and three kilobytes of text; building and serialising it at every
    /// request, only to find the same prepared statement, was a twentieth of an uncached guide. The first call of
    /// each shape checks `binds` against the built statement's values, and a shape whose values differ is never
    /// cached (it is built at every call). Elsewhere `build` runs at every call.
    static func rows(shape: String, binds: [any Encodable & Sendable], on sql: any SQLDatabase,
                     _ build: () -> SQLQueryString) async throws -> [any SQLRow] {
        guard sql.dialect.name == "postgresql", let pg = sql as? any PostgresDatabase else { return try await sql.raw(build()).all() }
        let known = shapes.withLockedValue { $0[shape] }
        let slot: Int
        switch known {
        case .some(.some(let n)):
            slot = n
        case .some(.none):
            return try await rows(build(), on: sql)
        case .none:
            let query = build()
            let (text, built) = sql.serialize(query)
            let same = built.count == binds.count && zip(built, binds).allSatisfy { "\($0)" == "\($1)" }
            let n = same ? slots.slot(for: text) : nil
            shapes.withLockedValue { $0[shape] = .some(n) }
            return try await rows(query, on: sql)
        }
        guard let bindings = bindings(binds) else { return try await rows(build(), on: sql) }
        return try await pg.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                try await Slots.open(slot, Runner(connection: connection, bindings: bindings, logger: sql.logger))
            }
        }.get()
    }

    /// The slot of each statement shape seen, or nil for a shape whose values did not match its statement's.
    private static let shapes = NIOLockedValueBox([String: Int?]())

    /// Whether `shape` was seen and its values matched its statement (so later calls only bind them).
    static func isPrepared(shape: String) -> Bool { shapes.withLockedValue { ($0[shape] ?? nil) != nil } }

    /// The first row of `query`, prepared on PostgreSQL.
    static func first(_ query: SQLQueryString, on db: any Database) async throws -> (any SQLRow)? {
        try await rows(query, on: db).first
    }

    /// `column` is one of `ids`. On PostgreSQL, a list of scalar parameters padded with its last id to a fixed length
    /// (a repeated value changes nothing in `IN`), so that a few statement texts cover every list up to 64 ids, and
    /// longer ones bind one array (`= ANY($n)`). Why not always the array: its generic plan assumes ten elements,
    /// costs more than the custom plan of a short list, and so PostgreSQL planned the statement anew at every
    /// execution (for a guide's provider cards, planning took three times as long as running it). Padded scalars
    /// estimate the same rows either way, and the generic plan is kept. `IN (…)` on SQLite.
    static func anyOf(_ column: String, _ ids: [Int], on sql: any SQLDatabase) -> SQLQueryString {
        guard let last = ids.last else { return "1 = 0" }
        guard sql.dialect.name == "postgresql" else { return "\(unsafeRaw: column) IN (\(binds: ids))" }
        guard let length = listLengths.first(where: { $0 >= ids.count }) else { return "\(unsafeRaw: column) = ANY(\(bind: ids))" }
        return "\(unsafeRaw: column) IN (\(binds: ids + Array(repeating: last, count: length - ids.count)))"
    }

    /// The values `anyOf(column, ids, on:)` binds, in order.
    static func anyOfBinds(_ ids: [Int], on sql: any SQLDatabase) -> [any Encodable & Sendable] {
        guard let last = ids.last else { return [] }
        guard sql.dialect.name == "postgresql" else { return ids }
        guard let length = listLengths.first(where: { $0 >= ids.count }) else { return [ids] }
        return ids + Array(repeating: last, count: length - ids.count)
    }

    /// The lengths id lists are padded to on PostgreSQL.
    static let listLengths = [8, 16, 32, 64]

    /// Values as PostgreSQL bindings, or nil when one of them has no direct encoding (the caller then runs the
    /// query the ordinary way, whose encoder handles every `Encodable`).
    static func bindings(_ binds: [any Encodable & Sendable]) -> PostgresBindings? {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            if let optional = bind as? any OptionalBind {
                guard let wrapped = optional.wrapped else { bindings.appendNull(); continue }
                guard let value = wrapped as? any PostgresThrowingDynamicTypeEncodable, (try? bindings.append(value, context: .default)) != nil else { return nil }
            } else if let value = bind as? any PostgresThrowingDynamicTypeEncodable {
                guard (try? bindings.append(value, context: .default)) != nil else { return nil }
            } else {
                return nil
            }
        }
        return bindings
    }

    /// Runs the statement of one slot on one connection.
    struct Runner: SlotVisitor {
        let connection: PostgresConnection
        let bindings: PostgresBindings
        let logger: Logger

        func visit<S: SlotTag>(_: S.Type) async throws -> [any SQLRow] {
            var rows: [any SQLRow] = []
            for try await row in try await connection.execute(Statement<S>(bindings: bindings), logger: logger) {
                rows.append(PostgresReadRow(row))
            }
            return rows
        }
    }

    struct Statement<S: SlotTag>: PostgresPreparedStatement {
        typealias Row = PostgresRow
        static var name: String { "ca_read_\(S.index)" }
        static var sql: String { PreparedReads.slots.text(of: S.index) }
        let bindings: PostgresBindings
        func makeBindings() throws -> PostgresBindings { bindings }
        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }
}

private protocol OptionalBind { var wrapped: Any? { get } }
extension Optional: OptionalBind {
    fileprivate var wrapped: Any? { self.map { $0 as Any } }
}

/// A distinct type for each slot number: `Root` is 0, `Next<Root>` is 1, and so on.
protocol SlotTag { static var index: Int { get } }
enum Root: SlotTag { static var index: Int { 0 } }
enum Next<P: SlotTag>: SlotTag { static var index: Int { P.index + 1 } }

protocol SlotVisitor: Sendable {
    func visit<S: SlotTag>(_: S.Type) async throws -> [any SQLRow]
}

enum Slots {
    /// Calls `visitor` with the type of slot `n`.
    static func open(_ n: Int, _ visitor: some SlotVisitor) async throws -> [any SQLRow] {
        try await step(n, Root.self, visitor)
    }

    private static func step<S: SlotTag>(_ n: Int, _: S.Type, _ visitor: some SlotVisitor) async throws -> [any SQLRow] {
        n == 0 ? try await visitor.visit(S.self) : try await step(n - 1, Next<S>.self, visitor)
    }
}

/// Statement texts and their slot numbers: a text keeps its slot for the life of the process, and past `capacity`
/// texts get none (they run as ordinary queries) rather than taking another's.
final class StatementSlots: Sendable {
    let capacity: Int
    private struct Table { var slots: [String: Int] = [:]; var texts: [String] = [] }
    private let table = NIOLockedValueBox(Table())

    init(capacity: Int) { self.capacity = capacity }

    func slot(for text: String) -> Int? {
        table.withLockedValue { t in
            if let n = t.slots[text] { return n }
            guard t.texts.count < capacity else { return nil }
            t.slots[text] = t.texts.count
            t.texts.append(text)
            return t.texts.count - 1
        }
    }

    /// The slot of a text seen before, without giving it one.
    func existing(_ text: String) -> Int? { table.withLockedValue { $0.slots[text] } }

    /// The text of slot `n` (read by the statement type of that slot).
    func text(of slot: Int) -> String {
        table.withLockedValue { t in slot < t.texts.count ? t.texts[slot] : "" }
    }
}

/// A row of a prepared read on PostgreSQL. The common column types are decoded straight from their cells; anything
/// else goes through PostgresKit's row as before. PostgresKit's general route (a dynamic conformance check, an array
/// built per value and a fallback through `Decodable`) was an eighth of an uncached guide page on PostgreSQL, which
/// decodes a few hundred values.
struct PostgresReadRow: SQLRow {
    let row: PostgresRow
    let cells: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row
        self.cells = row.makeRandomAccess()
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { cells.contains(column) }

    func decodeNil(column: String) throws -> Bool { !cells.contains(column) || cells[column].bytes == nil }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard cells.contains(column) else { return try row.sql().decode(column: column, as: D.self) }
        let cell = cells[column]
        if cell.dataType.isUserDefined { return try row.sql().decode(column: column, as: D.self) }
        switch D.self {
        case is String.Type: return try cell.decode(String.self) as! D
        case is String?.Type: return try cell.decode(String?.self) as! D
        case is Int.Type: return try cell.decode(Int.self) as! D
        case is Int?.Type: return try cell.decode(Int?.self) as! D
        case is Int64.Type: return try cell.decode(Int64.self) as! D
        case is Int64?.Type: return try cell.decode(Int64?.self) as! D
        case is Bool.Type: return try cell.decode(Bool.self) as! D
        case is Bool?.Type: return try cell.decode(Bool?.self) as! D
        case is Date.Type: return try cell.decode(Date.self) as! D
        case is Date?.Type: return try cell.decode(Date?.self) as! D
        default: return try row.sql().decode(column: column, as: D.self)
        }
    }

    /// The value of the column at `index` (from 0), for callers that know the statement's layout (`KindedRow`):
    /// no lookup of the column's name. Only the types `KindedRow` reads.
    func optional<D: PostgresDecodable>(at index: Int, as: D.Type) throws -> D? {
        let cell = cells[index]
        guard cell.bytes != nil else { return nil }
        return try cell.decode(D.self)
    }
}
