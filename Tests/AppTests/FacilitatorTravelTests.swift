import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Travel plan and tasks")
struct FacilitatorTravelTests {
    static func flight(title: String = "Flight TK 1980 London Heathrow → Istanbul", start: String = "2027-03-01T10:15", startZone: String = "Europe/London",
                       end: String = "2027-03-01T16:20", endZone: String = "Europe/Istanbul") -> [(String, String)] {
        [("action", "add"), ("kind", "flight"), ("title", title), ("start", start), ("start_zone", startZone), ("end", end), ("end_zone", endZone),
         ("location", "Heathrow Terminal 2"), ("details", "Window seat"), ("booking_reference", "PNR7QX")]
    }

    @Test("The facilitator plans a flight and a stay, each in its own zone; the patient reads them and downloads one calendar file; the notes are sealed")
    func travelPlan() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let facilitator = try await staffBrowser(app, Demo.facilitator.email, Demo.facilitator.password)
            #expect(try await facilitator.get("/pipeline/\(reference)/travel").status == .notFound)
            #expect(try await FacilitatorConsentTests.invite(patient, reference, slug: FacilitatorConsentTests.journeys, scopes: [.request]).status == .seeOther)
            #expect(try await facilitator.get("/pipeline/\(reference)/travel").status == .ok)

            #expect(try await facilitator.submit("/pipeline/\(reference)/travel", Self.flight()).status == .seeOther)
            let stay: [(String, String)] = [("action", "add"), ("kind", "stay"), ("title", "Hotel near the clinic"), ("start", "2027-03-01T18:00"),
                                            ("start_zone", "Europe/Istanbul"), ("end", "2027-03-05T11:00"), ("location", "Nişantaşı, Istanbul")]
            #expect(try await facilitator.submit("/pipeline/\(reference)/travel", stay).status == .seeOther)

            // Refused at the field: an end before the start, an unknown zone, a time the clocks skip.
            let backwards = try await facilitator.submit("/pipeline/\(reference)/travel", Self.flight(end: "2027-03-01T09:00", endZone: "Europe/London"))
            #expect(backwards.status == .unprocessableEntity && backwards.text.contains("aria-invalid"))
            #expect(try await facilitator.submit("/pipeline/\(reference)/travel", Self.flight(startZone: "Mars/Olympus")).status == .unprocessableEntity)
            #expect(try await facilitator.submit("/pipeline/\(reference)/travel", Self.flight(start: "2027-03-28T01:30", end: "", endZone: ""))
                .status == .unprocessableEntity)
            #expect(try await TravelItemRow.query(on: app.db).count() == 2)
            let row = try #require(try await TravelItemRow.query(on: app.db).filter(\.$kind == "flight").first())
            #expect(!TestImages.contains(row.sealed, "PNR7QX") && !TestImages.contains(row.sealed, "Window seat"))

            let page = try await patient.get("/cases/\(reference)/travel")
            #expect(page.status == .ok)
            #expect(page.text.contains("10:15 (Europe/London)") && page.text.contains("16:20 (Europe/Istanbul)"))
            #expect(page.text.contains("Booking reference: PNR7QX"))
            let ics = try await patient.get("/cases/\(reference)/travel.ics")
            #expect(ics.status == .ok)
            #expect(ics.headers.first(name: .contentType)?.hasPrefix("text/calendar") == true)
            let text = ics.text
            #expect(text.contains("DTSTART;TZID=Europe/London:20270301T101500\r\n"))
            #expect(text.contains("DTEND;TZID=Europe/Istanbul:20270301T162000\r\n"))
            #expect(text.contains("TZID:Europe/London\r\n") && text.contains("TZID:Europe/Istanbul\r\n"))
            #expect(text.components(separatedBy: "BEGIN:VEVENT").count == 3)
            #expect(text.contains("LOCATION:Heathrow Terminal 2"))

            // Someone else's request answers 404; a removed line is gone from the file.
            let other = try await AccountTests.verifiedPatient(app, email: "other.traveller@example.org")
            #expect(try await other.get("/cases/\(reference)/travel").status == .notFound)
            #expect(try await other.get("/cases/\(reference)/travel.ics").status == .notFound)
            #expect(try await facilitator.submit("/pipeline/\(reference)/travel", [("action", "remove"), ("item", row.id!)]).status == .seeOther)
            #expect(try await patient.get("/cases/\(reference)/travel.ics").text.components(separatedBy: "BEGIN:VEVENT").count == 2)
        }
    }

    @Test("A visa invitation letter is asked of the clinic as a task: late tasks are flagged; the clinic marks it sent and the facilitator is told")
    func visaLetter() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let facilitator = try await staffBrowser(app, Demo.facilitator.email, Demo.facilitator.password)
            #expect(try await FacilitatorConsentTests.invite(patient, reference, slug: FacilitatorConsentTests.journeys, scopes: [.request]).status == .seeOther)
            let untitled = try await facilitator.submit("/pipeline/\(reference)", to: "/pipeline/\(reference)/tasks",
                                                        [("action", "add"), ("task_kind", "custom"), ("task_title", "")])
            #expect(untitled.status == .unprocessableEntity)
            let asked = try await facilitator.submit("/pipeline/\(reference)", to: "/pipeline/\(reference)/tasks",
                                                     [("action", "add"), ("task_kind", "visa-letter"), ("task_case", reference), ("task_due", "2026-11-20")])
            #expect(asked.status == .seeOther)
            #expect(try await facilitator.get("/pipeline/\(reference)").text.contains("Overdue since 20 November 2026"))
            _ = try await deliverMail(app)

            let staff = try await staffBrowser(app)
            let inbox = try await staff.get("/inbox/\(reference)").text
            #expect(inbox.contains("Asked by the patient&#39;s facilitator") || inbox.contains("Asked by the patient's facilitator"))
            let task = try #require(try await CaseTask.query(on: app.db).first())
            #expect(try await staff.submit("/inbox/\(reference)", to: "/inbox/\(reference)/tasks", [("task", "\(task.id!)")]).status == .seeOther)
            #expect(try await CaseTask.find(task.id, on: app.db)?.status == "done")
            let told = try await deliverMail(app).filter { $0.recipient == Demo.facilitator.email && $0.subject.contains("Visa invitation letter sent") }
            #expect(told.count == 1)
            // A second click changes nothing and tells nobody again.
            #expect(try await staff.submit("/inbox/\(reference)", to: "/inbox/\(reference)/tasks", [("task", "\(task.id!)")]).status == .seeOther)
            #expect(try await deliverMail(app).filter { $0.subject.contains("Visa invitation letter sent") }.count == 1)
            // Another practice's team cannot reach it.
            let lale = try await staffBrowser(app, "team.lale@demo.careabroad.test", "coral-bridge-saffron-24")
            #expect(try await lale.submit("/account/password", to: "/inbox/\(reference)/tasks", [("task", "\(task.id!)")]).status == .notFound)
        }
    }
}
