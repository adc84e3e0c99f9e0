import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

/// Fields of the quote editor: a procedure line and three hotel nights, with a cap on a change of scope.
enum QuoteFields {
    static func make(unit: String = "2400", nights: String = "3", validUntil: String = "2026-12-31", currency: String = "EUR",
                     capKind: String = "percent", cap: String = "10", intent: String = "send") -> [(String, String)] {
        [("currency", currency), ("valid_until", validUntil), ("deposit_amount", "500"), ("deposit_due_days", "14"),
         ("cancellation", "Deposit refunded in full up to 30 days before treatment."),
         ("scope_findings", "Asymmetry found at the examination"), ("scope_cap_kind", capKind), ("scope_cap", cap),
         ("line_kind", "procedure"), ("line_description", "Microfat lip grafting"), ("line_quantity", "1"), ("line_unit_amount", unit),
         ("line_included", "Local anaesthesia"), ("line_excluded", "Flights"),
         ("line_kind", "hotel-nights"), ("line_description", "Hotel near the clinic"), ("line_quantity", nights), ("line_unit_amount", "95.50"),
         ("line_included", "Breakfast"), ("line_excluded", ""),
         // A spare empty row, as the editor offers: ignored.
         ("line_kind", "procedure"), ("line_description", ""), ("line_quantity", ""), ("line_unit_amount", ""), ("line_included", ""), ("line_excluded", ""),
         ("intent", intent)]
    }
}

func staffBrowser(_ app: Application, _ email: String = Demo.staff.email, _ password: String = Demo.staff.password) async throws -> Browser {
    let b = Browser(app)
    #expect(try await b.signIn(email, password).status == .seeOther)
    return b
}

/// Sends a quote from the demo staff and returns its id.
func sendQuote(_ app: Application, _ staff: Browser, _ reference: String, _ fields: [(String, String)] = QuoteFields.make(),
               sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
    let sent = try await staff.submit("/inbox/\(reference)/quotes/new", fields)
    #expect(sent.status == .seeOther, "\(sent.status) \(sent.text.prefix(400))", sourceLocation: sourceLocation)
    let location = try #require(sent.headers.first(name: .location), sourceLocation: sourceLocation)
    return try #require(Int(location.split(separator: "/").last ?? ""), sourceLocation: sourceLocation)
}

@Suite("Quotes: write, revise, compare, accept")
struct QuoteFlowTests {
    @Test("Staff write and revise a quote; the patient compares it in their currency, sees the changes, and accepts; both keep the agreement")
    func wholeFlow() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let editor = try await staff.get("/inbox/\(reference)/quotes/new")
            #expect(editor.status == .ok)
            #expect(editor.text.contains("name=\"line_unit_amount\""))

            // Recalculate: totals worked out on the server, nothing stored.
            let preview = try await staff.submit("/inbox/\(reference)/quotes/new", QuoteFields.make(intent: "preview"))
            #expect(preview.status == .ok)
            #expect(preview.text.contains("2,686.50 EUR"))  // 2400 + 3 × 95.50
            #expect(try await QuoteRecord.query(on: app.db).count() == 0)

            let quoteID = try await sendQuote(app, staff, reference)
            let mail = try #require(try await deliverMail(app).first { $0.recipient == Demo.patient.email && $0.subject.contains("A quote is ready") })
            #expect(mail.body.contains("Microfat") == false)
            #expect(mail.body.contains("2,686") == false)

            // Stored sealed: the line descriptions are not in the row.
            let stored = try #require(try await QuoteVersion.query(on: app.db).first())
            #expect(String(decoding: stored.body, as: UTF8.self).contains("Microfat") == false)
            #expect(stored.total == "2686.5")

            let compare = try await patient.get("/cases/\(reference)/quotes?currency=USD")
            #expect(compare.status == .ok)
            #expect(compare.text.contains("2,686.50 EUR"))
            #expect(compare.text.contains("2,904.64 USD"))  // 2686.50 × 1.0812, rounded once
            #expect(compare.text.contains("Binding quote"))
            #expect(try await patient.get("/cases/\(reference)/quotes?currency=XYZ").status == .badRequest)

            // A revision: one price changes; the editor starts from the latest version.
            let revise = try await staff.get("/inbox/\(reference)/quotes/new?revise=\(quoteID)")
            #expect(revise.text.contains("value=\"2400\""))
            let revised = try await staff.submit("/inbox/\(reference)/quotes/new?revise=\(quoteID)",
                                                 QuoteFields.make(unit: "2300") + [("revise", "\(quoteID)"), ("expected_version", "1")])
            #expect(revised.status == .seeOther)
            // The same revision sent again from the old page: someone changed it since.
            let stale = try await staff.submit("/inbox/\(reference)/quotes/new",
                                               QuoteFields.make(unit: "2200") + [("revise", "\(quoteID)"), ("expected_version", "1")])
            #expect(stale.status == .conflict)

