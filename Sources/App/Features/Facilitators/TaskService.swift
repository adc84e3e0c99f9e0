import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// A task as the pipeline and the provider's inbox show it.
struct ShownTask: Sendable, Equatable {
    let id: Int
    let kind: CaseTask.Kind
    let title: String
    let dueOn: String?
    let status: CaseTask.Status
    let caseReference: String?
    let providerName: String?

    /// Late: still open after its due date (compared as local dates, `today` in YYYY-MM-DD).
    func isOverdue(today: String) -> Bool { status == .open && (dueOn.map { $0 < today } ?? false) }
}

enum TaskLimits {
    static let title = 200
}

/// The facilitator's tasks on a request. A visa invitation letter is a task addressed to the team of one case of
/// the request: they see it on the case and mark it done; the facilitator sees when. Finishing a task is one
/// conditional update on its open status.
enum TaskService {
    static func today(_ now: Date) -> String { ISODate.format(now) }

    static func list(rootID: Int, facilitatorID: Int, on db: any Database) async throws -> [ShownTask] {
        try await shown(try await CaseTask.query(on: db).filter(\.$rootCaseID == rootID).filter(\.$facilitatorID == facilitatorID)
            .sort(\.$status, .descending).sort(\.$dueOn).sort(\.$id).all(), on: db)
    }

    /// Open tasks addressed to a provider's case (the visa letters it is asked for).
    static func forProviderCase(caseID: Int, on db: any Database) async throws -> [ShownTask] {
        try await shown(try await CaseTask.query(on: db).filter(\.$caseID == caseID).sort(\.$id).all(), on: db)
    }

    static func shown(_ rows: [CaseTask], on db: any Database) async throws -> [ShownTask] {
        let cases = try await ConsultationCase.query(on: db).filter(\.$id ~~ rows.compactMap(\.caseID)).all()
        let items = try await InboxQuery.items(cases.map(InboxQuery.Row.init), on: db)
        let names = Dictionary(zip(cases.compactMap(\.id), items.map { ($0.reference, $0.providerName) }), uniquingKeysWith: { a, _ in a })
        return rows.compactMap { r in
            guard let id = r.id, let kind = CaseTask.Kind(rawValue: r.kind), let status = CaseTask.Status(rawValue: r.status) else { return nil }
            let target = r.caseID.flatMap { names[$0] }
            return ShownTask(id: id, kind: kind, title: r.title, dueOn: r.dueOn, status: status, caseReference: target?.0, providerName: target?.1)
        }
    }

    /// Writes the earliest open task of a request onto its pipeline row (in the transaction that changed a task),
    /// so the board reads it without looking at tasks.
    static func refreshNext(rootID: Int, facilitatorID: Int, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        struct Next: Decodable { let title: String; let due_on: String? }
        let next = try await sql.raw("""
            SELECT title, due_on FROM case_tasks WHERE root_case_id = \(bind: rootID) AND facilitator_id = \(bind: facilitatorID) \
            AND status = \(bind: CaseTask.Status.open.rawValue) ORDER BY CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, id LIMIT 1
            """).first(decoding: Next.self)
        try await sql.update(CaseFacilitator.schema).set("next_task", to: SQLBind(next?.title)).set("next_due_on", to: SQLBind(next?.due_on))
            .set("due_key", to: SQLBind(next?.due_on ?? UpdatePipelineSortKey.noDue))
            .where("case_id", .equal, SQLBind(rootID)).where("facilitator_id", .equal, SQLBind(facilitatorID)).where("open_claim", .isNot, SQLLiteral.null)
            .run()
    }

    /// Adds a task; a visa letter is addressed to `caseID` (a case of the request), whose team is told.
    static func add(kind: CaseTask.Kind, title: String, dueOn: String?, caseID: Int?, root: ConsultationCase, grant: AccessGrant,
                    user: SignedInUser, app: Application, source: String, on db: any Database) async throws -> Int {
        let now = app.clock.now()
        let rootID = try root.requireID()
        return try await app.writes.transaction(on: db) { tx in
            let task = CaseTask()
            task.rootCaseID = rootID
            task.facilitatorID = grant.facilitatorID
            task.caseID = caseID
            task.kind = kind.rawValue
            task.title = title
            task.dueOn = dueOn
            task.status = CaseTask.Status.open.rawValue
            task.assigneeUserID = user.id
            task.createdBy = user.id
            task.createdAt = now
            try await task.create(on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "task.add", objectType: "case",
                                                 objectID: root.reference, source: source), at: now, app: app, on: tx)
            try await refreshNext(rootID: rootID, facilitatorID: grant.facilitatorID, on: tx)
            if kind == .visaLetter, let caseID, let target = try await ConsultationCase.find(caseID, on: tx) {
                let link = app.config.baseURL + SiteURL.inboxCase(.value(target.reference)).path
                try await CaseService.tellTeam(of: target, kind: "visa-letter", mail: "mail.visaLetterRequested",
                                               values: ["reference": target.reference, "name": grant.facilitatorName, "date": dueOn ?? "–", "link": link],
                                               app: app, now: now, on: tx)
            }
            return try task.requireID()
        }
    }

    /// Marks a task done, once: `scope` limits which tasks the caller may finish.
    static func complete(taskID: Int, scope: @escaping @Sendable (QueryBuilder<CaseTask>) -> QueryBuilder<CaseTask>, user: SignedInUser, reference: String,
                         app: Application, source: String, on db: any Database) async throws -> Bool {
        let now = app.clock.now()
        return try await app.writes.transaction(on: db) { tx in
            guard let task = try await scope(CaseTask.query(on: tx).filter(\.$id == taskID)).first() else { throw Abort(.notFound) }
            let changed = try await (tx as! any SQLDatabase).update(CaseTask.schema)
                .set("status", to: SQLBind(CaseTask.Status.done.rawValue)).set("done_at", to: SQLBind(now)).set("done_by", to: SQLBind(user.id))
                .where("id", .equal, SQLBind(taskID)).where("status", .equal, SQLBind(CaseTask.Status.open.rawValue)).returning("id").all()
            guard changed.count == 1 else { return false }
            try await refreshNext(rootID: task.rootCaseID, facilitatorID: task.facilitatorID, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "task.done", objectType: "case",
                                                 objectID: reference, source: source), at: now, app: app, on: tx)
            if task.kind == CaseTask.Kind.visaLetter.rawValue, user.role == .provider {
                try await FacilitatorAccess.tellOrganisation(task.facilitatorID, kind: "visa-letter-done", mail: "mail.visaLetterDone",
                                                             values: ["reference": reference], app: app, now: now, on: tx)
            }
            return true
        }
    }
}
