import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

enum TestPDFs {
    static func plain(padding: Int = 0) -> [UInt8] {
        Array("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n".utf8) + [UInt8](repeating: 0x20, count: padding)
            + Array("trailer << /Root 1 0 R >>\n%%EOF\n".utf8)
    }
    static let scripted = Array("%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n".utf8)
}

extension Browser {
    /// Posts a message (text and files) from the conversation page, with its CSRF token.
    func sendMessage(_ base: String, text: String, files: [Browser.FilePart] = []) async throws -> TestingHTTPResponse {
        let page = try await get(base)
        let token = try #require(Browser.csrf(in: page.text), "no form on \(base): \(page.status)")
        return try await postMultipart(base, [("text", text), ("csrf", token)], files: files)
    }
}

@Suite("Case conversation")
struct MessagingTests {
    @Test("Patient and team write to each other with attachments; read state, unread counts and notifications without content on both sides")
    func conversation() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            _ = try await deliverMail(app)
            let secret = "My lips feel numb canary-message-5e1"
            let sent = try await patient.sendMessage("/cases/\(reference)/messages", text: secret, files: [
                .init(field: "attachments", filename: "../../etc/lips\u{202E}gpj.exe.jpg", contentType: "image/jpeg", bytes: TestImages.jpeg()),
                .init(field: "attachments", filename: "report.pdf", contentType: "application/pdf", bytes: TestPDFs.plain()),
            ])
            #expect(sent.status == .seeOther)
            // The team is told a message waits, never what it says.
            let mail = try await deliverMail(app).filter { $0.recipient == Demo.staff.email && $0.subject.contains("New message") }
            #expect(mail.count == 1)
            #expect(mail.allSatisfy { !$0.body.contains("canary") && $0.body.contains("/inbox/\(reference)/messages") })
            // Sealed at rest: neither the text nor the photo's bytes are in the rows.
            let stored = try #require(try await CaseMessage.query(on: app.db).first())
            #expect(!TestImages.contains(stored.body, "canary-message"))
            for a in try await MessageAttachment.query(on: app.db).all() {
                #expect(!TestImages.contains(a.ciphertext, "PDF-1.7") && !TestImages.contains(a.name, "report"))
            }

            #expect(try await staff.get("/inbox").text.contains("1 unread message"))
            #expect(try await patient.get("/cases/\(reference)/messages").text.contains("Not read yet"))
            let page = try await staff.get("/inbox/\(reference)/messages")
            #expect(page.status == .ok)
            #expect(page.text.contains("canary-message-5e1"))
            #expect(page.text.contains("Alex Sample (sample patient) (patient)"))
            // The file name is cleaned: no folders, no direction override, the extension of what the bytes are.
            #expect(page.text.contains("lipsgpj.exe.jpg"))
            #expect(!page.text.contains("\u{202E}") && !page.text.contains("etc/"))
            #expect(try await staff.get("/inbox").text.contains("1 unread message") == false)
            #expect(try await patient.get("/cases/\(reference)/messages").text.contains("· Read"))

            // The photo is served without its location metadata; the PDF as a sandboxed download.
            let ids = try await MessageAttachment.query(on: app.db).sort(\.$createdAt).all().map { ($0.mediaType, $0.id!) }
            let jpegID = try #require(ids.first { $0.0 == "jpeg" }?.1)
            let pdfID = try #require(ids.first { $0.0 == "pdf" }?.1)
            let photo = try await staff.get("/inbox/\(reference)/attachments/\(jpegID)")
            #expect(photo.status == .ok)
            #expect(photo.headers.first(name: .contentType) == "image/jpeg")
            #expect(!TestImages.contains(Array(photo.body.readableBytesView), TestImages.canary))
            let pdf = try await patient.get("/cases/\(reference)/attachments/\(pdfID)")
            #expect(pdf.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            #expect(pdf.headers.first(name: "Content-Security-Policy")?.contains("sandbox") == true)
            #expect(Array(pdf.body.readableBytesView) == TestPDFs.plain())

