import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

/// Thursday 26 November 2026, 09:00 in Brussels: the demo practice's first slot after the 24-hour notice from `testNow`.
let firstSlot = ISODate.parse("2026-11-26")!.addingTimeInterval(8 * 3_600)

func epoch(_ d: Date) -> String { "\(Int(d.timeIntervalSince1970))" }

/// Books `start` for the case through the booking page; returns the response.
func bookSlot(_ patient: Browser, _ reference: String, _ start: Date, zone: String = "America/New_York") async throws -> TestingHTTPResponse {
    try await patient.submit("/cases/\(reference)/book?zone=\(zone)", to: "/cases/\(reference)/book", [("start", epoch(start)), ("zone", zone)])
}

@Suite("Video consultations")
struct SchedulingTests {
    @Test("The patient books in their own zone, both sides get the invitation, the link shows 15 minutes before; cancel and book again")
    func bookAndCancel() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            let (patient, reference) = try await patientWithCase(app)
            let page = try await patient.get("/cases/\(reference)/book?zone=America/New_York")
            #expect(page.status == .ok)
            #expect(page.text.contains("value=\"\(epoch(firstSlot))\""))
            #expect(page.text.contains("03:00"))                       // 08:00 UTC in New York
            #expect(page.text.contains("09:00 in Europe/Brussels"))
            // Inside the notice period, in the past, or off the grid: not offered, and refused.
            let tooSoon = ISODate.parse("2026-11-25")!.addingTimeInterval(13 * 3_600)
            #expect(!page.text.contains("value=\"\(epoch(tooSoon))\""))
            for start in [tooSoon, testNow.addingTimeInterval(-3_600), firstSlot.addingTimeInterval(600)] {
                #expect(try await bookSlot(patient, reference, start).status == .conflict)
            }
            #expect(try await patient.get("/cases/\(reference)/book?zone=Mars/Olympus").status == .badRequest)

            _ = try await deliverMail(app)
            let booked = try await bookSlot(patient, reference, firstSlot)
            #expect(booked.status == .seeOther)
            let location = try #require(booked.headers.first(name: .location))
            let id = String(location.dropFirst("/appointments/".count))
            let appointment = try await patient.get(location)
            #expect(appointment.status == .ok)
            #expect(appointment.text.contains("appears here from"))
            #expect(!appointment.text.contains("meet.example.org"))

            let mails = try await deliverMail(app).filter { $0.subject.contains("Video consultation booked") }
            #expect(Set(mails.map(\.recipient)) == [Demo.patient.email, Demo.staff.email])
            for mail in mails {
                let ics = try #require(mail.attachment)
                for line in ["METHOD:REQUEST", "UID:\(id)@careabroad", "SEQUENCE:0", "DTSTART;TZID=Europe/Brussels:20261126T090000", "DTSTAMP:"] {
                    #expect(ics.contains(line), "\(line)")
                }
                #expect(!ics.contains("meet.example.org"))
                #expect(!mail.body.contains("canary"))
            }
            #expect(mails.first { $0.recipient == Demo.patient.email }?.body.contains("03:00 (America/New_York)") == true)
            let download = try await patient.get("/appointments/\(id).ics")
            #expect(download.status == .ok)
            #expect(download.headers.first(name: .contentType)?.hasPrefix("text/calendar") == true)
            #expect(download.text.contains("ATTENDEE;CN=") && download.text.contains("mailto:\(Demo.patient.email)"))

            // Reminders wait in the outbox for 24 hours and 1 hour before.
            let reminders = try await OutboxMessage.query(on: app.db).filter(\.$kind == "appointment-reminder").all()
            #expect(Set(reminders.map(\.nextAttemptAt)) == [firstSlot.addingTimeInterval(-86_400), firstSlot.addingTimeInterval(-3_600)])
            #expect(reminders.count == 4)

            // The same case cannot hold two upcoming consultations.
            #expect(try await bookSlot(patient, reference, firstSlot.addingTimeInterval(1_800)).status == .conflict)
            let row = try #require(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first())
            #expect(try await CaseEvent.query(on: app.db).filter(\.$consultation.$id == row.id!).filter(\.$kind == "schedule-consultation").count() == 1)

