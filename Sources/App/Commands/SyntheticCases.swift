import Foundation
import Crypto
import Vapor
import Fluent
import SQLKit
import Domain

/// Builds a benchmark-sized store of consultation requests: sealed exactly as real ones (a data key per patient,
/// AES-GCM per request), spread over the practitioners, with a share addressed to the featured surgeon's demo
/// practice so its staff inbox holds a large list. Optionally writes a session token for that practice's demo
/// staff account and an API token for the demo patient, for the load scripts. Sample data only.
enum SyntheticCases {
    static func run(cases count: Int, focusShare: Double, sessionFile: String?, tokenFile: String?, app: Application, console: any Console) async throws {
        let db = app.db
        let sql = db as! any SQLDatabase
        let now = app.clock.now()
        if try await User.query(on: db).filter(\.$isSample == true).count() == 0 {
            try await DemoAccounts.seed(app: app, announce: false)
        }
        struct IDRow: Decodable { let id: Int }
        let practitionerIDs = try await sql.select().column("id").from("practitioners").all(decoding: IDRow.self).map(\.id)
        let procedureIDs = try await sql.select().column("id").from("procedures").all(decoding: IDRow.self).map(\.id)
        guard !practitionerIDs.isEmpty, !procedureIDs.isEmpty,
              let focus = try await Practitioner.query(on: db).filter(\.$slug == DemoAccounts.featuredSurgeonSlug).first()?.id else {
            console.error("Load the demo data (and the synthetic directory) first: careabroad seed synthetic --providers N")
            throw ExitCode(1)
        }
        var g = SyntheticSeeder.Generator(state: 0xCA5E)

        // Patients, each with a data key.
        let patientCount = max(1, min(10_000, count / 100))
        let hash: String = try app.password.sync.hash(Passwords.prepared(SecretToken.make()))
        var patients: [(id: Int, key: SymmetricKey, keyID: Int)] = []
        let pbar = console.progressBar(title: "Patients")
        pbar.start()
        let firstPatient = try await SyntheticSeeder.nextID("users", sql)
        let firstKey = try await SyntheticSeeder.nextID("data_keys", sql)
        for start in stride(from: 0, to: patientCount, by: 1_000) {
            let end = min(start + 1_000, patientCount)
            var users: [[SQLBind]] = [], keys: [[SQLBind]] = []
            for i in start..<end {
                let id = firstPatient + i, keyID = firstKey + i
                let key = SymmetricKey(size: .bits256)
                users.append([SQLBind(id), SQLBind("synthetic.patient\(i)@example.org"), SQLBind(hash), SQLBind("Synthetic patient \(i) (sample)"),
                              SQLBind(Role.patient.rawValue), SQLBind(now), SQLBind(now), SQLBind(now), SQLBind(true)])
                keys.append([SQLBind(keyID), SQLBind(id), SQLBind(app.vault.keyring.current.id),
                             SQLBind(try app.vault.wrap(key, userID: id, with: app.vault.keyring.current)), SQLBind(now)])
                patients.append((id, key, keyID))
            }
            let userBatch = users, keyBatch = keys
            try await app.writes.transaction(on: db) { tx in
                let s = tx as! any SQLDatabase
                try await SyntheticSeeder.insert(s, "users", ["id", "email", "password_hash", "display_name", "role", "email_verified_at", "created_at", "password_changed_at", "is_sample"], userBatch)
                try await SyntheticSeeder.insert(s, "data_keys", ["id", "user_id", "master_key_id", "wrapped_key", "created_at"], keyBatch)
            }
            pbar.activity.currentProgress = Double(end) / Double(patientCount)
        }
        pbar.succeed()
        if sql.dialect.name == "postgresql" {
            for table in ["users", "data_keys", "cases", "case_events"] {
                try await sql.raw("SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), (SELECT COALESCE(MAX(id), 1) FROM \(ident: table)))").run()
            }
        }

        // Requests.
        let statuses: [CaseStatus] = [.submitted, .submitted, .inReview, .infoRequested, .answered, .declined]
        var sample = FormInput()
        let procedureSlug = try await Procedure.query(on: db).first()?.slug ?? ""
        sample.set("procedures", [procedureSlug])
        for (k, v) in [("concerns", "Sample request generated for load tests."), ("goals", "A natural result"), ("blood_thinners", "no"),
                       ("smoking", "never"), ("pregnancy", "no"), ("fillers", "none"), ("height_cm", "170"), ("weight_kg", "65"),
                       ("budget_min", "2000"), ("budget_max", "5000"), ("budget_currency", "EUR"), ("contact_channel", "email"),
                       ("language", "en"), ("time_zone", "UTC")] { sample[k] = v }
        guard case .success(let template) = ConsultationRequest.read(sample, procedures: [procedureSlug], languages: ["en"], today: now) else {
            throw Abort(.internalServerError, reason: "the sample request does not validate")
        }
        let payloadJSON = try JSONEncoder().encode(CasePayload(patientName: "Synthetic patient (sample)", request: template, channel: "synthetic"))
        var references = Set<String>(try await sql.select().column("reference").from("cases").all(decoding: [String: String].self).compactMap { $0["reference"] })
        let firstCase = try await SyntheticSeeder.nextID("cases", sql)
        let firstEvent = try await SyntheticSeeder.nextID("case_events", sql)
        let bar = console.progressBar(title: "Requests")
        bar.start()
        let batch = 2_000
        for start in stride(from: 0, to: count, by: batch) {
            let end = min(start + batch, count)
            var caseRows: [[SQLBind]] = [], procedureRows: [[SQLBind]] = [], eventRows: [[SQLBind]] = []
            for i in start..<end {
                let id = firstCase + i
                var reference = CaseReference.make()
                while references.contains(reference) { reference = CaseReference.make() }
                references.insert(reference)
                let patient = patients[g.int(patients.count)]
                let practitioner = Double(g.int(10_000)) < focusShare * 10_000 ? focus : practitionerIDs[g.int(practitionerIDs.count)]
                let status = statuses[g.int(statuses.count)]
                let created = now.addingTimeInterval(-Double(g.int(365 * 86_400)))
                let sealed = try Vault.seal(payloadJSON, key: patient.key, context: "case:\(reference)")
                caseRows.append([SQLBind(id), SQLBind(reference), SQLBind(UUID().uuidString.lowercased()), SQLBind(patient.id), SQLBind(practitioner),
                                 SQLBind(status.rawValue), SQLBind(sealed), SQLBind(patient.keyID), SQLBind(created), SQLBind(created)])
                procedureRows.append([SQLBind(id), SQLBind(procedureIDs[g.int(procedureIDs.count)]), SQLBind(practitioner), SQLBind(status.rawValue), SQLBind(created)])
                eventRows.append([SQLBind(firstEvent + i), SQLBind(id), SQLBind(created), SQLBind("submitted"), SQLBind(CaseStatus.submitted.rawValue), SQLBind(patient.id)])
            }
            let rows = (caseRows, procedureRows, eventRows)
            try await app.writes.transaction(on: db) { tx in
                let s = tx as! any SQLDatabase
                try await SyntheticSeeder.insert(s, "cases", ["id", "reference", "idempotency_key", "patient_id", "practitioner_id", "status", "payload", "data_key_id", "created_at", "updated_at"], rows.0)
                try await SyntheticSeeder.insert(s, "case_procedures", ["case_id", "procedure_id", "practitioner_id", "status", "created_at"], rows.1)
                try await SyntheticSeeder.insert(s, "case_events", ["id", "case_id", "at", "kind", "status", "actor_user_id"], rows.2)
            }
            bar.activity.currentProgress = Double(end) / Double(count)
        }
        bar.succeed()
        if sql.dialect.name == "postgresql" {
            for table in ["cases", "case_events"] {
                try await sql.raw("SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), (SELECT COALESCE(MAX(id), 1) FROM \(ident: table)))").run()
            }
            try await sql.raw("ANALYZE").run()
        }

        // Credentials for the load scripts.
        if let sessionFile, let staff = try await User.query(on: db).filter(\.$email == DemoAccounts.accounts[1].email).first() {
            let token = SecretToken.make()
            try await UserSession(id: SecretToken.digest(token), userID: staff.id!, now: now, secondFactorDone: true).create(on: db)
            try Data(token.utf8).write(to: URL(fileURLWithPath: sessionFile))
            console.info("Wrote a session token for \(staff.email) to \(sessionFile) (idle timeout applies).")
        }
        if let tokenFile, let patient = try await User.query(on: db).filter(\.$email == DemoAccounts.accounts[0].email).first() {
            let token = SecretToken.make()
            try await APIToken(id: SecretToken.digest(token), userID: patient.id!, name: "load test", now: now).create(on: db)
            try Data(token.utf8).write(to: URL(fileURLWithPath: tokenFile))
            console.info("Wrote an API token for \(patient.email) to \(tokenFile).")
        }
        console.success("Built \(count) requests from \(patientCount) patients; about \(Int(focusShare * 100))% are addressed to \(DemoAccounts.featuredSurgeonSlug).")
    }
}
