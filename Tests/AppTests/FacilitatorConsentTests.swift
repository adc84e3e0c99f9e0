import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

extension Demo {
    static let facilitator = DemoAccounts.accounts.first { $0.role == .facilitator }!
}

@Suite("Facilitator consent and access")
struct FacilitatorConsentTests {
    static let journeys = "sample-care-journeys"
    static let northstar = "sample-northstar-health-travel"

    /// A facilitator account of the second sample organisation, signed in.
    static func northstarStaff(_ app: Application) async throws -> Browser {
        let browser = try await AccessMatrixTests.makeStaff(app, email: "coordinator@northstar.example.org", role: .facilitator, practitionerSlug: nil)
        let user = try #require(try await User.query(on: app.db).filter(\.$email == "coordinator@northstar.example.org").first())
        let org = try #require(try await Facilitator.query(on: app.db).filter(\.$slug == northstar).first())
        try await Membership(userID: user.id!, facilitatorID: org.id, role: .staff).create(on: app.db)
        return browser
    }

    static func invite(_ patient: Browser, _ reference: String, slug: String, scopes: [FacilitatorScope], consent: Bool = true) async throws -> TestingHTTPResponse {
        var fields: [(String, String)] = [("action", "invite"), ("facilitator", slug)]
        fields += scopes.map { (CaseFacilitatorPages.scopeField, $0.rawValue) }
        if consent { fields.append(("consent", "yes")) }
        return try await patient.submit("/cases/\(reference)/facilitator", fields)
    }

    @Test("Without consent a facilitator sees nothing (404, audited); the patient chooses the parts, and the facilitator sees those alone")
    func consentNamesTheParts() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let facilitator = try await staffBrowser(app, Demo.facilitator.email, Demo.facilitator.password)
            #expect(try await facilitator.get("/pipeline/\(reference)").status == .notFound)
            #expect(!(try await facilitator.get("/pipeline").text.contains(reference)))
            let refused = try await AuditEvent.query(on: app.db).filter(\.$action == "facilitator.case.view").filter(\.$objectID == reference).all()
            #expect(refused.map(\.outcome) == ["denied"])

            // The form ticks nothing in advance, and a form without parts or consent is refused at the field.
            let form = try await patient.get("/cases/\(reference)/facilitator")
            #expect(form.status == .ok)
            #expect(!startTags(in: form.text).contains { tagName($0) == "input" && $0.contains("checked") })
            let bare = try await Self.invite(patient, reference, slug: Self.journeys, scopes: [], consent: false)
            #expect(bare.status == .unprocessableEntity)
            #expect(bare.text.contains("aria-invalid=\"true\""))
            let unknown = try await Self.invite(patient, reference, slug: "no-such-organisation", scopes: [.request])
            #expect(unknown.status == .unprocessableEntity)
            #expect(try await CaseFacilitator.query(on: app.db).count() == 0)

            let given = try await Self.invite(patient, reference, slug: Self.journeys, scopes: [.request, .quotes])
            #expect(given.status == .seeOther)
            let grant = try #require(try await CaseFacilitator.query(on: app.db).first())
            #expect(grant.status == "active" && grant.scopes == "request,quotes" && grant.consentVersion == FacilitatorAccess.consentVersion)
            let consent = try #require(try await Consent.query(on: app.db).filter(\.$kind == "facilitator-access").first())
            #expect(consent.text.contains("Sample Care Journeys") && consent.text.contains("quotes") && !consent.text.contains("photos"))
            let mail = try await deliverMail(app).filter { $0.recipient == Demo.facilitator.email }
            #expect(mail.count == 1)
            #expect(mail.first?.subject.contains(reference) == true)
            #expect(mail.allSatisfy { !$0.body.contains("canary") })
            #expect(try await patient.get("/cases/\(reference)").text.contains("Sample Care Journeys (sample facilitator) sees the parts of this request you chose."))

