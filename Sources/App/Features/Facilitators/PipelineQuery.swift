import Foundation
import Fluent
import SQLKit
import Domain

/// What the pipeline shows: one stage or all, one owner or all, late work only; a board or a table, paged.
struct PipelineFilters: Sendable, Equatable {
    enum View: String, Sendable { case board, table }
    var stage: PipelineStage?
    var ownerID: Int?
    var overdueOnly = false
    var view: View = .board
    var page = 1

    var parameters: [(String, String)] {
        var p: [(String, String)] = []
        if view == .table { p.append(("view", "table")) }
        if let stage { p.append(("stage", stage.rawValue)) }
        if let ownerID { p.append(("owner", String(ownerID))) }
        if overdueOnly { p.append(("overdue", "1")) }
        return p
    }
}

/// The pipeline in SQL: requests with active consent for the facilitator's organisations, read from their pipeline
/// rows alone (stage, owner, next task and its due date are kept there), so a board of ten thousand requests is
/// a few indexed reads.
enum PipelineQuery {
    struct Row: Decodable, Sendable {
        let id: Int
        let case_id: Int
        let stage: String
        let owner_user_id: Int?
        let scopes: String
        let granted_at: Date?
        let updated_at: Date
        let next_task: String?
        let next_due_on: String?
        let version: Int
        let reference: String
        let patient_name: String
        let owner_name: String?
    }

    /// The pipeline row's own columns (sorted and cut to a page before anything is joined).
    static let inner: SQLQueryString = """
        g.id, g.case_id, g.patient_id, g.stage, g.owner_user_id, g.scopes, g.granted_at, g.updated_at, g.next_task, g.next_due_on, g.version, \
        g.due_key
        """
    /// What a page shows besides them: the reference and the two names, joined to the page's rows only.
    static let outer: SQLQueryString = """
        r.id, r.case_id, r.stage, r.owner_user_id, r.scopes, r.granted_at, r.updated_at, r.next_task, r.next_due_on, r.version, \
        c.reference, u.display_name AS patient_name, o.display_name AS owner_name
        """
    static let joins: SQLQueryString = """
        JOIN cases c ON c.id = r.case_id JOIN users u ON u.id = r.patient_id LEFT JOIN users o ON o.id = r.owner_user_id
        """
    /// Late first (the earliest due date), then the rest by due date, requests without a task last; read in this
    /// order from an index (`due_key`, then id).
    static func order(_ t: String) -> SQLQueryString {
        "ORDER BY \(ident: t).due_key, \(ident: t).id"
    }

    static func conditions(orgs: [Int], _ f: PipelineFilters, today: String, stage: Bool = true) -> SQLQueryString {
        var parts: [SQLQueryString] = ["g.facilitator_id IN (\(binds: orgs))", "g.status = \(bind: FacilitatorAccessStatus.active.rawValue)"]
        if stage, let s = f.stage { parts.append("g.stage = \(bind: s.rawValue)") }
        if let owner = f.ownerID { parts.append("g.owner_user_id = \(bind: owner)") }
        if f.overdueOnly { parts.append("g.due_key < \(bind: today)") }
        return parts.joined(separator: " AND ")
    }

    /// Requests per stage under the filters (the board's column heads and the stage menu).
    static func counts(orgs: [Int], _ f: PipelineFilters, today: String, on db: any Database) async throws -> [PipelineStage: Int] {
        guard !orgs.isEmpty else { return [:] }
        struct C: Decodable { let stage: String; let n: Int }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT g.stage, COUNT(*) AS n FROM case_facilitators g WHERE \(conditions(orgs: orgs, f, today: today, stage: false)) GROUP BY g.stage
            """).all(decoding: C.self)
        return Dictionary(rows.compactMap { r in PipelineStage(rawValue: r.stage).map { ($0, r.n) } }, uniquingKeysWith: +)
    }

    /// One page of the table: the pipeline rows are sorted and cut first, then the page's rows are joined.
    static func page(orgs: [Int], _ f: PipelineFilters, today: String, pageSize: Int, on db: any Database) async throws -> [Row] {
        guard !orgs.isEmpty else { return [] }
        return try await (db as! any SQLDatabase).raw("""
            SELECT \(outer) FROM (SELECT \(inner) FROM case_facilitators g WHERE \(conditions(orgs: orgs, f, today: today)) \(order("g")) \
            LIMIT \(literal: pageSize) OFFSET \(bind: (f.page - 1) * pageSize)) r \(joins) \(order("r"))
            """).all(decoding: Row.self)
    }

    /// The first `perColumn` requests of each stage: one index range per stage, in one statement.
    static func board(orgs: [Int], _ f: PipelineFilters, today: String, perColumn: Int, on db: any Database) async throws -> [PipelineStage: [Row]] {
        guard !orgs.isEmpty else { return [:] }
        let stages = f.stage.map { [$0] } ?? PipelineStage.allCases
        var stage = f
        let parts: [SQLQueryString] = stages.map { s in
            stage.stage = s
            return "SELECT * FROM (SELECT \(inner) FROM case_facilitators g WHERE \(conditions(orgs: orgs, stage, today: today)) \(order("g")) LIMIT \(literal: perColumn)) p\(literal: s.rank)"
        }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT \(outer) FROM (\(parts.joined(separator: " UNION ALL "))) r \(joins) \(order("r"))
            """).all(decoding: Row.self)
        var columns: [PipelineStage: [Row]] = [:]
        for r in rows { if let s = PipelineStage(rawValue: r.stage) { columns[s, default: []].append(r) } }
        return columns
    }

    /// The providers of each request on a page (its first case's and every case it was sent to): names only, in
    /// one statement (loading the cases themselves would read every sealed request of the page).
    static func providers(roots: [Int], on db: any Database) async throws -> [Int: [String]] {
        guard !roots.isEmpty else { return [:] }
        struct P: Decodable { let root: Int; let name: String? }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT COALESCE(c.origin_case_id, c.id) AS root, COALESCE(p.display_name, o.name) AS name FROM cases c \
            LEFT JOIN practitioners p ON p.id = c.practitioner_id LEFT JOIN organizations o ON o.id = c.organization_id \
            WHERE c.id IN (\(binds: roots)) OR c.origin_case_id IN (\(binds: roots)) ORDER BY c.id
            """).all(decoding: P.self)
        var out: [Int: [String]] = [:]
        for r in rows { out[r.root, default: []].append(r.name ?? "") }
        return out
    }
}
