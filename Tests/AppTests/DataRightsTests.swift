import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Consent withdrawal, export and erasure")
struct DataRightsTests {
    @Test("Withdrawing consent erases the request, photos and notes; the team sees it withdrawn and is told")
    func withdraw() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = Browser(app)
            _ = try await staff.signIn(Demo.staff.email, Demo.staff.password)
            _ = try await staff.submit("/inbox/\(reference)", to: "/inbox/\(reference)/actions", [("action", "request-info"), ("note", "Any allergies?")])
            let unconfirmed = try await patient.submit("/cases/\(reference)", to: "/cases/\(reference)/withdraw", [])
            #expect(unconfirmed.status == .unprocessableEntity)
            let res = try await patient.submit("/cases/\(reference)", to: "/cases/\(reference)/withdraw", [("confirm", "yes")])
            #expect(res.status == .seeOther)
            let row = try #require(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first())
            #expect(row.status == CaseStatus.withdrawn.rawValue)
            #expect(row.payload.isEmpty)
            #expect(try await CasePhoto.query(on: app.db).count() == 0)
            #expect(try await CaseEvent.query(on: app.db).filter(\.$note != nil).count() == 0)
            #expect(try await Consent.query(on: app.db).filter(\.$consultation.$id == row.id!).filter(\.$withdrawnAt == nil).count() == 0)
            let page = try await staff.get("/inbox/\(reference)")
            #expect(page.status == .ok)
            #expect(page.text.contains("Withdrawn"))
            #expect(!page.text.contains("canary"))
            #expect(!page.text.contains("Any allergies?"))
            #expect(try await deliverMail(app).contains { $0.recipient == Demo.staff.email && $0.subject.contains("withdrawn") })
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.withdraw").count() == 1)
        }
    }

    @Test("The export holds the whole account as JSON and as a FHIR bundle, and is audited")
    func export() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let json = try await patient.get("/account/export")
            #expect(json.status == .ok)
            #expect(json.headers.first(name: .contentDisposition)?.contains("attachment") == true)
            #expect(json.headers.first(name: .cacheControl) == "no-store")
            let object = try jsonObject(json)
            let cases = try #require(object["cases"] as? [[String: Any]])
            #expect(cases.count == 1)
            #expect(cases[0]["reference"] as? String == reference)
            let request = try #require(cases[0]["request"] as? [String: Any])
            #expect(request["concerns"] as? String == ConsultAnswers.secretConcern)
            let photos = try #require(cases[0]["photos"] as? [[String: Any]])
            #expect(photos.count == 2)
            let photo = try #require(Data(base64Encoded: photos[0]["data"] as? String ?? ""))
            #expect(photo.starts(with: [0xFF, 0xD8]))
            // Health data and sharing for the request, and the terms and privacy notice by version.
            let consents = try #require(object["consents"] as? [[String: Any]])
            #expect(consents.count == 4)
            #expect(Set(consents.compactMap { $0["kind"] as? String }) == ["health-data", "share-with-provider", "terms-of-use", "privacy-notice"])
            #expect(consents.first { $0["kind"] as? String == "privacy-notice" }?["version"] as? String == app.legal.privacy.version)

            let fhir = try await patient.get("/account/export?format=fhir")
            #expect(fhir.headers.contentType?.subType == "fhir+json")
            let bundle = try jsonObject(fhir)
            #expect(bundle["resourceType"] as? String == "Bundle")
            let types = (bundle["entry"] as? [[String: Any]] ?? []).compactMap { ($0["resource"] as? [String: Any])?["resourceType"] as? String }
            #expect(Set(types) == ["Patient", "ServiceRequest", "QuestionnaireResponse", "DocumentReference", "Consent"])
            #expect(types.filter { $0 == "DocumentReference" }.count == 2)
            #expect(try await patient.get("/account/export?format=xml").status == .badRequest)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["account.export.json", "account.export.fhir"]).count() == 2)
            #expect(try await Browser(app).get("/account/export").status == .seeOther)
        }
    }

    @Test("Erasure removes the account, its cases, photos, keys and mail; the audit trail keeps a tombstone and stays intact")
    func erase() async throws {
        try await withTestApp { app in
            let (patient, _) = try await patientWithCase(app)
            let user = try #require(try await User.query(on: app.db).filter(\.$email == Demo.patient.email).first())
            let wrong = try await patient.submit("/account/delete", [("password", "not-mine-at-all"), ("confirm", "yes")])
            #expect(wrong.status == .unprocessableEntity)
            let done = try await patient.submit("/account/delete", [("password", Demo.patient.password), ("confirm", "yes")])
            #expect(done.status == .ok)
            #expect(try await User.find(user.id, on: app.db) == nil)
            #expect(try await ConsultationCase.query(on: app.db).count() == 0)
            #expect(try await CasePhoto.query(on: app.db).count() == 0)
            #expect(try await DataKey.query(on: app.db).filter(\.$user.$id == user.id!).count() == 0)
            #expect(try await MailboxMessage.query(on: app.db).filter(\.$recipient == Demo.patient.email).count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$recipient == Demo.patient.email).count() == 0)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "account.erase").filter(\.$objectID == String(user.id!)).count() == 1)
            #expect(try await AuditLog.verify(app: app, on: app.db).firstBrokenID == nil)
            #expect(try await patient.get("/cases").status == .seeOther)
            // The same address can sign up again, as a new person.
            #expect(try await Browser(app).submit("/account/sign-up", [("name", "A"), ("email", Demo.patient.email), ("password", "new-life-river-stone-3"), ("terms", "yes")]).status == .ok)
        }
    }
}
