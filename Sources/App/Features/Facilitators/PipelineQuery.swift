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

    static let columns: SQLQueryString = """
        g.id, g.case_id, g.stage, g.owner_user_id, g.scopes, g.granted_at, g.updated_at, g.next_task, g.next_due_on, g.version, \
        c.reference, u.display_name AS patient_name, o.display_name AS owner_name
        """
    static let joins: SQLQueryString = """
        FROM case_facilitators g JOIN cases c ON c.id = g.case_id JOIN users u ON u.id = g.patient_id \
        LEFT JOIN users o ON o.id = g.owner_user_id
        """
    /// Late first (the earliest due date), then requests with a due date, then the most recently changed.
    static let order: SQLQueryString = "ORDER BY CASE WHEN g.next_due_on IS NULL THEN 1 ELSE 0 END, g.next_due_on, g.updated_at DESC, g.id DESC"

    static func conditions(orgs: [Int], _ f: PipelineFilters, today: String, stage: Bool = true) -> SQLQueryString {
        var parts: [SQLQueryString] = ["g.facilitator_id IN (\(binds: orgs))", "g.status = \(bind: FacilitatorAccessStatus.active.rawValue)"]
        if stage, let s = f.stage { parts.append("g.stage = \(bind: s.rawValue)") }
        if let owner = f.ownerID { parts.append("g.owner_user_id = \(bind: owner)") }
        if f.overdueOnly { parts.append("g.next_due_on < \(bind: today)") }
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

    /// One page of the table.
    static func page(orgs: [Int], _ f: PipelineFilters, today: String, pageSize: Int, on db: any Database) async throws -> [Row] {
        guard !orgs.isEmpty else { return [] }
        return try await (db as! any SQLDatabase).raw("""
            SELECT \(columns) \(joins) WHERE \(conditions(orgs: orgs, f, today: today)) \(order) \
            LIMIT \(literal: pageSize) OFFSET \(bind: (f.page - 1) * pageSize)
            """).all(decoding: Row.self)
    }

    /// The first `perColumn` requests of each stage, in one query (a window over the stages).
    static func board(orgs: [Int], _ f: PipelineFilters, today: String, perColumn: Int, on db: any Database) async throws -> [PipelineStage: [Row]] {
        guard !orgs.isEmpty else { return [:] }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT * FROM (SELECT \(columns), ROW_NUMBER() OVER (PARTITION BY g.stage \(order)) AS n \(joins) \
            WHERE \(conditions(orgs: orgs, f, today: today))) ranked WHERE ranked.n <= \(literal: perColumn)
            """).all(decoding: Row.self)
        var columns: [PipelineStage: [Row]] = [:]
        for r in rows { if let s = PipelineStage(rawValue: r.stage) { columns[s, default: []].append(r) } }
        return columns
    }

    /// The providers of each request on a page (its first case's and every case it was sent to).
    static func providers(roots: [Int], on db: any Database) async throws -> [Int: [String]] {
        guard !roots.isEmpty else { return [:] }
        let cases = try await ConsultationCase.query(on: db).group(.or) { $0.filter(\.$id ~~ roots).filter(\.$originCaseID ~~ roots) }.sort(\.$id).all()
        let items = try await InboxQuery.items(cases.map(InboxQuery.Row.init), on: db)
        var out: [Int: [String]] = [:]
        for (c, item) in zip(cases, items) { out[c.originCaseID ?? c.id ?? 0, default: []].append(item.providerName) }
        return out
    }
}