            // The link appears 15 minutes before the start, to the parties only.
            clock.advance(firstSlot.timeIntervalSince(testNow) - 14 * 60)
            #expect(try await patient.signIn(Demo.patient.email, Demo.patient.password).status == .seeOther)
            let soon = try await patient.get(location)
            #expect(soon.text.contains("https://meet.example.org/careabroad-sample-\(id)"))
            // Too late to change now.
            #expect(!soon.text.contains("/cancel"))
            let token = try #require(Browser.csrf(in: try await patient.get("/cases/\(reference)").text))
            #expect(try await patient.post("/appointments/\(id)/cancel", [("confirm", "yes"), ("csrf", token)]).status == .conflict)
        }
    }

    @Test("Cancelling sends METHOD:CANCEL with the next SEQUENCE, withdraws the reminders and frees the slot; rescheduling keeps the UID")
    func cancelAndReschedule() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let booked = try await bookSlot(patient, reference, firstSlot)
            let id = String(try #require(booked.headers.first(name: .location)).dropFirst("/appointments/".count))
            _ = try await deliverMail(app)
            // Moving it: the same invitation, SEQUENCE 1, at the new time; the old slot is free again.
            let later = firstSlot.addingTimeInterval(3_600)
            let moved = try await patient.submit("/appointments/\(id)", to: "/appointments/\(id)/reschedule", [("start", epoch(later))])
            #expect(moved.status == .seeOther)
            let movedMail = try #require(try await deliverMail(app).first { $0.subject.contains("moved") && $0.recipient == Demo.patient.email })
            #expect(movedMail.attachment?.contains("SEQUENCE:1") == true)
            #expect(movedMail.attachment?.contains("UID:\(id)@careabroad") == true)
            #expect(movedMail.attachment?.contains("DTSTART;TZID=Europe/Brussels:20261126T100000") == true)
            let reminderIDs = try await OutboxMessage.query(on: app.db).filter(\.$kind == "appointment-reminder").filter(\.$deliveredAt == nil).all().map { $0.id ?? "" }
            #expect(reminderIDs.count == 4 && reminderIDs.allSatisfy { $0.hasPrefix("appt-\(id)-1-") })

            let unconfirmed = try await patient.submit("/appointments/\(id)", to: "/appointments/\(id)/cancel", [])
            #expect(unconfirmed.status == .unprocessableEntity)
            let staff = try await staffBrowser(app)
            let cancelled = try await staff.submit("/appointments/\(id)", to: "/appointments/\(id)/cancel", [("confirm", "yes")])
            #expect(cancelled.status == .seeOther)
            let cancelMails = try await deliverMail(app).filter { $0.subject.contains("cancelled") }
            #expect(cancelMails.count == 2)
            #expect(cancelMails.allSatisfy { ($0.attachment ?? "").contains("METHOD:CANCEL") && ($0.attachment ?? "").contains("SEQUENCE:2") })
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$kind == "appointment-reminder").filter(\.$deliveredAt == nil).count() == 0)
            let again = try await staff.submit("/practice/availability", to: "/appointments/\(id)/cancel", [("confirm", "yes")])
            #expect(again.status == .conflict)
            // The slot and the case are free again.
            #expect(try await bookSlot(patient, reference, later).status == .seeOther)
        }
    }

    @Test("20 patients racing for one slot: exactly one gets it, the others 409")
    func oneSlotOneBooking() async throws {
        try await withTestApp(rateLimits: OnceTests.limits) { app in
            let patient = Browser(app)
            #expect(try await patient.signIn(Demo.patient.email, Demo.patient.password).status == .seeOther)
            var references: [String] = []
            for _ in 0..<OnceTests.attempts {
                let sent = try await patient.sendConsultation(photos: [])
                references.append(String(try #require(sent.headers.first(name: .location)).dropFirst("/cases/".count)))
            }
            let token = try #require(Browser.csrf(in: try await patient.get("/cases/\(references[0])/book").text))
            let cookie = patient.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let refs = references
            let statuses = try await OnceTests.race { i in
                var headers = HTTPHeaders()
                headers.add(name: .cookie, value: cookie)
                headers.add(name: .contentType, value: "application/x-www-form-urlencoded")
                let body = ByteBuffer(string: SiteURL.queryString([("start", epoch(firstSlot)), ("zone", "Europe/London"), ("csrf", token)]))
                return try await app.testing().sendRequest(.POST, "/cases/\(refs[i])/book", headers: headers, body: body).status
            }
            OnceTests.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses.map(\.code))")
            #expect(statuses.filter { $0 == .conflict }.count == OnceTests.attempts - 1)
            #expect(try await Appointment.query(on: app.db).count() == 1)
        }
    }

    @Test("Availability: overlapping hours, an unknown zone or a bad link are refused at the field; a valid edit changes the slots at once")
    func availabilityEditor() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let form = try await staff.get("/practice/availability")
            #expect(form.status == .ok)
            #expect(form.text.contains("Europe/Brussels"))
            func fields(zone: String = "Asia/Tokyo", link: String = "https://video.example.org/room-{appointment}",
                        weekly: [(String, String, String)] = [("4", "10:00", "12:00")]) -> [(String, String)] {
                [("time_zone", zone), ("slot_minutes", "60"), ("notice_hours", "2"), ("horizon_days", "30"), ("video_link", link), ("intent", "save")]
                    + weekly.flatMap { [("weekly_day", $0.0), ("weekly_start", $0.1), ("weekly_end", $0.2)] }
                    + [("exception_date", "2026-12-03"), ("exception_kind", "closed"), ("exception_start", ""), ("exception_end", "")]
            }
            let overlap = try await staff.submit("/practice/availability", fields(weekly: [("4", "10:00", "12:00"), ("4", "11:00", "13:00")]))
            #expect(overlap.status == .unprocessableEntity)
            #expect(overlap.text.contains("href=\"#weekly-1-start\""))
            let zone = try await staff.submit("/practice/availability", fields(zone: "Europe/Atlantis"))
            #expect(zone.status == .unprocessableEntity)
            #expect(zone.text.contains("href=\"#time_zone\""))
            let link = try await staff.submit("/practice/availability", fields(link: "javascript:alert(1)"))
            #expect(link.status == .unprocessableEntity)
            #expect(link.text.contains("href=\"#video_link\""))
            let saved = try await staff.submit("/practice/availability", fields())
            #expect(saved.status == .seeOther)
            // Thursdays 10:00–12:00 in Tokyo (01:00 UTC), one-hour slots; 3 December is closed.
            let booking = try await patient.get("/cases/\(reference)/book?zone=UTC").text
            let thursday = ISODate.parse("2026-11-26")!.addingTimeInterval(3_600)
            #expect(booking.contains("value=\"\(epoch(thursday))\""))
            #expect(!booking.contains("value=\"\(epoch(firstSlot))\""))
            #expect(!booking.contains("value=\"\(epoch(ISODate.parse("2026-12-03")!.addingTimeInterval(3_600)))\""))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "availability.save").count() == 1)
            // Another practice edits only its own.
            let otherTeam = try #require(DemoAccounts.accounts.first { $0.organizationSlug == "lale-dental-atelier" })
            let lale = try await staffBrowser(app, otherTeam.email, otherTeam.password)
            let key = try #require(try await ProviderAvailability.query(on: app.db).filter(\.$timeZone == "Asia/Tokyo").first()?.providerKey)
            #expect(try await lale.get("/practice/availability?provider=\(key)").status == .notFound)
        }
    }

    @Test("Appointments and their calendar files are seen only by the two parties; the team's calendar lists them")
    func access() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let booked = try await bookSlot(patient, reference, firstSlot)
            let id = String(try #require(booked.headers.first(name: .location)).dropFirst("/appointments/".count))
            let otherTeam = try #require(DemoAccounts.accounts.first { $0.organizationSlug == "lale-dental-atelier" })
            let lale = try await staffBrowser(app, otherTeam.email, otherTeam.password)
            for path in ["/appointments/\(id)", "/appointments/\(id).ics"] {
                #expect(try await lale.get(path).status == .notFound, "\(path)")
            }
            #expect(try await lale.get("/practice/calendar").text.contains(reference) == false)
            let staff = try await staffBrowser(app)
            let calendar = try await staff.get("/practice/calendar")
            #expect(calendar.text.contains(reference))
            #expect(calendar.text.contains("09:00"))
            #expect(try await staff.get("/appointments/\(id)").status == .ok)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "appointment.view").filter(\.$outcome == "denied").count() >= 1)
        }
    }
}
