import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

extension Demo {
    static let admin = DemoAccounts.accounts.first { $0.role == .admin }!
    static let lale = DemoAccounts.accounts.first { $0.organizationSlug == "lale-dental-atelier" }!
}

@Suite("Credential verification")
struct CredentialWorkflowTests {
    static let surgeon = DemoAccounts.featuredSurgeonSlug

    static func submission(title: String = "Specialist registration in plastic surgery (test)") -> [(String, String)] {
        [("kind", "licence"), ("title", title), ("issuer", "Sample Medical Council"), ("number", "SMC-00042"),
         ("valid_from", "2020-01-01"), ("valid_until", "2030-12-31"), ("register_url", "https://register.example.org/lookup?n=SMC-00042")]
    }

    /// Submits a credential from the practice page with its CSRF token.
    static func submit(_ browser: Browser, _ fields: [(String, String)], files: [Browser.FilePart]) async throws -> TestingHTTPResponse {
        let page = try await browser.get("/practice/credentials")
        let token = try #require(Browser.csrf(in: page.text), "no form: \(page.status)")
        return try await browser.postMultipart("/practice/credentials", fields + [("csrf", token)], files: files)
    }

    static let pdf = Browser.FilePart(field: "evidence", filename: "registration.pdf", contentType: "application/pdf", bytes: TestPDFs.plain())
    static let photo = Browser.FilePart(field: "evidence", filename: "certificate.jpg", contentType: "image/jpeg", bytes: TestImages.jpeg())

    /// The featured surgeon without any verified credential, so that the badge depends on the test's checks alone.
    static func withoutBadge(_ app: Application) async throws -> Int {
        let id = try #require(try await Practitioner.query(on: app.db).filter(\.$slug == surgeon).first()?.id)
        try await (app.db as! any SQLDatabase).update("credentials").set("status", to: SQLBind("unverified")).where("practitioner_id", .equal, SQLBind(id)).run()
        try await ProviderIndexer.reindex([id], on: app.db, t: app.localizer, now: testNow)
        return id
    }

    static func verifiedInSearch(_ app: Application) async throws -> Bool {
        try await Browser(app).get("/providers?q=tonnard&verified=1").text.contains("/providers/\(surgeon)")
    }

    @Test("A practice submits a credential with evidence; it shows as submitted, not verified, until an administrator verifies it at the register; the badge then shows with its date on the profile and in search, and goes the day it expires")
    func flow() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            _ = try await Self.withoutBadge(app)
            let staff = try await staffBrowser(app)
            let sent = try await Self.submit(staff, Self.submission(), files: [Self.pdf, Self.photo])
            #expect(sent.status == .seeOther)
            let credentialPath = try #require(sent.headers.first(name: .location)).split(separator: "?").first.map(String.init) ?? ""
            let credentialID = try #require(Int(credentialPath.split(separator: "/").last ?? ""))

            // Evidence is sealed at rest: neither the PDF's bytes nor the photo's name are readable in the row.
            let rows = try await CredentialEvidenceRow.query(on: app.db).filter(\.$credentialID == credentialID).all()
            #expect(rows.count == 2)
            for row in rows {
                #expect(!String(decoding: row.dataSealed, as: UTF8.self).contains("%PDF"))
                #expect(!String(decoding: row.nameSealed, as: UTF8.self).contains("certificate"))
            }
            // Public profile: submitted, not yet verified, and no badge; not in the verified filter.
            var profile = try await Browser(app).get("/providers/\(Self.surgeon)").text
            #expect(profile.contains("Specialist registration in plastic surgery (test)"))
            #expect(profile.contains("Submitted, not yet verified"))
            #expect(!profile.contains("badge-verified"))
            #expect(try await Self.verifiedInSearch(app) == false)
            // Administrators were told, without details.
            let adminMail = try await deliverMail(app).filter { $0.recipient == Demo.admin.email }
            #expect(adminMail.contains { $0.subject == "A credential is waiting for a check" })

