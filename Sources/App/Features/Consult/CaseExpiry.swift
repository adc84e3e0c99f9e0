import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Expires cases that went quiet: a quoted case whose every open quote ran out more than `quoteGraceDays` ago,
/// and a case waiting on either side with no change for `inactivityDays`. Each is one conditional transition
/// by the platform, audited, shown on both timelines and told to both sides. Runs with the housekeeping.
enum CaseExpiry {
    static let quoteGraceDays = 14
    static let inactivityDays = 90
    static let batch = 200
    static let waiting: [CaseStatus] = [.submitted, .inReview, .infoRequested, .answered]

    @discardableResult
    static func run(app: Application) async throws -> Int {
        let now = app.clock.now()
        let sql = app.db as! any SQLDatabase
        struct IDRow: Decodable { let id: Int }
        let cutoff = ISODate.format(now.addingTimeInterval(-Double(quoteGraceDays) * 86_400))
        let lapsed = try await sql.raw("""
            SELECT c.id AS id FROM cases c WHERE c.status = \(bind: CaseStatus.quoted.rawValue) AND NOT EXISTS (
              SELECT 1 FROM quotes q JOIN quote_versions v ON v.quote_id = q.id AND v.version = q.latest_version
              WHERE q.case_id = c.id AND q.status = \(bind: QuoteStatus.open.rawValue) AND v.valid_until >= \(bind: cutoff))
            ORDER BY c.id LIMIT \(bind: batch)
            """).all(decoding: IDRow.self)
        let quiet = try await sql.select().column("id").from("cases").where("status", .in, SQLBind.group(waiting.map(\.rawValue)))
            .where("updated_at", .lessThan, SQLBind(now.addingTimeInterval(-Double(inactivityDays) * 86_400)))
            .orderBy("id").limit(batch).all(decoding: IDRow.self)
        var expired = 0
        for id in (lapsed + quiet).map(\.id) where try await expire(caseID: id, app: app, now: now) { expired += 1 }
        return expired
    }

    static func expire(caseID: Int, app: Application, now: Date) async throws -> Bool {
        try await app.writes.transaction(on: app.db) { tx in
            guard let row = try await ConsultationCase.find(caseID, on: tx), let status = CaseStatus(rawValue: row.status),
                  let next = CaseAction.expire.apply(to: status, by: .system),
                  try await CaseService.transition(caseID: caseID, from: status, to: next, now: now, on: tx) else { return false }
            try await CaseService.stopOpenWork(caseID: caseID, by: nil, now: now, on: tx)
            let key = try await app.vault.dataKey(id: row.dataKeyID, on: tx)
            try await CaseService.addEvent(caseID: caseID, kind: CaseAction.expire.rawValue, status: next, actor: nil, note: nil,
                                           reference: row.reference, key: key, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: nil, actorRole: "system", action: "case.expire", objectType: "case",
                                                 objectID: row.reference, source: "housekeeping"), at: now, app: app, on: tx)
            let t = app.localizer
            if let patient = try await User.find(row.$patient.id, on: tx) {
                let link = app.config.baseURL + SiteURL.caseShow(.value(row.reference)).path
                try await Outbox.enqueue(app, kind: "case-update", to: patient.email, subject: t("mail.caseUpdate.subject", ["reference": row.reference]),
                                         body: t("mail.caseUpdate.body", ["name": patient.displayName, "reference": row.reference,
                                                                          "status": t("case.status.\(next.rawValue)"), "link": link]), now: now, on: tx)
            }
            try await CaseService.tellTeam(of: row, kind: "case-expired", mail: "mail.caseExpired",
                                           values: ["reference": row.reference, "link": app.config.baseURL + SiteURL.inboxCase(.value(row.reference)).path],
                                           app: app, now: now, on: tx)
            return true
        }
    }
}
