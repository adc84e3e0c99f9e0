import Foundation
import Vapor
import Fluent
import SQLKit
import Domain

/// Fills one case's conversation with `count` messages (alternating patient and team, sealed exactly as real
/// ones), to measure how a long conversation opens. Sample data only.
enum SyntheticConversation {
    static func run(reference: String, count: Int, app: Application, console: any Console) async throws {
        let db = app.db
        let sql = db as! any SQLDatabase
        guard let row = try await ConsultationCase.query(on: db).filter(\.$reference == reference).first() else {
            console.error("No case \(reference)")
            throw ExitCode(1)
        }
        let caseID = try row.requireID()
        let staffID = try await Membership.query(on: db).group(.or) { or in
            if let p = row.$practitioner.id { or.filter(\.$practitioner.$id == p) }
            if let o = row.$organization.id { or.filter(\.$organization.$id == o) }
        }.first()?.$user.id
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        let now = app.clock.now()
        var next = try await SyntheticSeeder.nextID("case_messages", sql)
        for start in stride(from: 0, to: count, by: 500) {
            var rows: [[SQLBind]] = []
            for i in start..<min(count, start + 500) {
                let patientSide = i % 2 == 0
                let text = patientSide ? "Sample question \(i) about recovery and travel (sample data)." : "Sample answer \(i) from the team (sample data)."
                let sealed = try Vault.seal(Data(text.utf8), key: key, context: MessageService.bodyContext(reference, next))
                rows.append([SQLBind(next), SQLBind(caseID), SQLBind(patientSide ? row.$patient.id : staffID), SQLBind(patientSide ? "patient" : "provider"),
                             SQLBind(sealed), SQLBind(0), SQLBind(now.addingTimeInterval(TimeInterval(i - count)))])
                next += 1
            }
            let batch = rows
            try await app.writes.transaction(on: db) { tx in
                try await SyntheticSeeder.insert(tx as! any SQLDatabase, "case_messages",
                                                 ["id", "case_id", "author_user_id", "side", "body", "attachment_count", "created_at"], batch)
            }
        }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT setval(pg_get_serial_sequence('case_messages', 'id'), (SELECT COALESCE(MAX(id), 1) FROM case_messages))").run()
        }
        try await sql.raw("ANALYZE").run()
        console.success("\(count) messages added to \(reference).")
    }
}
