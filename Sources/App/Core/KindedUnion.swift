import Foundation
import SQLKit

/// Rows of several kinds read in one `UNION ALL`, for a page that would otherwise make a round trip for each kind.
///
/// Every branch names its kind (column `k`) and lists its values by type; the builder puts them in typed slots
/// (`t1…` text, `i1…` integer, `d1…` date, `b1…` boolean, `f1…` floating point) in order and fills the other slots with NULL. The first
/// branch casts its NULLs, because PostgreSQL types a union's columns from its first branch. `KindedRow` reads a
/// row back by slot number.
struct KindedUnion {
    let texts: Int, ints: Int, dates: Int, bools: Int, floats: Int

    init(texts: Int, ints: Int = 0, dates: Int = 0, bools: Int = 0, floats: Int = 0) {
        (self.texts, self.ints, self.dates, self.bools, self.floats) = (texts, ints, dates, bools, floats)
    }

    /// One `SELECT` of the union: `values` fill the slots of their type from the first; `from` follows `FROM`.
    func branch(_ kind: StaticString, first: Bool = false, texts t: [SQLQueryString] = [], ints i: [SQLQueryString] = [],
                dates d: [SQLQueryString] = [], bools b: [SQLQueryString] = [], floats f: [SQLQueryString] = [],
                from: SQLQueryString) -> SQLQueryString {
        precondition(t.count <= texts && i.count <= ints && d.count <= dates && b.count <= bools && f.count <= floats, "more values than slots")
        let head = "SELECT '\(kind)' AS k"
        var select = SQLQueryString(head)
        func slots(_ values: [SQLQueryString], _ count: Int, _ prefix: String, _ type: String) {
            for n in 0..<count {
                select.appendLiteral(", ")
                if n < values.count {
                    select.appendInterpolation(values[n])
                } else {
                    select.appendLiteral(first ? "CAST(NULL AS \(type))" : "NULL")
                }
                select.appendLiteral(" AS \(prefix)\(n + 1)")
            }
        }
        slots(t, texts, "t", "TEXT")
        slots(i, ints, "i", "BIGINT")
        slots(d, dates, "d", "TIMESTAMPTZ")
        slots(b, bools, "b", "BOOLEAN")
        slots(f, floats, "f", "DOUBLE PRECISION")
        select.appendLiteral(" FROM ")
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

/// A row of a `KindedUnion`, read by slot number (1-based, as the columns are named).
struct KindedRow {
    let row: any SQLRow

    private static let names = (t: (1...40).map { "t\($0)" }, i: (1...12).map { "i\($0)" }, d: (1...8).map { "d\($0)" }, b: (1...8).map { "b\($0)" },
                                f: (1...8).map { "f\($0)" })

    func kind() throws -> String { try row.decode(column: "k", as: String.self) }
    func text(_ n: Int) throws -> String? { try row.decode(column: Self.names.t[n - 1], as: String?.self) }
    func int(_ n: Int) throws -> Int64? { try row.decode(column: Self.names.i[n - 1], as: Int64?.self) }
    func date(_ n: Int) throws -> Date? { try row.decode(column: Self.names.d[n - 1], as: Date?.self) }
    func bool(_ n: Int) throws -> Bool? { try row.decode(column: Self.names.b[n - 1], as: Bool?.self) }
    func float(_ n: Int) throws -> Double? { try row.decode(column: Self.names.f[n - 1], as: Double?.self) }
}
