import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("A case from quote to closed")
struct CaseJourneyTests {
    static func status(_ app: Application, _ reference: String) async throws -> String? {
        try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first()?.status
    }

    @Test("Accepted, consultation booked, treatment booked, treated, aftercare, closed: each step by its side, on both timelines, told without health data")
    func wholeJourney() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let id = try await sendQuote(app, staff, reference)
            #expect(try await patient.submit("/cases/\(reference)/quotes/\(id)", to: "/cases/\(reference)/quotes/\(id)/accept",
                                             [("version", "1"), ("confirm", "yes")]).status == .seeOther)
            #expect(try await bookSlot(patient, reference, firstSlot).status == .seeOther)
            #expect(try await Self.status(app, reference) == CaseStatus.consultationScheduled.rawValue)
            _ = try await deliverMail(app)

            let secret = "Surgery on 3 March canary-plan-77"
            let steps: [(CaseAction, String?, CaseStatus)] = [(.bookTreatment, secret, .treatmentBooked), (.markTreated, nil, .treated),
                                                              (.startAftercare, "Check-up by video in two weeks", .aftercare), (.close, nil, .closed)]
            for (action, note, expected) in steps {
                let page = try await staff.get("/inbox/\(reference)")
                #expect(page.text.contains("value=\"\(action.rawValue)\""), "\(action)")
                let done = try await staff.submit("/inbox/\(reference)", to: "/inbox/\(reference)/actions",
                                                  [("action", action.rawValue)] + (note.map { [("note", $0)] } ?? []))
                #expect(done.status == .seeOther, "\(action)")
                #expect(try await Self.status(app, reference) == expected.rawValue)
            }
            let timeline = try await patient.get("/cases/\(reference)").text
            #expect(timeline.contains(secret))
            #expect(timeline.contains("Aftercare started"))
            let mails = try await deliverMail(app).filter { $0.recipient == Demo.patient.email }
            #expect(mails.count >= 4)
            #expect(mails.allSatisfy { !$0.body.contains("canary-plan") })
            // The patient cannot take the team's steps.
            let token = try #require(Browser.csrf(in: timeline))
            #expect(try await patient.post("/inbox/\(reference)/actions", [("action", "close"), ("csrf", token)]).status == .forbidden)
            let audit = try await AuditEvent.query(on: app.db).filter(\.$objectID == reference).all().map(\.action)
            for action in ["case.book-treatment", "case.mark-treated", "case.start-aftercare", "case.close"] { #expect(audit.contains(action), "\(action)") }
        }
    }

    @Test("A quoted case expires 14 days after its last quote ran out; a waiting case after 90 quiet days; each once")
    func expiry() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            let (_, quoted) = try await patientWithCase(app)
            let (_, quiet) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            _ = try await sendQuote(app, staff, quoted, QuoteFields.make(validUntil: "2026-11-30"))
            clock.advance(10 * 86_400)
            #expect(try await CaseExpiry.run(app: app) == 0)
            clock.advance(10 * 86_400)
            #expect(try await CaseExpiry.run(app: app) == 1)
            #expect(try await Self.status(app, quoted) == CaseStatus.expired.rawValue)
            #expect(try await QuoteRecord.query(on: app.db).filter(\.$status == "open").count() == 0)
            #expect(try await Self.status(app, quiet) == CaseStatus.submitted.rawValue)
            clock.advance(75 * 86_400)
            #expect(try await CaseExpiry.run(app: app) == 1)
            #expect(try await Self.status(app, quiet) == CaseStatus.expired.rawValue)
            #expect(try await CaseExpiry.run(app: app) == 0)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.expire").count() == 2)
            #expect(try await deliverMail(app).contains { $0.subject.contains("has expired") })
        }
    }

    @Test("The patient's export holds the quotes, the conversation with its files and the consultations; withdrawal closes and cancels them")
    func exportAndWithdrawal() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            _ = try await sendQuote(app, staff, reference)
            #expect(try await patient.sendMessage("/cases/\(reference)/messages", text: "export-canary-message", files: [
                .init(field: "attachments", filename: "report.pdf", contentType: "application/pdf", bytes: TestPDFs.plain())]).status == .seeOther)
            #expect(try await bookSlot(patient, reference, firstSlot).status == .seeOther)
            let export = try await patient.get("/account/export")
            #expect(export.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(export.body.readableBytesView)) as? [String: Any])
            let c = try #require((json["cases"] as? [[String: Any]])?.first)
            let quote = try #require((c["quotes"] as? [[String: Any]])?.first)
            let version = try #require((quote["versions"] as? [[String: Any]])?.first)
            #expect(version["total"] as? String == "2686.5")
            #expect(((version["content"] as? [String: Any])?["lines"] as? [Any])?.count == 2)
            let message = try #require((c["messages"] as? [[String: Any]])?.first)
            #expect(message["text"] as? String == "export-canary-message")
            #expect((message["attachments"] as? [[String: Any]])?.first?["data"] as? String == Data(TestPDFs.plain()).base64EncodedString())
            #expect((c["appointments"] as? [Any])?.count == 1)

            let withdrawn = try await patient.submit("/cases/\(reference)", to: "/cases/\(reference)/withdraw", [("confirm", "yes")])
            #expect(withdrawn.status == .seeOther)
            #expect(try await QuoteRecord.query(on: app.db).filter(\.$status == "open").count() == 0)
            #expect(try await Appointment.query(on: app.db).filter(\.$status == "booked").count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$kind == "appointment-reminder").filter(\.$deliveredAt == nil).count() == 0)
            // The slot is free again for someone else.
            #expect(try await Appointment.query(on: app.db).filter(\.$slotClaim != nil).count() == 0)
        }
    }
}

