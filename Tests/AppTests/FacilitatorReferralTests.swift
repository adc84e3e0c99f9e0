import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("One request to several providers")
struct FacilitatorReferralTests {
    static func key(_ app: Application, _ slug: String) async throws -> String {
        ProviderKey.organization(try #require(try await Organization.query(on: app.db).filter(\.$slug == slug).first()?.id))
    }

    @Test("The facilitator suggests providers, the patient sends to one with consent, both quote, the quotes meet in one comparison, and the pipeline follows the stages")
    func fanOut() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let facilitator = try await staffBrowser(app, Demo.facilitator.email, Demo.facilitator.password)
            #expect(try await FacilitatorConsentTests.invite(patient, reference, slug: FacilitatorConsentTests.journeys,
                                                              scopes: [.request, .quotes, .messages]).status == .seeOther)
            let mediterrania = try await Self.key(app, "clinica-mediterrania-estetica")
            let lale = try await Self.key(app, "lale-dental-atelier")
            let page = try await facilitator.get("/pipeline/\(reference)")
            #expect(page.text.contains("value=\"\(mediterrania)\""))
            #expect(try await CaseFacilitator.query(on: app.db).first()?.stage == "sent")

            // A suggestion outside the organisation's partners is refused; nothing is stored.
            let stranger = try await Self.key(app, "fitzalan-square-clinic")
            let refused = try await facilitator.submit("/pipeline/\(reference)", to: "/pipeline/\(reference)/providers",
                                                       [(ReferralPages.providersField, stranger)])
            #expect(refused.status == .unprocessableEntity)
            #expect(try await CaseReferral.query(on: app.db).count() == 0)
            _ = try await deliverMail(app)
            let beforeMail = try await app.db.query(MailboxMessage.self).count()
            let proposed = try await facilitator.submit("/pipeline/\(reference)", to: "/pipeline/\(reference)/providers",
                                                        [(ReferralPages.providersField, mediterrania), (ReferralPages.providersField, lale),
                                                         ("note", "Both see many patients from the UK.")])
            #expect(proposed.status == .seeOther)
            let told = try await deliverMail(app).dropFirst(beforeMail).filter { $0.recipient == Demo.patient.email }
            #expect(told.count == 1 && told.first?.subject.contains("Suggested providers") == true)

            let choose = try await patient.get("/cases/\(reference)/providers")
            #expect(choose.status == .ok)
            #expect(choose.text.contains("suggested by Sample Care Journeys"))
            #expect(choose.text.contains("Both see many patients from the UK."))
            #expect(!startTags(in: choose.text).contains { tagName($0) == "input" && $0.contains("checked") })
            // Without consent nothing is sent; a provider that does not offer the treatment is named.
            #expect(try await patient.submit("/cases/\(reference)/providers", [("action", "send"), (ReferralPages.providersField, mediterrania)])
                .status == .unprocessableEntity)
            let notOffered = try await patient.submit("/cases/\(reference)/providers", [("action", "send"), (ReferralPages.providersField, lale), ("consent", "yes")])
            #expect(notOffered.status == .unprocessableEntity)
            #expect(notOffered.text.contains("Lale Dental Atelier does not offer the treatment"))
            #expect(try await ConsultationCase.query(on: app.db).count() == 1)

            let sent = try await patient.submit("/cases/\(reference)/providers", [("action", "send"), (ReferralPages.providersField, mediterrania), ("consent", "yes")])
            #expect(sent.status == .ok)
            #expect(sent.text.contains("sent to 1 more provider"))
            let root = try #require(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first())
            let second = try #require(try await ConsultationCase.query(on: app.db).filter(\.$originCaseID == root.id).first())
            #expect(second.status == "submitted" && second.$organization.id != nil && second.$practitioner.id == nil)
            #expect(try await CasePhoto.query(on: app.db).filter(\.$consultation.$id == second.id!).count() == 2)
            #expect(try await Consent.query(on: app.db).filter(\.$consultation.$id == second.id!).count() == 2)
            #expect(!TestImages.contains(second.payload, ConsultAnswers.secretConcern), "sealed at rest")
            #expect(try await CaseReferral.query(on: app.db).filter(\.$providerKey == mediterrania).first()?.status == "sent")
            // A second send of the same provider is refused (it already has the request).
            #expect(try await patient.submit("/cases/\(reference)/providers", [("action", "send"), (ReferralPages.providersField, mediterrania), ("consent", "yes")])
                .status == .unprocessableEntity)
            #expect(try await ConsultationCase.query(on: app.db).count() == 2)
            // The patient declines the other suggestion.
            let laleReferral = try #require(try await CaseReferral.query(on: app.db).filter(\.$providerKey == lale).first())
            #expect(try await patient.submit("/cases/\(reference)/providers", [("action", "decline"), ("referral", "\(laleReferral.id!)")]).status == .seeOther)
            #expect(try await CaseReferral.find(laleReferral.id, on: app.db)?.status == "declined")

            // The clinic's team receives the same request; both providers quote.
            let clinic = try await staffBrowser(app, Demo.mediterrania.email, Demo.mediterrania.password)
            let inbox = try await clinic.get("/inbox/\(second.reference)")
            #expect(inbox.status == .ok && inbox.text.contains(ConsultAnswers.secretConcern))
            let staff = try await staffBrowser(app)
            let firstQuote = try await sendQuote(app, staff, reference, QuoteFields.make(unit: "2400"))
            _ = try await sendQuote(app, clinic, second.reference, QuoteFields.make(unit: "3100"))
            #expect(try await CaseFacilitator.query(on: app.db).first()?.stage == "quoted")
            let compare = try await patient.get("/cases/\(reference)/quotes").text
            #expect(compare.contains("Clínica Mediterrània Estètica") && compare.contains("Patrick Tonnard"))
            let pipeline = try await facilitator.get("/pipeline/\(reference)").text
            #expect(pipeline.contains("Clínica Mediterrània Estètica") && pipeline.contains(second.reference))
            #expect(try await facilitator.get("/pipeline/\(second.reference)").status == .ok, "consent covers every case of the request")

            let accepted = try await patient.submit("/cases/\(reference)/quotes/\(firstQuote)", to: "/cases/\(reference)/quotes/\(firstQuote)/accept",
                                                    [("version", "1"), ("confirm", "yes")])
            #expect(accepted.status == .seeOther)
            #expect(try await CaseFacilitator.query(on: app.db).first()?.stage == "accepted")
            #expect(try await facilitator.get("/pipeline").text.contains("Accepted"))
        }
    }
}
