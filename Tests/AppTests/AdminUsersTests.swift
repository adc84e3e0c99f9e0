import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Administration: people and the audit trail")
struct AdminUsersTests {
    static func code(_ app: Application, _ email: String) async throws -> String {
        let user = try #require(try await User.query(on: app.db).filter(\.$email == email).first())
        let secret = try app.vault.openWithMaster(try #require(user.totpSecret), context: "totp:\(user.id!)")
        return SignInCode.code(secret: secret, counter: SignInCode.counter(at: app.clock.now()))
    }

    @Test("Find a person, see their sign-in history, end their sessions, close the account: it can no longer sign in or get a reset link")
    func closeAccount() async throws {
        try await withTestApp { app in
            let patient = Browser(app)
            #expect(try await patient.signIn(Demo.patient.email, Demo.patient.password).status == .seeOther)
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            let found = try await admin.get("/admin/users?q=patient%40demo").text
            let id = try #require(try await User.query(on: app.db).filter(\.$email == Demo.patient.email).first()?.id)
            #expect(found.contains("/admin/users/\(id)"))
            #expect(!found.contains(Demo.admin.email))
            let page = try await admin.get("/admin/users/\(id)").text
            #expect(page.contains("Sign-in history") && page.contains("account.sign-in"))
            #expect(try await admin.submit("/admin/users/\(id)", [("action", "end-sessions")]).status == .seeOther)
            #expect(try await patient.get("/cases").status == .seeOther)
            #expect(try await patient.signIn(Demo.patient.email, Demo.patient.password).status == .seeOther)
            #expect(try await admin.submit("/admin/users/\(id)", [("action", "close")]).status == .seeOther)
            #expect(try await patient.get("/cases").status == .seeOther)
            let again = try await Browser(app).signIn(Demo.patient.email, Demo.patient.password)
            #expect(again.status == .unauthorized)
            _ = try await deliverMail(app)
            let before = try await MailboxMessage.query(on: app.db).count()
            _ = try await Browser(app).submit("/account/reset", [("email", Demo.patient.email)])
            #expect(try await deliverMail(app).count == before)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "user.close").filter(\.$objectID == String(id)).count() == 1)
            // Not their own account.
            let adminID = try #require(try await User.query(on: app.db).filter(\.$email == Demo.admin.email).first()?.id)
            #expect(try await admin.submit("/admin/applications", to: "/admin/users/\(adminID)", [("action", "close")]).status == .conflict)
        }
    }

    @Test("A role change needs the administrator's code again (current and unused); the person is signed out and the change audited")
    func roleChange() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            let staff = try await staffBrowser(app)
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            let id = try #require(try await User.query(on: app.db).filter(\.$email == Demo.staff.email).first()?.id)
            let noCode = try await admin.submit("/admin/users/\(id)", [("action", "role"), ("role", "editor")])
            #expect(noCode.status == .unprocessableEntity)
            #expect(noCode.text.contains("href=\"#code\""))
            let wrong = try await admin.submit("/admin/users/\(id)", [("action", "role"), ("role", "editor"), ("code", "000000")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(try await User.find(id, on: app.db)?.role == "provider")
            // The code used to sign in cannot be used again: wait for the next one.
            let used = try await Self.code(app, Demo.admin.email)
            #expect(try await admin.submit("/admin/users/\(id)", [("action", "role"), ("role", "editor"), ("code", used)]).status != .seeOther)
            clock.advance(30)
            let fresh = try await Self.code(app, Demo.admin.email)
            #expect(try await admin.submit("/admin/users/\(id)", [("action", "role"), ("role", "editor"), ("code", fresh)]).status == .seeOther)
            #expect(try await User.find(id, on: app.db)?.role == "editor")
            #expect(try await staff.get("/inbox").status == .seeOther)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "user.role.editor").count() == 1)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "user.role").filter(\.$outcome == "denied").count() >= 1)
            // The same code twice: refused.
            #expect(try await admin.submit("/admin/users/\(id)", [("action", "role"), ("role", "provider"), ("code", fresh)]).status == .unprocessableEntity)
        }
    }

    @Test("The audit viewer filters by person, object, action and time, pages back, and says whether the chain verifies")
    func audit() async throws {
        try await withTestApp { app in
            let (_, reference) = try await patientWithCase(app)
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            let byObject = try await admin.get("/admin/audit?object_type=case&object_id=\(reference)").text
            #expect(byObject.contains(reference))
            #expect(!byObject.contains("account.sign-in.password"))
            let byAction = try await admin.get("/admin/audit?action=account").text
            #expect(byAction.contains("account.sign-in"))
            #expect(!byAction.contains("<code>case."))
            let byActor = try await admin.get("/admin/audit?actor=\(urlEncode(Demo.admin.email))").text
            #expect(byActor.contains("account.sign-in"))
            #expect(!byActor.contains("<code>case."))
            #expect(try await admin.get("/admin/audit?from=2030-01-01").text.contains("Nothing here."))
            #expect(try await admin.get("/admin/audit?from=yesterday").status == .badRequest)
            #expect(try await admin.get("/admin/audit?verify=1").text.contains("The chain verifies"))
            for i in 0..<60 {
                try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "system", action: "test.fill", objectType: "test", objectID: "\(i)", source: "test"), app: app)
            }
            let first = try await admin.get("/admin/audit?action=test.fill").text
            #expect(first.contains("Older entries"))
            // A rewritten row breaks the chain, and the viewer says so.
            try await (app.db as! any SQLDatabase).update("audit_events").set("action", to: SQLBind("test.forged")).where("object_id", .equal, SQLBind("3"))
                .where("action", .equal, SQLBind("test.fill")).run()
            #expect(try await admin.get("/admin/audit?verify=1").text.contains("The chain does not verify"))
            // Only administrators.
            let staff = try await staffBrowser(app)
            #expect(try await staff.get("/admin/audit").status == .forbidden)
            #expect(try await staff.get("/admin/users").status == .forbidden)
        }
    }
}