@Suite("Journey review fixes")
struct JourneyReviewTests {
    @Test("A booked consultation stays booked when the slot length changes: overlapping times are not offered and refused")
    func noOverlapAfterChange() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            #expect(try await bookSlot(patient, reference, firstSlot).status == .seeOther)   // 09:00–09:30 Brussels
            let row = try #require(try await ProviderAvailability.query(on: app.db).filter(\.$timeZone == "Europe/Brussels").first())
            row.slotMinutes = 20
            try await row.update(on: app.db)
            let (other, second) = try await patientWithCase(app)
            let page = try await other.get("/cases/\(second)/book?zone=UTC").text
            let overlapping = firstSlot.addingTimeInterval(20 * 60)   // 09:20–09:40 overlaps 09:00–09:30
            #expect(!page.contains("value=\"\(epoch(overlapping))\""))
            #expect(page.contains("value=\"\(epoch(firstSlot.addingTimeInterval(40 * 60)))\""))
            #expect(try await bookSlot(other, second, overlapping, zone: "UTC").status == .conflict)
        }
    }

    @Test("The team's decline closes open quotes and cancels a booked consultation with its reminders")
    func declineStopsWork() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            _ = try await sendQuote(app, staff, reference)
            #expect(try await bookSlot(patient, reference, firstSlot).status == .seeOther)
            let declined = try await staff.submit("/inbox/\(reference)", to: "/inbox/\(reference)/actions",
                                                  [("action", "decline"), ("note", "We cannot help with this request.")])
            #expect(declined.status == .seeOther)
            #expect(try await QuoteRecord.query(on: app.db).filter(\.$status == "open").count() == 0)
            #expect(try await Appointment.query(on: app.db).filter(\.$status == "booked").count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$kind == "appointment-reminder").filter(\.$deliveredAt == nil).count() == 0)
        }
    }

    @Test("A conversation keeps a case alive: messages count as activity for expiry")
    func messagesAreActivity() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            let (patient, reference) = try await patientWithCase(app)
            clock.advance(85 * 86_400)
            #expect(try await patient.signIn(Demo.patient.email, Demo.patient.password).status == .seeOther)
            #expect(try await patient.sendMessage("/cases/\(reference)/messages", text: "Any news?").status == .seeOther)
            clock.advance(10 * 86_400)
            #expect(try await CaseExpiry.run(app: app) == 0)
            #expect(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first()?.status == CaseStatus.submitted.rawValue)
        }
    }
}