            // The team answers; the patient is told, and sees an unread count on their list.
            #expect(try await staff.sendMessage("/inbox/\(reference)/messages", text: "Thank you, we will look at the report.").status == .seeOther)
            let patientMail = try await deliverMail(app).filter { $0.recipient == Demo.patient.email && $0.subject.contains("New message") }
            #expect(patientMail.count == 1)
            #expect(try await patient.get("/cases").text.contains("1 unread message"))
            #expect(try await patient.get("/cases/\(reference)").text.contains("1 unread message"))
            let views = try await AuditEvent.query(on: app.db).filter(\.$action == "messages.view").count()
            #expect(views >= 4)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "attachment.view").count() == 2)
        }
    }

    @Test("A burst of messages sends one notification; the next one after a read sends another")
    func oneNotificationPerUnreadRun() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            _ = try await deliverMail(app)
            for i in 1...3 { #expect(try await patient.sendMessage("/cases/\(reference)/messages", text: "Message \(i)").status == .seeOther) }
            #expect(try await deliverMail(app).filter { $0.recipient == Demo.staff.email && $0.subject.contains("New message") }.count == 1)
            _ = try await staff.get("/inbox/\(reference)/messages")
            #expect(try await patient.sendMessage("/cases/\(reference)/messages", text: "One more").status == .seeOther)
            #expect(try await deliverMail(app).filter { $0.recipient == Demo.staff.email && $0.subject.contains("New message") }.count == 2)
        }
    }

    @Test("Attachments that are not what their bytes say (415), too large (413), too many or an empty message (422): nothing stored")
    func badAttachments() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let base = "/cases/\(reference)/messages"
            let fake = try await patient.sendMessage(base, text: "see file", files: [
                .init(field: "attachments", filename: "scan.png", contentType: "image/png", bytes: Array("MZ\u{90}\u{0} not an image".utf8))])
            #expect(fake.status == .unsupportedMediaType)
            #expect(fake.text.contains("see file"))
            let scripted = try await patient.sendMessage(base, text: "pdf", files: [
                .init(field: "attachments", filename: "a.pdf", contentType: "application/pdf", bytes: TestPDFs.scripted)])
            #expect(scripted.status == .unsupportedMediaType)
            let truncated = try await patient.sendMessage(base, text: "pdf", files: [
                .init(field: "attachments", filename: "a.pdf", contentType: "application/pdf", bytes: Array(TestPDFs.plain().dropLast(8)))])
            #expect(truncated.status == .unsupportedMediaType)
            let large = try await patient.sendMessage(base, text: "big", files: [
                .init(field: "attachments", filename: "big.pdf", contentType: "application/pdf", bytes: TestPDFs.plain(padding: AttachmentInspector.maxBytes))])
            #expect(large.status == .payloadTooLarge)
            let many = try await patient.sendMessage(base, text: "many", files: (0..<6).map { _ in
                .init(field: "attachments", filename: "r.pdf", contentType: "application/pdf", bytes: TestPDFs.plain()) })
            #expect(many.status == .unprocessableEntity)
            let empty = try await patient.sendMessage(base, text: "   ")
            #expect(empty.status == .unprocessableEntity)
            let tooLong = try await patient.sendMessage(base, text: String(repeating: "a", count: MessageLimits.maxText + 1))
            #expect(tooLong.status == .unprocessableEntity)
            #expect(try await CaseMessage.query(on: app.db).count() == 0)
            #expect(try await MessageAttachment.query(on: app.db).count() == 0)
        }
    }

    @Test("Hostile text and file names render inert")
    func hostile() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            #expect(try await patient.sendMessage("/cases/\(reference)/messages", text: "<script>alert(1)</script>", files: [
                .init(field: "attachments", filename: "\"><img src=x onerror=alert(1)>.pdf", contentType: "application/pdf", bytes: TestPDFs.plain())
            ]).status == .seeOther)
            let page = try await staff.get("/inbox/\(reference)/messages").text
            #expect(!page.contains("<script>alert"))
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!page.contains("<img src=x"))
            let id = try #require(try await MessageAttachment.query(on: app.db).first()?.id)
            let file = try await staff.get("/inbox/\(reference)/attachments/\(id)")
            let disposition = try #require(file.headers.first(name: .contentDisposition))
            #expect(!disposition.contains("<img"))
            #expect(disposition.split(separator: "\"").count == 3)  // one quoted name, no quote inside it
        }
    }

    @Test("Only the patient and the case's team reach the conversation and its files; withdrawal erases it")
    func access() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            #expect(try await patient.sendMessage("/cases/\(reference)/messages", text: "hello", files: [
                .init(field: "attachments", filename: "r.pdf", contentType: "application/pdf", bytes: TestPDFs.plain())]).status == .seeOther)
            let id = try #require(try await MessageAttachment.query(on: app.db).first()?.id)
            let otherTeam = try #require(DemoAccounts.accounts.first { $0.organizationSlug == "lale-dental-atelier" })
            let lale = try await staffBrowser(app, otherTeam.email, otherTeam.password)
            #expect(try await lale.get("/inbox/\(reference)/messages").status == .notFound)
            #expect(try await lale.get("/inbox/\(reference)/attachments/\(id)").status == .notFound)
            let token = try #require(Browser.csrf(in: try await lale.get("/account/password").text))
            #expect(try await lale.postMultipart("/inbox/\(reference)/messages", [("text", "hi"), ("csrf", token)]).status == .notFound)
            let staff = try await staffBrowser(app)
            // An attachment id of another case is not found through this case.
            #expect(try await staff.get("/inbox/\(reference)/attachments/\(UUID().uuidString.lowercased())").status == .notFound)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$outcome == "denied").count() >= 2)

            let withdrawn = try await patient.submit("/cases/\(reference)", to: "/cases/\(reference)/withdraw", [("confirm", "yes")])
            #expect(withdrawn.status == .seeOther)
            #expect(try await CaseMessage.query(on: app.db).count() == 0)
            #expect(try await MessageAttachment.query(on: app.db).count() == 0)
            #expect(try await patient.sendMessage("/cases/\(reference)/messages", text: "again").status == .conflict)
        }
    }

    @Test("A long conversation opens on its latest page, with a link to earlier messages")
    func paging() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let row = try #require(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first())
            let user = try #require(try await User.query(on: app.db).filter(\.$email == Demo.patient.email).first())
            let signedIn = SignedInUser(id: user.id!, email: user.email, displayName: user.displayName, role: .patient, emailVerified: true,
                                        sessionID: "test", secondFactorDone: true, totpEnabled: false)
            for i in 1...35 {
                _ = try await MessageService.post(text: "numbered-\(i)-end", attachments: [], side: .patient, row: row, author: signedIn,
                                                  app: app, source: "test", on: app.db)
            }
            let latest = try await patient.get("/cases/\(reference)/messages").text
            #expect(latest.contains("numbered-35-end") && latest.contains("numbered-6-end"))
            #expect(!latest.contains("numbered-5-end"))
            let older = try #require(latest.range(of: "/messages?before=").map { latest[$0.upperBound...].prefix { $0.isNumber } })
            let earlier = try await patient.get("/cases/\(reference)/messages?before=\(older)").text
            #expect(earlier.contains("numbered-1-end") && earlier.contains("numbered-5-end") && !earlier.contains("numbered-6-end"))
            #expect(earlier.contains("Back to the latest messages"))
        }
    }
}
