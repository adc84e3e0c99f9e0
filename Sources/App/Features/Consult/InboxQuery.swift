import Foundation
import Fluent
import SQLKit
import Domain

/// The provider inbox list, in SQL: a count and one page of a practice's requests, reading only the columns a
/// list shows (never the sealed request). At a million stored requests a practice's count is answered from the
/// (practitioner, status) index alone.
enum InboxQuery {
    struct Row: Decodable, Sendable {
        let id: Int
        let reference: String
        let status: String
        let created_at: Date
        let updated_at: Date
        let practitioner_id: Int?
        let organization_id: Int?
    }

    static func page(places: (practitioners: [Int], organizations: [Int]), filters: CasePages.InboxFilters, pageSize: Int,
                     on db: any Database) async throws -> (total: Int, rows: [Row]) {
        guard !places.practitioners.isEmpty || !places.organizations.isEmpty else { return (0, []) }
        let sql = db as! any SQLDatabase
        // The procedure is resolved once, so the filter below probes only the (case, procedure) index.
        var procedureID: Int?
        if let slug = filters.procedure {
            struct IDRow: Decodable { let id: Int }
            guard let id = try await sql.select().column("id").from("procedures").where("slug", .equal, SQLBind(slug)).first(decoding: IDRow.self)?.id
            else { return (0, []) }
            procedureID = id
        }
        var visible = filters.status.map { [$0.rawValue] } ?? CaseStatus.allCases.filter(\.visibleToProvider).map(\.rawValue)
        // Waiting for a quote: opened or answered, no quote sent yet; the longest-waiting first.
        if filters.waitingForQuote { visible = visible.filter { QuoteService.waitingStatuses.map(\.rawValue).contains($0) } }
        guard !visible.isEmpty else { return (0, []) }
        let order: SQLDirection = filters.waitingForQuote ? .ascending : .descending
        // With a procedure, the list comes from `case_procedures`, which repeats addressee, status and date.
        let table = procedureID == nil ? "cases" : "case_procedures"
        let idColumn = procedureID == nil ? "id" : "case_id"
        func apply(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            q.from(table)
                .where { w in
                    var w = w
                    if !places.practitioners.isEmpty { w = w.orWhere("practitioner_id", .in, SQLBind.group(places.practitioners)) }
                    if !places.organizations.isEmpty { w = w.orWhere("organization_id", .in, SQLBind.group(places.organizations)) }
                    return w
                }
                .where("status", .in, SQLBind.group(visible))
            if let procedureID { _ = q.where("procedure_id", .equal, SQLBind(procedureID)) }
            if let from = filters.from { _ = q.where("created_at", .greaterThanOrEqual, SQLBind(from)) }
            if let to = filters.to { _ = q.where("created_at", .lessThan, SQLBind(to.addingTimeInterval(86_400))) }
            return q
        }
        struct Count: Decodable { let n: Int }
        let total = try await apply(sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n")).first(decoding: Count.self)?.n ?? 0
        struct PageID: Decodable { let id: Int }
        let ids = try await apply(sql.select().column(SQLColumn(idColumn), as: "id"))
            .orderBy("created_at", order).orderBy(idColumn, order)
            .limit(pageSize).offset((filters.page - 1) * pageSize)
            .all(decoding: PageID.self).map(\.id)
        guard !ids.isEmpty else { return (total, []) }
        let found = try await sql.select().columns("id", "reference", "status", "created_at", "updated_at", "practitioner_id", "organization_id")
            .from("cases").where("id", .in, SQLBind.group(ids)).all(decoding: Row.self)
        let byID = Dictionary(uniqueKeysWithValues: found.map { ($0.id, $0) })
        return (total, ids.compactMap { byID[$0] })
    }

    /// List items with procedure and provider names, in two small queries for the whole page.
    static func items(_ rows: [Row], on db: any Database) async throws -> [CasePages.ListItem] {
        guard !rows.isEmpty else { return [] }
        let sql = db as! any SQLDatabase
        struct ProcedureRow: Decodable { let case_id: Int; let name: String }
        let procedures = try await sql.select().column(SQLColumn("case_id", table: "case_procedures"))
            .column(SQLColumn("name", table: "procedures")).from("case_procedures")
            .join("procedures", on: SQLColumn("procedure_id", table: "case_procedures"), .equal, SQLColumn("id", table: "procedures"))
            .where(SQLColumn("case_id", table: "case_procedures"), .in, SQLBind.group(rows.map(\.id))).all(decoding: ProcedureRow.self)
        let byCase = Dictionary(grouping: procedures, by: \.case_id).mapValues { $0.map(\.name).sorted() }
        struct NameRow: Decodable { let id: Int; let name: String }
        let practitionerIDs = Array(Set(rows.compactMap(\.practitioner_id)))
        let names = practitionerIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await sql.select().column("id").column("display_name", as: "name")
            .from("practitioners").where("id", .in, SQLBind.group(practitionerIDs)).all(decoding: NameRow.self).map { ($0.id, $0.name) })
        let organizationIDs = Array(Set(rows.filter { $0.practitioner_id == nil }.compactMap(\.organization_id)))
        let organizations = organizationIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await sql.select().column("id").column("name")
            .from("organizations").where("id", .in, SQLBind.group(organizationIDs)).all(decoding: NameRow.self).map { ($0.id, $0.name) })
        return rows.map { row in
            CasePages.ListItem(reference: row.reference, status: CaseStatus(rawValue: row.status) ?? .submitted, createdAt: row.created_at,
                               updatedAt: row.updated_at,
                               providerName: row.practitioner_id.flatMap { names[$0] } ?? row.organization_id.flatMap { organizations[$0] } ?? "",
                               procedures: byCase[row.id] ?? [])
        }
    }
}

extension InboxQuery.Row {
    /// The list row of a loaded case.
    init(_ c: ConsultationCase) {
        self.init(id: c.id ?? 0, reference: c.reference, status: c.status, created_at: c.createdAt, updated_at: c.updatedAt,
                  practitioner_id: c.$practitioner.id, organization_id: c.$organization.id)
    }
}