            let page = try await patient.get("/cases/\(reference)/quotes/\(quoteID)")
            #expect(page.status == .ok)
            #expect(page.text.contains("Version 2 of 2"))
            #expect(page.text.contains("line-changed"))
            #expect(page.text.contains("<del> 2,400 EUR</del>"))
            #expect(try await patient.get("/cases/\(reference)/quotes/\(quoteID)?version=1").text.contains("earlier version"))

            // Accepting the superseded version is refused with the reason; so is accepting without confirming.
            let old = try await patient.submit("/cases/\(reference)/quotes/\(quoteID)", to: "/cases/\(reference)/quotes/\(quoteID)/accept",
                                               [("version", "1"), ("confirm", "yes")])
            #expect(old.status == .conflict)
            #expect(old.text.contains("replaced by a newer one"))
            let unconfirmed = try await patient.submit("/cases/\(reference)/quotes/\(quoteID)", to: "/cases/\(reference)/quotes/\(quoteID)/accept",
                                                       [("version", "2")])
            #expect(unconfirmed.status == .unprocessableEntity)

            let accepted = try await patient.submit("/cases/\(reference)/quotes/\(quoteID)", to: "/cases/\(reference)/quotes/\(quoteID)/accept",
                                                    [("version", "2"), ("confirm", "yes")])
            #expect(accepted.status == .seeOther)
            #expect(accepted.headers.first(name: .location) == "/cases/\(reference)/quotes/\(quoteID)/agreement")
            let agreement = try await patient.get("/cases/\(reference)/quotes/\(quoteID)/agreement")
            #expect(agreement.status == .ok)
            #expect(agreement.text.contains("2,586.50 EUR"))
            #expect(agreement.text.contains("Microfat lip grafting"))
            let staffAgreement = try await staff.get("/inbox/\(reference)/quotes/\(quoteID)/agreement")
            #expect(staffAgreement.status == .ok)
            #expect(staffAgreement.text.contains("2,586.50 EUR"))

