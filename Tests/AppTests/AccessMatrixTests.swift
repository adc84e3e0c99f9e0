import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

/// Object-level access: every role against every case route, on a case that belongs to someone else.
@Suite("Access matrix")
struct AccessMatrixTests {
    enum Party: String, CaseIterable {
        case anonymous, owner, otherPatient, providerStaff, otherStaff, facilitator, editor, admin
    }

    enum RouteKind { case patientObject, staffObject, patientList, staffList }

    struct Route {
        let method: HTTPMethod
        let path: String
        let kind: RouteKind
    }

    /// What `party` must get on `route`: the owner and the provider's staff reach their side; signed-out people
    /// are sent to sign in; a role that never uses a page gets 403 (the route group's role guard); someone of the
    /// right role gets 404 for an object that is not theirs.
    static func expected(_ party: Party, _ route: Route) -> HTTPStatus {
        if party == .anonymous { return .seeOther }
        switch route.kind {
        case .patientList: return party == .owner || party == .otherPatient ? .ok : .forbidden
        case .staffList: return party == .providerStaff || party == .otherStaff ? .ok : .forbidden
        case .patientObject:
            if party == .owner { return route.method == .POST ? .unprocessableEntity : .ok }
            return party == .otherPatient ? .notFound : .forbidden
        case .staffObject:
            if party == .providerStaff { return route.method == .POST ? .unprocessableEntity : .ok }
            let staffOnly: Set<Party> = [.providerStaff, .otherStaff]
            return staffOnly.contains(party) ? .notFound : .forbidden
        }
    }

    static func makeStaff(_ app: Application, email: String, role: Role, practitionerSlug: String?) async throws -> Browser {
        let password = "walnut-ember-prism-62"
        let hash: String = try app.password.sync.hash(Passwords.prepared(password))
        let user = User(email: email, passwordHash: hash, displayName: email, role: role, now: testNow)
        user.emailVerifiedAt = testNow
        try await user.create(on: app.db)
        if role.needsSecondFactor {
            user.totpSecret = try app.vault.sealWithMaster(SignInCode.newSecret(), context: "totp:\(user.id!)")
            user.totpEnabledAt = testNow
            try await user.update(on: app.db)
        }
        if let slug = practitionerSlug, let p = try await Practitioner.query(on: app.db).filter(\.$slug == slug).first() {
            try await Membership(userID: user.id!, practitionerID: p.id, role: .staff).create(on: app.db)
        }
        let browser = Browser(app)
        #expect(try await browser.signIn(email, password).status == .seeOther, "\(email) could not sign in")
        return browser
    }

    @Test("Every role × every case route × someone else's case (files included) answers as it must")
    func matrix() async throws {
        try await withTestApp(rateLimits: ConsultationTests.generousLimits) { app in
            let (owner, reference) = try await patientWithCase(app)
            let photoID = try #require(try await CasePhoto.query(on: app.db).first()?.id)
            let other = try await AccountTests.verifiedPatient(app, email: "other.patient@example.org")
            let otherPractitioner = try #require(try await Practitioner.query(on: app.db).filter(\.$slug != DemoAccounts.featuredSurgeonSlug).first()?.slug)
            let browsers: [Party: Browser] = [
                .anonymous: Browser(app),
                .owner: owner,
                .otherPatient: other,
                .providerStaff: try await { let b = Browser(app); _ = try await b.signIn(Demo.staff.email, Demo.staff.password); return b }(),
                .otherStaff: try await Self.makeStaff(app, email: "staff.elsewhere@example.org", role: .provider, practitionerSlug: otherPractitioner),
                .facilitator: try await Self.makeStaff(app, email: "facilitator.x@example.org", role: .facilitator, practitionerSlug: nil),
                .editor: try await Self.makeStaff(app, email: "editor.x@example.org", role: .editor, practitionerSlug: nil),
                .admin: try await Self.makeStaff(app, email: "admin.x@example.org", role: .admin, practitionerSlug: nil),
            ]
            let routes = [
                Route(method: .GET, path: "/cases", kind: .patientList),
                Route(method: .GET, path: "/cases/\(reference)", kind: .patientObject),
                Route(method: .GET, path: "/cases/\(reference)/photos/\(photoID)", kind: .patientObject),
                Route(method: .POST, path: "/cases/\(reference)/reply", kind: .patientObject),
                Route(method: .GET, path: "/inbox", kind: .staffList),
                Route(method: .GET, path: "/inbox/\(reference)", kind: .staffObject),
                Route(method: .GET, path: "/inbox/\(reference)/photos/\(photoID)", kind: .staffObject),
                Route(method: .POST, path: "/inbox/\(reference)/actions", kind: .staffObject),
            ]
            var cells = 0
            for party in Party.allCases {
                let browser = try #require(browsers[party])
                for route in routes {
                    let res: TestingHTTPResponse
                    if route.method == .GET {
                        res = try await browser.get(route.path)
                    } else {
                        // A valid CSRF token for this browser, and an empty (invalid) body: the owner gets 422.
                        let signInPage = try await browser.get("/account/sign-in").text
                        let accountPage = try await browser.get("/account").text
                        let token = Browser.csrf(in: signInPage) ?? Browser.csrf(in: accountPage) ?? ""
                        res = try await browser.post(route.path, [("csrf", token), ("action", "request-info"), ("answer", ""), ("note", "")])
                    }
                    let want = Self.expected(party, route)
                    #expect(res.status == want, "\(party.rawValue) \(route.method) \(route.path) → \(res.status), expected \(want)")
                    if want == .notFound || want == .forbidden {
                        #expect(!res.text.contains("canary"), "\(party.rawValue) saw health data on \(route.path)")
                    }
                    cells += 1
                }
            }
            #expect(cells == Party.allCases.count * routes.count)
            // Refused object access is in the audit trail.
            #expect(try await AuditEvent.query(on: app.db).filter(\.$outcome == "denied").filter(\.$objectID == reference).count() > 0)
            // Unknown references and photo ids are 404 for the owner too.
            #expect(try await owner.get("/cases/CA-0000-0000").status == .notFound)
            #expect(try await owner.get("/cases/\(reference)/photos/\(UUID().uuidString.lowercased())").status == .notFound)
            #expect(try await owner.get("/cases/not-a-reference").status == .notFound)
        }
    }

    @Test("Extra fields in a body (status, role, provider) change nothing")
    func noMassAssignment() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let res = try await browser.sendConsultation(answers: ConsultAnswers.all() + [("status", "declined"), ("role", "admin"),
                                                                                        ("practitioner_id", "1"), ("patient_id", "1")],
                                                         guestEmail: "mass@example.org")
            #expect(res.status == .seeOther)
            let row = try #require(try await ConsultationCase.query(on: app.db).with(\.$patient).first())
            #expect(row.status == CaseStatus.awaitingVerification.rawValue)
            #expect(row.patient.email == "mass@example.org")
            #expect(row.patient.role == Role.patient.rawValue)
            let tonnard = try #require(try await Practitioner.query(on: app.db).filter(\.$slug == DemoAccounts.featuredSurgeonSlug).first())
            #expect(row.$practitioner.id == tonnard.id)
        }
    }
}
