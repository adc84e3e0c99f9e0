import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

/// A signed-in demo patient with one request sent to the featured surgeon.
func patientWithCase(_ app: Application, procedure: String = "microfat-lip-grafting") async throws -> (Browser, String) {
    let patient = Browser(app)
    #expect(try await patient.signIn(Demo.patient.email, Demo.patient.password).status == .seeOther)
    let sent = try await patient.sendConsultation(answers: ConsultAnswers.all(procedure: procedure), photos: [TestImages.jpeg(seed: 3), TestImages.jpeg(seed: 4)])
    #expect(sent.status == .seeOther)
    let location = try #require(sent.headers.first(name: .location))
    #expect(location.hasPrefix("/cases/CA-"))
    return (patient, String(location.dropFirst("/cases/".count)))
}

@Suite("Provider inbox")
struct InboxTests {
    @Test("Staff review a request, ask a question, the patient answers; each change reaches the other side")
    func conversation() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = Browser(app)
            #expect(try await staff.signIn(Demo.staff.email, Demo.staff.password).status == .seeOther)

            let inbox = try await staff.get("/inbox")
            #expect(inbox.status == .ok)
            #expect(inbox.text.contains(reference))
            #expect(inbox.headers.first(name: .cacheControl) == "no-store")
            #expect(try await staff.get("/inbox?status=declined").text.contains(reference) == false)
            #expect(try await staff.get("/inbox?status=submitted").text.contains(reference))
            #expect(try await staff.get("/inbox?procedure=microfat-lip-grafting").text.contains(reference))
            #expect(try await staff.get("/inbox?procedure=dental-implants").text.contains(reference) == false)
            #expect(try await staff.get("/inbox?from=2026-11-25&to=2026-11-25").text.contains(reference))
            #expect(try await staff.get("/inbox?from=2026-11-26").text.contains(reference) == false)
            #expect(try await staff.get("/inbox?status=bogus").status == .badRequest)

            let page = try await staff.get("/inbox/\(reference)")
            #expect(page.status == .ok)
            #expect(page.text.contains(ConsultAnswers.secretConcern))
            #expect(page.text.contains(ConsultAnswers.secretMedication))
            let staffID = try #require(try await User.query(on: app.db).filter(\.$email == Demo.staff.email).first()?.id)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.view").filter(\.$actorUserID == staffID)
                .filter(\.$objectID == reference).count() == 1)
            let photo = try #require(try await CasePhoto.query(on: app.db).first())
            let image = try await staff.get("/inbox/\(reference)/photos/\(photo.id!)")
            #expect(image.status == .ok)
            #expect(image.headers.first(name: .cacheControl) == "no-store")

            #expect(try await staff.submit("/inbox/\(reference)", to: "/inbox/\(reference)/actions", [("action", "mark-in-review")]).status == .seeOther)
            let noQuestion = try await staff.submit("/inbox/\(reference)", to: "/inbox/\(reference)/actions", [("action", "request-info"), ("note", "")])
            #expect(noQuestion.status == .unprocessableEntity)
            let question = "Could you send a photo in profile, lips relaxed?"
            #expect(try await staff.submit("/inbox/\(reference)", to: "/inbox/\(reference)/actions", [("action", "request-info"), ("note", question)]).status == .seeOther)
            let mail = try await deliverMail(app)
            #expect(mail.contains { $0.recipient == Demo.patient.email && $0.subject.contains(reference) && $0.body.contains("Question for you") })
            #expect(!mail.contains { $0.body.contains(question) })

            let casePage = try await patient.get("/cases/\(reference)")
            #expect(casePage.text.contains(question))
            #expect(casePage.text.contains("Team started the review"))
            let answer = "Yes, I will send it tomorrow; I stopped apixaban last week."
            #expect(try await patient.submit("/cases/\(reference)", to: "/cases/\(reference)/reply", [("answer", answer)]).status == .seeOther)
            #expect(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first()?.status == CaseStatus.answered.rawValue)
            #expect(try await staff.get("/inbox/\(reference)").text.contains(answer))
            #expect(try await deliverMail(app).contains { $0.recipient == Demo.staff.email && $0.subject.contains("answered") })
            // Answering twice is refused: the team has not asked again.
            #expect(try await patient.submit("/account", to: "/cases/\(reference)/reply", [("answer", "again")]).status == .conflict)

            #expect(try await staff.submit("/inbox/\(reference)", to: "/inbox/\(reference)/actions", [("action", "decline"), ("note", "Not a candidate for grafting")]).status == .seeOther)
            #expect(try await staff.get("/inbox?procedure=microfat-lip-grafting&status=declined").text.contains(reference))
            #expect(try await staff.get("/inbox?procedure=microfat-lip-grafting&status=answered").text.contains(reference) == false)
            let declined = try await patient.get("/cases/\(reference)")
            #expect(declined.text.contains("Not a candidate for grafting"))
            #expect(declined.text.contains("Declined"))
            #expect(try await staff.submit("/account", to: "/inbox/\(reference)/actions", [("action", "mark-in-review")]).status == .conflict)
        }
    }

    @Test("Editing an audit row makes verification fail at that row")
    func auditChain() async throws {
        try await withTestApp { app in
            _ = try await patientWithCase(app)
            let intact = try await AuditLog.verify(app: app, on: app.db)
            #expect(intact.firstBrokenID == nil)
            #expect(intact.checked >= 2)
            let rows = try await AuditEvent.query(on: app.db).sort(\.$id).all()
            let victim = rows[rows.count / 2]
            try await (app.db as! any SQLDatabase).update("audit_events").set("outcome", to: "denied").where("id", .equal, victim.id!).run()
            let broken = try await AuditLog.verify(app: app, on: app.db)
            #expect(broken.firstBrokenID == victim.id)
            #expect(broken.checked == rows.firstIndex { $0.id == victim.id })
        }
    }

    @Test("Deleting an audit row is detected at the row after it")
    func auditDeletion() async throws {
        try await withTestApp { app in
            _ = try await patientWithCase(app)
            let rows = try await AuditEvent.query(on: app.db).sort(\.$id).all()
            #expect(rows.count >= 2)
            try await AuditEvent.query(on: app.db).filter(\.$id == rows[0].id!).delete()
            #expect(try await AuditLog.verify(app: app, on: app.db).firstBrokenID == rows[1].id)
        }
    }
}