            let list = try await facilitator.get("/pipeline")
            #expect(list.status == .ok)
            #expect(list.text.contains("href=\"/pipeline/\(reference)\""))
            let page = try await facilitator.get("/pipeline/\(reference)")
            #expect(page.status == .ok)
            #expect(page.text.contains(ConsultAnswers.secretConcern))
            #expect(page.text.contains("The patient did not share this part."))
            let photoID = try #require(try await CasePhoto.query(on: app.db).first()?.id)
            #expect(try await facilitator.get("/pipeline/\(reference)/photos/\(photoID)").status == .notFound)
            let views = try await AuditEvent.query(on: app.db).filter(\.$action == "facilitator.case.view").filter(\.$objectID == reference).all()
            #expect(views.map(\.outcome).sorted() == ["denied", "success"])
            let facilitatorID = try #require(try await User.query(on: app.db).filter(\.$email == Demo.facilitator.email).first()?.id)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.view").filter(\.$actorUserID == facilitatorID)
                .filter(\.$outcome == "denied").count() == 1, "the refused photo is audited")

            // Staff of another organisation never see it.
            let other = try await Self.northstarStaff(app)
            #expect(try await other.get("/pipeline/\(reference)").status == .notFound)
            #expect(!(try await other.get("/pipeline").text.contains(reference)))
            // A provider's or a patient's account does not reach the pipeline at all.
            #expect(try await patient.get("/pipeline").status == .forbidden)
        }
    }

    @Test("Withdrawal ends access at once; a request keeps one facilitator at a time; another can be invited after")
    func withdrawal() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let facilitator = try await staffBrowser(app, Demo.facilitator.email, Demo.facilitator.password)
            #expect(try await Self.invite(patient, reference, slug: Self.journeys, scopes: FacilitatorScope.allCases).status == .seeOther)
            #expect(try await facilitator.get("/pipeline/\(reference)").status == .ok)
            let photoID = try #require(try await CasePhoto.query(on: app.db).first()?.id)
            #expect(try await facilitator.get("/pipeline/\(reference)/photos/\(photoID)").status == .ok)

            let second = try await Self.invite(patient, reference, slug: Self.northstar, scopes: [.request])
            #expect(second.status == .conflict)
            #expect(second.text.contains("already has a facilitator"))

            let grant = try #require(try await CaseFacilitator.query(on: app.db).first())
            let withdrawn = try await patient.submit("/cases/\(reference)/facilitator", [("action", "withdraw"), ("grant", "\(grant.id!)")])
            #expect(withdrawn.status == .ok)
            #expect(withdrawn.text.contains("You withdrew consent."))
            #expect(try await facilitator.get("/pipeline/\(reference)").status == .notFound)
            #expect(try await facilitator.get("/pipeline/\(reference)/photos/\(photoID)").status == .notFound)
            #expect(!(try await facilitator.get("/pipeline").text.contains(reference)))
            let again = try await patient.submit("/cases/\(reference)/facilitator", [("action", "withdraw"), ("grant", "\(grant.id!)")])
            #expect(again.status == .seeOther)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "facilitator.withdraw").count() == 1)
            let given = try #require(try await Consent.query(on: app.db).filter(\.$kind == "facilitator-access").first())
            #expect(given.withdrawnAt != nil)

            #expect(try await Self.invite(patient, reference, slug: Self.northstar, scopes: [.photos]).status == .seeOther)
            let other = try await Self.northstarStaff(app)
            #expect(try await other.get("/pipeline/\(reference)/photos/\(photoID)").status == .ok)
            let page = try await other.get("/pipeline/\(reference)").text
            #expect(!page.contains(ConsultAnswers.secretConcern))
            #expect(try await facilitator.get("/pipeline/\(reference)").status == .notFound)

            // Withdrawing the request itself ends the facilitator's access with it.
            #expect(try await patient.submit("/cases/\(reference)", to: "/cases/\(reference)/withdraw", [("confirm", "yes")]).status == .seeOther)
            #expect(try await other.get("/pipeline/\(reference)").status == .notFound)
            #expect(try await CaseFacilitator.query(on: app.db).filter(\.$openClaim != nil).count() == 0)
        }
    }

    @Test("Someone else's request: the facilitator page answers 404 to another patient, and a grant id of another request is refused")
    func objectLevel() async throws {
        try await withTestApp(rateLimits: ConsultationTests.generousLimits) { app in
            let (owner, reference) = try await patientWithCase(app)
            #expect(try await Self.invite(owner, reference, slug: Self.journeys, scopes: [.request]).status == .seeOther)
            let grant = try #require(try await CaseFacilitator.query(on: app.db).first())
            let other = try await AccountTests.verifiedPatient(app, email: "other.patient@example.org")
            #expect(try await other.get("/cases/\(reference)/facilitator").status == .notFound)
            let invite: [(String, String)] = [("action", "invite"), ("facilitator", Self.northstar), (CaseFacilitatorPages.scopeField, "request"), ("consent", "yes")]
            #expect(try await other.submit("/account/password", to: "/cases/\(reference)/facilitator", invite).status == .notFound)
            #expect(try await other.submit("/account/password", to: "/cases/\(reference)/facilitator", [("action", "withdraw"), ("grant", "\(grant.id!)")]).status == .notFound)
            // The owner's own form with another request's grant id changes nothing either.
            let (_, second) = try await patientWithCase(app)
            #expect(try await owner.submit("/cases/\(second)/facilitator", [("action", "withdraw"), ("grant", "\(grant.id!)")]).status == .notFound)
            #expect(try await CaseFacilitator.query(on: app.db).filter(\.$status == "active").count() == 1)
        }
    }

    @Test("Invitations racing for one request: exactly one is kept (a unique claim decides, on PostgreSQL too)")
    func racingInvitations() async throws {
        try await withTestApp { app in
            let (_, reference) = try await patientWithCase(app)
            let row = try #require(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first())
            let patientUser = try #require(try await User.query(on: app.db).filter(\.$email == Demo.patient.email).first())
            let patient = SignedInUser(id: patientUser.id!, email: patientUser.email, displayName: patientUser.displayName, role: .patient,
                                       emailVerified: true, sessionID: "test", secondFactorDone: true, totpEnabled: false)
            let orgs = try await Facilitator.query(on: app.db).all()
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<12 {
                    let org = orgs[i % orgs.count]
                    group.addTask {
                        if case .success = try await FacilitatorAccess.invite(row, facilitator: org, scopes: [.request], patient: patient, app: app,
                                                                              source: "test", on: app.db) { return true }
                        return false
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await CaseFacilitator.query(on: app.db).count() == 1)
            #expect(try await Consent.query(on: app.db).filter(\.$kind == "facilitator-access").count() == 1)
        }
    }
}