            let row = try #require(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first())
            #expect(row.status == CaseStatus.accepted.rawValue)
            let again = try await patient.submit("/cases/\(reference)", to: "/cases/\(reference)/quotes/\(quoteID)/accept",
                                                 [("version", "2"), ("confirm", "yes")])
            #expect(again.status == .conflict)
            // Accepted: no more revisions.
            #expect(try await staff.get("/inbox/\(reference)/quotes/new?revise=\(quoteID)").status == .conflict)
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "quote.accept").all()
            #expect(audit.map(\.objectID) == ["\(reference)/\(quoteID)/2"])
            let staffMail = try await deliverMail(app).filter { $0.recipient == Demo.staff.email }.map(\.subject)
            #expect(staffMail.contains { $0.contains("Quote accepted") })
        }
    }

    @Test("A quote with a negative or overflowing amount, no lines, a past validity or an unknown currency is refused at the field (422)")
    func badQuotes() async throws {
        try await withTestApp { app in
            let (_, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let path = "/inbox/\(reference)/quotes/new"
            let negative = try await staff.submit(path, QuoteFields.make(unit: "-5"))
            #expect(negative.status == .unprocessableEntity)
            #expect(negative.text.contains("href=\"#line-0-unit_amount\""))
            let overflow = try await staff.submit(path, QuoteFields.make(unit: "99999999999"))
            #expect(overflow.status == .unprocessableEntity)
            #expect(overflow.text.contains("line-0-unit_amount-error"))
            let past = try await staff.submit(path, QuoteFields.make(validUntil: "2026-11-01"))
            #expect(past.status == .unprocessableEntity)
            #expect(past.text.contains("href=\"#valid_until\""))
            let currency = try await staff.submit(path, QuoteFields.make(currency: "XYZ"))
            #expect(currency.status == .unprocessableEntity)
            #expect(currency.text.contains("href=\"#currency\""))
            let noLines = try await staff.submit(path, QuoteFields.make().filter { !$0.0.hasPrefix("line_") })
            #expect(noLines.status == .unprocessableEntity)
            #expect(noLines.text.contains("href=\"#quote-lines\""))
            // What was typed is kept.
            #expect(negative.text.contains("Deposit refunded in full"))
            #expect(try await QuoteRecord.query(on: app.db).count() == 0)
            // A quote without a cap is stored, and labelled as not binding.
            let id = try await sendQuote(app, staff, reference, QuoteFields.make(capKind: "none", cap: ""))
            #expect(try await staff.get("/inbox/\(reference)/quotes/\(id)").text.contains("Not a binding quote"))
        }
    }

    @Test("An expired quote cannot be accepted (409 with the reason)")
    func expired() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let id = try await sendQuote(app, staff, reference, QuoteFields.make(validUntil: "2026-11-27"))
            clock.advance(3 * 86_400)
            #expect(try await patient.signIn(Demo.patient.email, Demo.patient.password).status == .seeOther)
            let page = try await patient.get("/cases/\(reference)/quotes/\(id)")
            #expect(page.text.contains("Expired"))
            #expect(page.text.contains("/accept") == false)
            let token = try #require(Browser.csrf(in: try await patient.get("/cases/\(reference)").text))
            let refused = try await patient.post("/cases/\(reference)/quotes/\(id)/accept", [("version", "1"), ("confirm", "yes"), ("csrf", token)])
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("expired"))
        }
    }

    @Test("Accepting one quote closes the other open quotes of the case, and their team is told politely")
    func othersClosed() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let first = try await sendQuote(app, staff, reference)
            let second = try await sendQuote(app, staff, reference, QuoteFields.make(unit: "1900"))
            _ = try await deliverMail(app)
            let accepted = try await patient.submit("/cases/\(reference)/quotes/\(second)", to: "/cases/\(reference)/quotes/\(second)/accept",
                                                    [("version", "1"), ("confirm", "yes")])
            #expect(accepted.status == .seeOther)
            #expect(try await QuoteRecord.find(first, on: app.db)?.status == "closed")
            #expect(try await QuoteRecord.find(second, on: app.db)?.status == "accepted")
            let subjects = try await deliverMail(app).filter { $0.recipient == Demo.staff.email }.map(\.subject)
            #expect(subjects.contains { $0.contains("Another option was chosen") })
        }
    }

    @Test("Declining with a reason: the reason is sealed and shown to the team, never mailed; the case is declined when no quote is left")
    func decline() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let id = try await sendQuote(app, staff, reference)
            let empty = try await patient.submit("/cases/\(reference)/quotes/\(id)", to: "/cases/\(reference)/quotes/\(id)/decline", [("reason", " ")])
            #expect(empty.status == .unprocessableEntity)
            let reason = "Too far from home canary-reason-42"
            let declined = try await patient.submit("/cases/\(reference)/quotes/\(id)", to: "/cases/\(reference)/quotes/\(id)/decline", [("reason", reason)])
            #expect(declined.status == .seeOther)
            #expect(try await staff.get("/inbox/\(reference)/quotes/\(id)").text.contains(reason))
            let record = try #require(try await QuoteRecord.find(id, on: app.db))
            #expect(String(decoding: record.decisionNote ?? Data(), as: UTF8.self).contains("canary") == false)
            #expect(try await deliverMail(app).allSatisfy { !$0.body.contains("canary-reason") })
            #expect(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first()?.status == CaseStatus.declined.rawValue)
        }
    }

    @Test("Quotes are seen only by the case's patient and its provider's team")
    func access() async throws {
        try await withTestApp { app in
            let (_, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let id = try await sendQuote(app, staff, reference)
            let stranger = Browser(app)
            _ = try await stranger.submit("/account/sign-up", [("name", "Other Person"), ("email", "other.person@example.org"),
                                                               ("password", "granite-orchid-velvet-5"), ("terms", "yes")])
            let otherTeam = try #require(DemoAccounts.accounts.first { $0.organizationSlug == "lale-dental-atelier" })
            let lale = try await staffBrowser(app, otherTeam.email, otherTeam.password)
            for path in ["/inbox/\(reference)/quotes/new", "/inbox/\(reference)/quotes/\(id)", "/inbox/\(reference)/quotes/\(id)/agreement"] {
                #expect(try await lale.get(path).status == .notFound, "\(path)")
            }
            let forged = try await lale.submit("/account/password", to: "/inbox/\(reference)/quotes/new", QuoteFields.make())
            #expect(forged.status == .notFound)
            // Another patient (unconfirmed or not) never gets a quote of this case.
            for path in ["/cases/\(reference)/quotes", "/cases/\(reference)/quotes/\(id)"] {
                #expect([.notFound, .seeOther].contains(try await stranger.get(path).status), "\(path)")
            }
            #expect(try await QuoteRecord.query(on: app.db).count() == 1)
        }
    }
}
