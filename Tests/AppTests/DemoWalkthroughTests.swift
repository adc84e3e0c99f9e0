import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

/// The README's walkthrough, end to end on the demo data: two providers' quotes compared in the patient's
/// currency, a message with an attachment, a consultation booked in the patient's zone, a quote accepted.
@Suite("Demo walkthrough: from request to booked consultation")
struct DemoWalkthroughTests {
    static let clinic = DemoAccounts.accounts.first { $0.organizationSlug == "clinica-mediterrania-estetica" }!

    @Test("Two quotes side by side, a message with a file, a booking in the patient's zone, an acceptance that thanks the other team")
    func walkthrough() async throws {
        try await withTestApp { app in
            let (patient, first) = try await patientWithCase(app)
            let sent = try await patient.sendConsultation(to: "dr-marta-soler-vidal", photos: [])
            #expect(sent.status == .seeOther)
            let second = String(try #require(sent.headers.first(name: .location)).dropFirst("/cases/".count))

            let tonnard = try await staffBrowser(app)
            let clinic = try await staffBrowser(app, Self.clinic.email, Self.clinic.password)
            #expect(try await clinic.get("/inbox").text.contains(second))
            #expect(try await clinic.get("/inbox").text.contains(first) == false)
            let waiting = try await tonnard.get("/inbox?waiting=quote")
            #expect(waiting.text.contains(first) && waiting.text.contains("Waiting for a quote"))
            let tonnardQuote = try await sendQuote(app, tonnard, first)
            _ = try await sendQuote(app, clinic, second, QuoteFields.make(unit: "2500", currency: "USD"))

            // Side by side, in pounds, with each rate and its date.
            let compare = try await patient.get("/cases/\(first)/quotes?currency=GBP")
            #expect(compare.status == .ok)
            #expect(compare.text.contains("Dr. Patrick Tonnard") && compare.text.contains(second))
            #expect(compare.text.contains("2,686.50 EUR") && compare.text.contains("2,786.50 USD"))
            #expect(compare.text.contains("2,282.45 GBP"))   // 2686.50 × 0.8496 = 2282.4504
            #expect(compare.text.contains("2026-11-27") || compare.text.contains("27 November 2026"))

            // A message with a file to the clinic; the clinic sees it.
            #expect(try await patient.sendMessage("/cases/\(second)/messages", text: "Could you look at my earlier report?", files: [
                .init(field: "attachments", filename: "report.pdf", contentType: "application/pdf", bytes: TestPDFs.plain())]).status == .seeOther)
            #expect(try await clinic.get("/inbox/\(second)/messages").text.contains("report.pdf"))

            // A consultation with the featured practice, in the patient's zone (the request said Europe/London).
            let book = try await patient.get("/cases/\(first)/book")
            #expect(book.text.contains("Times in Europe/London"))
            #expect(try await bookSlot(patient, first, firstSlot, zone: "Europe/London").status == .seeOther)
            let appointment = try #require(try await Appointment.query(on: app.db).first())
            #expect(try await patient.get("/appointments/\(appointment.id!).ics").text.contains("METHOD:REQUEST"))
            #expect(try await tonnard.get("/practice/calendar").text.contains(first))

            // Accept Tonnard's quote and close the clinic's request politely.
            let page = try await patient.get("/cases/\(first)/quotes/\(tonnardQuote)")
            #expect(page.text.contains("value=\"\(second)\""))
            let accepted = try await patient.submit("/cases/\(first)/quotes/\(tonnardQuote)", to: "/cases/\(first)/quotes/\(tonnardQuote)/accept",
                                                    [("version", "1"), ("confirm", "yes"), ("close_related", second)])
            #expect(accepted.status == .seeOther)
            let statuses = try await ConsultationCase.query(on: app.db).all().reduce(into: [String: String]()) { $0[$1.reference] = $1.status }
            #expect(statuses[first] == CaseStatus.consultationScheduled.rawValue || statuses[first] == CaseStatus.accepted.rawValue)
            #expect(statuses[second] == CaseStatus.declined.rawValue)
            let thanks = try await deliverMail(app).filter { $0.recipient == Self.clinic.email && $0.subject.contains("Another option was chosen") }
            #expect(thanks.count == 1)
            #expect(try await clinic.get("/inbox/\(second)").text.contains("chose another provider"))
        }
    }
}