            // The administrator sees it in the queue, opens the evidence, and records the check.
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            #expect(try await admin.get("/admin/credentials").text.contains("Specialist registration in plastic surgery (test)"))
            let adminPage = try await admin.get("/admin/credentials/\(credentialID)")
            #expect(adminPage.status == .ok)
            let photoLink = try #require(rows.first { $0.format == "jpeg" }?.id)
            let served = try await admin.get("/admin/credentials/\(credentialID)/evidence/\(photoLink)")
            #expect(served.status == .ok)
            #expect(served.headers.first(name: .cacheControl) == "no-store")
            #expect(!served.body.string.contains(TestImages.canary))
            // A verified outcome needs an expiry: answered at the field, nothing recorded.
            let missing = try await admin.submit("/admin/credentials/\(credentialID)", [
                ("outcome", "verified"), ("what_checked", "Holder, number and status match"), ("register_url", "https://register.example.org/SMC-00042"),
                ("expires", ""), ("version", "0")])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.text.contains("href=\"#expires\""))
            #expect(try await (app.db as! any SQLDatabase).select().column("id").from("credential_checks").all().isEmpty)

            let verified = try await admin.submit("/admin/credentials/\(credentialID)", [
                ("outcome", "verified"), ("what_checked", "Holder, number and status match the register entry"),
                ("register_url", "https://register.example.org/SMC-00042"), ("expires", "2027-01-10"), ("version", "0")])
            #expect(verified.status == .seeOther)
            // The badge with the check's date, on the profile and in search.
            profile = try await Browser(app).get("/providers/\(Self.surgeon)").text
            #expect(profile.contains("badge-verified"))
            #expect(profile.contains("checked 25 November 2026"))
            #expect(try await Self.verifiedInSearch(app))
            // The practice is told, and sees who checked what.
            #expect(try await deliverMail(app).contains { $0.recipient == Demo.staff.email && $0.subject == "A credential of your practice was checked" })
            let practiceView = try await staff.get("/practice/credentials/\(credentialID)").text
            #expect(practiceView.contains("Holder, number and status match the register entry"))
            #expect(practiceView.contains("Ari Sample"))
            // Due for re-checking 30 days ahead, not before.
            #expect(!(try await CredentialService.queue(.recheck, app: app, on: app.db).contains { $0.id == credentialID }))
            clock.advance(20 * 86_400)
            #expect(try await CredentialService.queue(.recheck, app: app, on: app.db).contains { $0.id == credentialID })
            let later = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            #expect(try await later.get("/admin/credentials").text.contains("/admin/credentials/\(credentialID)"))
            // The day it expires, the badge goes everywhere, and the housekeeping marks it expired.
            clock.advance(30 * 86_400)
            #expect(try await Self.verifiedInSearch(app) == false)
            #expect(!(try await Browser(app).get("/providers/\(Self.surgeon)").text.contains("badge-verified")))
            #expect(try await CredentialService.expireLapsed(app: app) >= 1)
            #expect(try await Credential.find(credentialID, on: app.db)?.status == "expired")
            #expect(try await CredentialService.queue(.expired, app: app, on: app.db).contains { $0.id == credentialID })
            // Once: a second pass finds nothing more to expire.
            #expect(try await CredentialService.expireLapsed(app: app) == 0)
        }
    }

    /// Many lapsed credentials expire in batches, each one transaction with one move of the generations (one move per
    /// credential made every node reload its search index hundreds of times in a row); each is audited and counted once.
    @Test func lapsedCredentialsExpireInBatches() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            let now = app.clock.now()
            struct ID: Decodable { let id: Int }
            let ids = try await sql.select().column("id").from("credentials").where("practitioner_id", .isNot, SQLLiteral.null)
                .orderBy("id").limit(5).all(decoding: ID.self).map(\.id)
            try #require(ids.count == 5)
            try await sql.update("credentials").set("status", to: SQLBind("verified")).set("last_verified_at", to: SQLBind(now.addingTimeInterval(-86_400 * 400)))
                .set("valid_until", to: SQLBind(now.addingTimeInterval(-86_400))).where("id", .in, SQLBind.group(ids)).run()
            // Nothing else lapsed, so the passes below count these five alone.
            try await sql.update("credentials").set("valid_until", to: SQLBind(now.addingTimeInterval(86_400 * 365)))
                .where("id", .notIn, SQLBind.group(ids)).where("status", .equal, SQLBind("verified")).where("valid_until", .lessThan, SQLBind(now)).run()
            let before = try await ContentGeneration.read(on: app.db)
            #expect(try await CredentialService.expireLapsed(app: app, batchSize: 2) == 5)
            let after = try await ContentGeneration.read(on: app.db)
            // Three batches (2, 2, 1): three moves, not five.
            #expect(after.content - before.content == 3)
            #expect(after.search - before.search == 3)
            struct Status: Decodable { let status: String }
            let statuses = try await sql.select().column("status").from("credentials").where("id", .in, SQLBind.group(ids)).all(decoding: Status.self)
            #expect(statuses.map(\.status) == Array(repeating: "expired", count: 5))
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "credential.expire").count()
            #expect(audited == 5)
            #expect(try await CredentialService.expireLapsed(app: app, batchSize: 2) == 0)
            #expect(try await ContentGeneration.read(on: app.db) == after)
        }
    }

    @Test("Refused with a reason: never shown publicly; more evidence: the practice adds files and it returns to the queue")
    func refusedAndMoreEvidence() async throws {
        try await withTestApp { app in
            _ = try await Self.withoutBadge(app)
            let staff = try await staffBrowser(app)
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            let first = try await Self.submit(staff, Self.submission(title: "Society membership (refused test)"), files: [Self.pdf])
            let firstID = try #require(Int(first.headers.first(name: .location)?.split(separator: "?").first?.split(separator: "/").last ?? ""))
            let refusedWithoutReason = try await admin.submit("/admin/credentials/\(firstID)", [
                ("outcome", "refused"), ("what_checked", "Searched the register by number"), ("register_url", "https://register.example.org/"), ("version", "0")])
            #expect(refusedWithoutReason.status == .unprocessableEntity)
            #expect(try await admin.submit("/admin/credentials/\(firstID)", [
                ("outcome", "refused"), ("what_checked", "Searched the register by number"), ("register_url", "https://register.example.org/"),
                ("reason", "The number belongs to another holder."), ("version", "0")]).status == .seeOther)
            #expect(!(try await Browser(app).get("/providers/\(Self.surgeon)").text.contains("Society membership (refused test)")))
            #expect(try await staff.get("/practice/credentials/\(firstID)").text.contains("The number belongs to another holder."))

            let second = try await Self.submit(staff, Self.submission(title: "Board certification (evidence test)"), files: [Self.pdf])
            let secondID = try #require(Int(second.headers.first(name: .location)?.split(separator: "?").first?.split(separator: "/").last ?? ""))
            #expect(try await admin.submit("/admin/credentials/\(secondID)", [
                ("outcome", "needs-evidence"), ("what_checked", "The register shows a different expiry"), ("register_url", "https://register.example.org/"),
                ("reason", "Please send the renewed certificate."), ("version", "0")]).status == .seeOther)
            #expect(try await admin.get("/admin/credentials").text.contains("Waiting for the practice (1)"))
            // Publicly still "submitted, not yet verified".
            #expect(try await Browser(app).get("/providers/\(Self.surgeon)").text.contains("Submitted, not yet verified"))
            let page = try await staff.get("/practice/credentials/\(secondID)")
            let token = try #require(Browser.csrf(in: page.text))
            // An empty upload is answered at the field.
            let empty = try await staff.postMultipart("/practice/credentials/\(secondID)", [("csrf", token), ("version", "1")])
            #expect(empty.status == .unprocessableEntity)
            let more = try await staff.postMultipart("/practice/credentials/\(secondID)", [("csrf", token), ("version", "1")], files: [Self.photo])
            #expect(more.status == .seeOther)
            #expect(try await Credential.find(secondID, on: app.db)?.status == "pending")
            // The same stale version again: the credential moved on.
            #expect(try await staff.postMultipart("/practice/credentials/\(secondID)", [("csrf", token), ("version", "1")], files: [Self.photo]).status == .conflict)
        }
    }

    @Test("Bad submissions are answered at the field and store nothing: missing evidence, a file that is not a PDF or image, a register that is not a web address")
    func badInput() async throws {
        try await withTestApp { app in
            let staff = try await staffBrowser(app)
            let before = try await Credential.query(on: app.db).count()
            let noFiles = try await Self.submit(staff, Self.submission(), files: [])
            #expect(noFiles.status == .unprocessableEntity)
            #expect(noFiles.text.contains("href=\"#evidence\""))
            let wrongType = try await Self.submit(staff, Self.submission(), files: [
                .init(field: "evidence", filename: "evil.html", contentType: "application/pdf", bytes: Array("<html><script>1</script>".utf8))])
            #expect(wrongType.status == .unsupportedMediaType)
            let badLink = try await Self.submit(staff, Self.submission().map { $0.0 == "register_url" ? ($0.0, "javascript:alert(1)") : $0 }, files: [Self.pdf])
            #expect(badLink.status == .unprocessableEntity)
            #expect(badLink.text.contains("href=\"#register_url\""))
            #expect(try await Credential.query(on: app.db).count() == before)
        }
    }

    @Test("Staff of one practice never see another's credentials or evidence; the workspaces keep their roles")
    func access() async throws {
        try await withTestApp { app in
            let staff = try await staffBrowser(app)
            let sent = try await Self.submit(staff, Self.submission(), files: [Self.pdf])
            let path = try #require(sent.headers.first(name: .location)?.split(separator: "?").first.map(String.init))
            let id = try #require(Int(path.split(separator: "/").last ?? ""))
            let evidence = try #require(try await CredentialEvidenceRow.query(on: app.db).filter(\.$credentialID == id).first()?.id)
            let other = try await staffBrowser(app, Demo.lale.email, Demo.lale.password)
            #expect(try await other.get(path).status == .notFound)
            #expect(try await other.get("\(path)/evidence/\(evidence)").status == .notFound)
            #expect(try await other.get("/practice/credentials").text.contains("Specialist registration in plastic surgery (test)") == false)
            // A staff member asking for another practice's workplace by key gets 404.
            let surgeonID = try #require(try await Practitioner.query(on: app.db).filter(\.$slug == Self.surgeon).first()?.id)
            #expect(try await other.get("/practice/credentials?provider=\(ProviderKey.practitioner(surgeonID))").status == .notFound)
            #expect(try await staff.get("/admin").status == .forbidden)
            #expect(try await staff.get("/admin/credentials/\(id)").status == .forbidden)
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            #expect(try await admin.get("/practice").status == .forbidden)
            #expect(try await admin.get("/admin/credentials/999999").status == .notFound)
        }
    }

    @Test("Two administrators recording a check of the same version at once: one is recorded, the others are told it changed")
    func oneCheck() async throws {
        try await withTestApp { app in
            let staff = try await staffBrowser(app)
            let sent = try await Self.submit(staff, Self.submission(), files: [Self.pdf])
            let id = try #require(Int(sent.headers.first(name: .location)?.split(separator: "?").first?.split(separator: "/").last ?? ""))
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            let statuses = try await raceForm(app, admin, page: "/admin/credentials/\(id)", action: "/admin/credentials/\(id)") { i in
                [("outcome", "verified"), ("what_checked", "Attempt \(i)"), ("register_url", "https://register.example.org/x"),
                 ("expires", "2027-06-01"), ("version", "0")]
            }
            OnceTests.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .seeOther }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == statuses.count - 1)
            #expect(try await (app.db as! any SQLDatabase).select().column("id").from("credential_checks").all().count == 1)
            #expect(try await Credential.find(id, on: app.db)?.version == 1)
        }
    }
}
