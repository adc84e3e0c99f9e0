import Foundation
import Vapor
import Fluent
import SQLKit
import Domain

/// Builds a benchmark-sized facilitator pipeline: the demo facilitator organisation follows `count` of the stored
/// requests (from `seed cases`) with consent, spread over the stages, half with an owner and most with a next task,
/// some of them late. Optionally writes a session token for the demo facilitator account, for the load script.
/// Sample data only.
enum SyntheticPipeline {
    static func run(count: Int, sessionFile: String?, app: Application, console: any Console) async throws {
        let db = app.db
        let sql = db as! any SQLDatabase
        let now = app.clock.now()
        guard let org = try await Facilitator.query(on: db).filter(\.$slug == "sample-care-journeys").first()?.id,
              let member = try await User.query(on: db).filter(\.$email == "facilitator@demo.careabroad.test").first()?.id else {
            console.error("Load the demo data and the requests first: careabroad seed synthetic, then careabroad seed cases")
            throw ExitCode(1)
        }
        struct CaseRow: Decodable { let id: Int; let patient_id: Int }
        let cases = try await sql.raw("""
            SELECT c.id, c.patient_id FROM cases c WHERE c.origin_case_id IS NULL \
            AND NOT EXISTS (SELECT 1 FROM case_facilitators g WHERE g.case_id = c.id) ORDER BY c.id LIMIT \(literal: count)
            """).all(decoding: CaseRow.self)
        guard cases.count == count else {
            console.error("Only \(cases.count) requests without a facilitator are stored; load more with careabroad seed cases")
            throw ExitCode(1)
        }
        var g = SyntheticSeeder.Generator(state: 0xFAC1)
        let stages = PipelineStage.allCases
        let tasks = ["Collect the CT scan", "Confirm flights", "Book the hotel", "Ask for the visa invitation letter", "Call the patient after surgery"]
        let first = try await SyntheticSeeder.nextID("case_facilitators", sql)
        let bar = console.progressBar(title: "Pipeline")
        bar.start()
        for start in stride(from: 0, to: cases.count, by: 2_000) {
            let end = min(start + 2_000, cases.count)
            var rows: [[SQLBind]] = []
            for i in start..<end {
                let c = cases[i]
                let stage = stages[g.int(stages.count)]
                let hasTask = g.int(10) < 8
                // Due dates from 30 days ago to 60 days ahead: about a third are late.
                let due = hasTask ? ISODate.format(now.addingTimeInterval(Double(g.int(90) - 30) * 86_400)) : nil
                let changed = now.addingTimeInterval(-Double(g.int(90 * 86_400)))
                rows.append([SQLBind(first + i), SQLBind(c.id), SQLBind(org), SQLBind(c.patient_id), SQLBind(FacilitatorAccessStatus.active.rawValue),
                             SQLBind("request,quotes,messages"), SQLBind(CaseFacilitator.claim(caseID: c.id)), SQLBind("patient"),
                             SQLBind(FacilitatorAccess.consentVersion), SQLBind(stage.rawValue), SQLBind(g.int(2) == 0 ? member : nil as Int?),
                             SQLBind(0), SQLBind(changed), SQLBind(changed), SQLBind(changed),
                             SQLBind(hasTask ? tasks[g.int(tasks.count)] : nil as String?), SQLBind(due), SQLBind(due ?? UpdatePipelineSortKey.noDue)])
            }
            let batch = rows
            try await app.writes.transaction(on: db) { tx in
                try await SyntheticSeeder.insert(tx as! any SQLDatabase, "case_facilitators",
                                                 ["id", "case_id", "facilitator_id", "patient_id", "status", "scopes", "open_claim", "started_side",
                                                  "consent_version", "stage", "owner_user_id", "version", "created_at", "granted_at", "updated_at",
                                                  "next_task", "next_due_on", "due_key"], batch)
            }
            bar.activity.currentProgress = Double(end) / Double(cases.count)
        }
        bar.succeed()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT setval(pg_get_serial_sequence('case_facilitators', 'id'), (SELECT COALESCE(MAX(id), 1) FROM case_facilitators))").run()
            try await sql.raw("ANALYZE case_facilitators").run()
        }
        if let sessionFile {
            let token = SecretToken.make()
            try await UserSession(id: SecretToken.digest(token), userID: member, now: now, secondFactorDone: true).create(on: db)
            try Data(token.utf8).write(to: URL(fileURLWithPath: sessionFile))
            console.info("Wrote a session token for the demo facilitator to \(sessionFile) (idle timeout applies).")
        }
    }
}
