import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Facilitator in the case conversation")
struct FacilitatorMessagingTests {
    @Test("With the messages named, the facilitator reads and writes; everyone sees who said what; each other participant is told once, without content")
    func threeParticipants() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let facilitator = try await staffBrowser(app, Demo.facilitator.email, Demo.facilitator.password)
            #expect(try await FacilitatorConsentTests.invite(patient, reference, slug: FacilitatorConsentTests.journeys,
                                                              scopes: [.request, .messages]).status == .seeOther)
            _ = try await deliverMail(app)
            let before = try await app.db.query(MailboxMessage.self).count()

            #expect(try await facilitator.get("/pipeline/\(reference)/messages").status == .ok)
            let secret = "Flight lands 14:05 canary-facilitator-5d2e"
            let sent = try await facilitator.sendMessage("/pipeline/\(reference)/messages", text: secret,
                                                         files: [.init(field: "attachments", filename: "itinerary.pdf", contentType: "application/pdf", bytes: TestPDFs.plain())])
            #expect(sent.status == .seeOther)
            #expect(sent.headers.first(name: .location)?.hasPrefix("/pipeline/\(reference)/messages#m") == true)
            let mail = try await deliverMail(app).dropFirst(before)
            #expect(Set(mail.map(\.recipient)) == [Demo.patient.email, Demo.staff.email])
            #expect(mail.allSatisfy { !$0.body.contains("canary") })

            let patientView = try await patient.get("/cases/\(reference)/messages").text
            #expect(patientView.contains(secret))
            #expect(patientView.contains("Sam Journey (sample facilitator) (facilitator)"))
            #expect(patientView.contains("the facilitator you invited, can also read and write"))
            let staffView = try await staff.get("/inbox/\(reference)/messages").text
            #expect(staffView.contains(secret) && staffView.contains("(facilitator)"))
            let attachmentID = try #require(try await MessageAttachment.query(on: app.db).first()?.id)
            #expect(try await facilitator.get("/pipeline/\(reference)/attachments/\(attachmentID)").status == .ok)

            // The team answers: the facilitator is told (once), with a link to the pipeline's conversation.
            let beforeReply = try await app.db.query(MailboxMessage.self).count()
            #expect(try await staff.sendMessage("/inbox/\(reference)/messages", text: "We will send a car.").status == .seeOther)
            let told = try await deliverMail(app).dropFirst(beforeReply).filter { $0.recipient == Demo.facilitator.email }
            #expect(told.count == 1)
            #expect(told.first?.body.contains("/pipeline/\(reference)/messages") == true)
            #expect(try await facilitator.get("/pipeline/\(reference)").text.contains("1 unread message"))

            // Read, then withdrawn: the conversation closes to the facilitator, and the next message tells them nothing.
            #expect(try await facilitator.get("/pipeline/\(reference)/messages").status == .ok)
            let grant = try #require(try await CaseFacilitator.query(on: app.db).first())
            #expect(try await patient.submit("/cases/\(reference)/facilitator", [("action", "withdraw"), ("grant", "\(grant.id!)")]).status == .ok)
            #expect(try await facilitator.get("/pipeline/\(reference)/messages").status == .notFound)
            #expect(try await facilitator.get("/pipeline/\(reference)/attachments/\(attachmentID)").status == .notFound)
            _ = try await deliverMail(app)
            let beforeLast = try await app.db.query(MailboxMessage.self).count()
            #expect(try await staff.sendMessage("/inbox/\(reference)/messages", text: "Your car is booked.").status == .seeOther)
            #expect(!(try await deliverMail(app).dropFirst(beforeLast).contains { $0.recipient == Demo.facilitator.email }))
            #expect(!(try await patient.get("/cases/\(reference)/messages").text.contains("can also read and write")))
        }
    }

    @Test("Without the messages named, or after withdrawal, the facilitator neither reads nor writes nor is told")
    func notShared() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let facilitator = try await staffBrowser(app, Demo.facilitator.email, Demo.facilitator.password)
            #expect(try await FacilitatorConsentTests.invite(patient, reference, slug: FacilitatorConsentTests.journeys, scopes: [.request]).status == .seeOther)
            #expect(try await facilitator.get("/pipeline/\(reference)/messages").status == .notFound)
            let token = try #require(Browser.csrf(in: try await facilitator.get("/account/password").text))
            #expect(try await facilitator.postMultipart("/pipeline/\(reference)/messages", [("text", "hi"), ("csrf", token)]).status == .notFound)
            #expect(try await CaseMessage.query(on: app.db).count() == 0)
            _ = try await deliverMail(app)
            let before = try await app.db.query(MailboxMessage.self).count()
            #expect(try await staff.sendMessage("/inbox/\(reference)/messages", text: "Hello").status == .seeOther)
            #expect(!(try await deliverMail(app).dropFirst(before).contains { $0.recipient == Demo.facilitator.email }))
            #expect(!(try await patient.get("/cases/\(reference)/messages").text.contains("can also read and write")))
        }
    }
}
