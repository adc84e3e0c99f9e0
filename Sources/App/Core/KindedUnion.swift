import Foundation
import SQLKit
import PostgresNIO

/// Rows of several kinds read in one `UNION ALL`, for a page that would otherwise make a round trip for each kind.
///
/// Every branch names its kind (column `k`) and lists its values by type; the builder puts them in typed slots
/// (`t1…` text, `i1…` integer, `d1…` date, `b1…` boolean, `f1…` floating point) in order and fills the other slots
/// with NULL. The first branch casts its NULLs, because PostgreSQL types a union's columns from its first branch.
/// `KindedRow` reads a row back by slot number.
struct KindedUnion {
    let texts: Int, ints: Int, dates: Int, bools: Int, floats: Int

    init(texts: Int, ints: Int = 0, dates: Int = 0, bools: Int = 0, floats: Int = 0) {
        (self.texts, self.ints, self.dates, self.bools, self.floats) = (texts, ints, dates, bools, floats)
    }

    /// A slot's value: SQL text (a column, an expression without parameters), or a query string with parameters.
    enum Value: ExpressibleByStringLiteral {
        case sql(String)
        case query(SQLQueryString)
        init(stringLiteral value: String) { self = .sql(value) }
    }

    /// One `SELECT` of the union: `values` fill the slots of their type from the first; `from` follows `FROM`. The
    /// SQL text between parameters is gathered into one piece (a fragment each made the statement's text cost more
    /// to build and serialise than the page's other work on its rows).
    func branch(_ kind: StaticString, first: Bool = false, texts t: [Value] = [], ints i: [Value] = [],
                dates d: [Value] = [], bools b: [Value] = [], floats f: [Value] = [],
                from: SQLQueryString) -> SQLQueryString {
        precondition(t.count <= texts && i.count <= ints && d.count <= dates && b.count <= bools && f.count <= floats, "more values than slots")
        var select = SQLQueryString("")
        var text = "SELECT '\(kind)' AS k"
        func slots(_ values: [Value], _ count: Int, _ prefix: String, _ type: String) {
            for n in 0..<count {
                text += ", "
                if n < values.count {
                    switch values[n] {
                    case .sql(let sql): text += sql
                    case .query(let query):
                        select.appendLiteral(text)
                        text = ""
                        select.appendInterpolation(query)
                    }
                } else {
                    text += first ? "CAST(NULL AS \(type))" : "NULL"
                }
                text += " AS \(prefix)\(n + 1)"
            }
        }
        slots(t, texts, "t", "TEXT")
        slots(i, ints, "i", "BIGINT")
        slots(d, dates, "d", "TIMESTAMPTZ")
        slots(b, bools, "b", "BOOLEAN")
        slots(f, floats, "f", "DOUBLE PRECISION")
        select.appendLiteral(text + " FROM ")
        select.appendInterpolation(from)
        return select
    }

    /// The branches joined by `UNION ALL`.
    static func query(_ branches: [SQLQueryString]) -> SQLQueryString {
        var query = SQLQueryString("")
        for (n, branch) in branches.enumerated() {
            if n > 0 { query.appendLiteral(" UNION ALL ") }
            query.appendInterpolation(branch)
        }
        return query
    }
}

/// A row of a `KindedUnion`, read by slot number (1-based, as the columns are named). On PostgreSQL a slot is read
/// by its position in the row, worked out from the union's layout; elsewhere by its column name.
struct KindedRow {
    let row: any SQLRow
    private let pg: PostgresReadRow?
    private let layout: KindedUnion

    init(_ row: any SQLRow, _ layout: KindedUnion) {
        self.row = row
        self.pg = row as? PostgresReadRow
        self.layout = layout
    }

    private static let names = (t: (1...40).map { "t\($0)" }, i: (1...12).map { "i\($0)" }, d: (1...8).map { "d\($0)" }, b: (1...8).map { "b\($0)" },
                                f: (1...8).map { "f\($0)" })

    // Column 0 is the kind; then the text, integer, date, boolean and floating point slots, in that order.
    func kind() throws -> String { try pg?.optional(at: 0, as: String.self) ?? row.decode(column: "k", as: String.self) }
    func text(_ n: Int) throws -> String? {
        if let pg { return try pg.optional(at: n, as: String.self) }
        return try row.decode(column: Self.names.t[n - 1], as: String?.self)
    }
    func int(_ n: Int) throws -> Int64? {
        if let pg { return try pg.optional(at: layout.texts + n, as: Int64.self) }
        return try row.decode(column: Self.names.i[n - 1], as: Int64?.self)
    }
    func date(_ n: Int) throws -> Date? {
        if let pg { return try pg.optional(at: layout.texts + layout.ints + n, as: Date.self) }
        return try row.decode(column: Self.names.d[n - 1], as: Date?.self)
    }
    func bool(_ n: Int) throws -> Bool? {
        if let pg { return try pg.optional(at: layout.texts + layout.ints + layout.dates + n, as: Bool.self) }
        return try row.decode(column: Self.names.b[n - 1], as: Bool?.self)
    }
    func float(_ n: Int) throws -> Double? {
        if let pg { return try pg.optional(at: layout.texts + layout.ints + layout.dates + layout.bools + n, as: Double.self) }
        return try row.decode(column: Self.names.f[n - 1], as: Double?.self)
    }
}
