import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Consultation requests")
struct ConsultationTests {
    @Test("A guest sends a request with two photos, verifies the address, and the case opens for the surgeon's team")
    func guestJourney() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            // setup: the form's first step
            let first = try await browser.get("/consult/patrick-tonnard-md-phd")
            #expect(first.status == .ok)
            #expect(first.text.contains("Request a consultation with"))
            #expect(Browser.hiddenValue("idempotency_key", in: first.text).map(ConsultService.isIdempotencyKey) == true)

            // MUT
            let res = try await browser.sendConsultation(photos: [TestImages.jpeg(seed: 1), TestImages.jpeg(seed: 2)], guestEmail: "guest@example.org")

            // validate: answered with the "check your email" page, case waiting for verification
            #expect(res.status == .seeOther)
            let location = try #require(res.headers.first(name: .location))
            #expect(location.hasPrefix("/consult/received/CA-"))
            let reference = String(location.dropFirst("/consult/received/".count))
            let row = try #require(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first())
            #expect(row.status == CaseStatus.awaitingVerification.rawValue)
            #expect(try await CasePhoto.query(on: app.db).filter(\.$consultation.$id == row.id!).count() == 2)
            #expect(try await Consent.query(on: app.db).filter(\.$consultation.$id == row.id!).count() == 4)
            // The team is not told before the address is verified.
            _ = try await deliverMail(app)
            #expect(try await MailboxMessage.query(on: app.db).filter(\.$recipient == Demo.staff.email).count() == 0)

            // The verification link opens the case and signs the patient in.
            let link = try await mailedLink(app, to: "guest@example.org", prefix: "/account/verify?token=")
            let confirm = try await browser.submit(link, to: "/account/verify", [("token", String(link.split(separator: "=").last!))])
            #expect(confirm.status == .seeOther)
            #expect(confirm.headers.first(name: .location) == "/cases")
            #expect(browser.sessionCookie != nil)
            let opened = try #require(try await ConsultationCase.query(on: app.db).filter(\.$reference == reference).first())
            #expect(opened.status == CaseStatus.submitted.rawValue)

            let casePage = try await browser.get("/cases/\(reference)")
            #expect(casePage.status == .ok)
            #expect(casePage.text.contains(ConsultAnswers.secretConcern))
            #expect(casePage.text.contains("Sent"))
            #expect(casePage.headers.first(name: .cacheControl) == "no-store")
            let mail = try await deliverMail(app)
            #expect(mail.contains { $0.recipient == Demo.staff.email && $0.subject.contains(reference) })
            // No message carries health data.
            #expect(!mail.contains { $0.body.contains("canary") || $0.subject.contains("canary") })
        }
    }

    @Test("The form is reached from a provider profile, a clinic page, a procedure guide and an article's featured provider")
    func entryPoints() async throws {
        try await withTestApp { app in
            let pages = ["/providers/patrick-tonnard-md-phd", "/clinics/kardelen-marmara-hospital", "/procedures/microfat-lip-grafting",
                         "/magazine/natural-lip-rejuvenation-microfat-nanofat"]
            for page in pages {
                let res = try await send(app, .GET, page)
                let link = try #require(hrefs(in: res.text).first { $0.hasPrefix("/consult/") }, "no consultation link on \(page)")
                let form = try await send(app, .GET, link.replacingOccurrences(of: "&amp;", with: "&"))
                #expect(form.status == .ok, "\(link) → \(form.status)")
                #expect(form.text.contains("Request a consultation with"))
                if page.hasPrefix("/procedures/") {
                    #expect(form.text.contains("value=\"microfat-lip-grafting\" checked"), "the guide's procedure is chosen")
                }
            }
            // A clinic receives requests too.
            let res = try await Browser(app).sendConsultation(to: "kardelen-marmara-hospital", answers: ConsultAnswers.all(procedure: "x"), guestEmail: "c@example.org")
            #expect(res.status == .unprocessableEntity) // "x" is not a procedure of this clinic
            #expect(try await send(app, .GET, "/consult/no-such-provider").status == .notFound)
        }
    }

    @Test("Stored rows and photos hold no plaintext answer and no photo bytes; photos lose their location data")
    func encryptedAtRest() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let res = try await browser.sendConsultation(photos: [TestImages.jpeg()], guestEmail: "raw@example.org")
            #expect(res.status == .seeOther)
            let sql = app.db as! any SQLDatabase
            var scanned = 0
            var sawReference = false
            // Every column of every row of the case tables, as text and as bytes.
            for table in ["cases", "case_photos", "case_events", "consents", "outbox_messages", "audit_events", "data_keys"] {
                let rows = try await sql.raw("SELECT * FROM \(ident: table)").all()
                for row in rows {
                    for column in row.allColumns {
                        let bytes: [UInt8]
                        if let data = try? row.decode(column: column, as: Data.self) { bytes = Array(data) }
                        else if let text = try? row.decode(column: column, as: String.self) { bytes = Array(text.utf8) }
                        else { continue }
                        scanned += 1
                        if TestImages.contains(bytes, "CA-") { sawReference = true }
                        #expect(!TestImages.contains(bytes, "canary"), "plaintext in \(table).\(column)")
                        #expect(!TestImages.contains(bytes, "Apixaban"), "plaintext in \(table).\(column)")
                        #expect(!TestImages.contains(bytes, "JFIF"), "photo bytes in \(table).\(column)")
                    }
                }
            }
            // The scan really read the rows (it would find a reference, which is not secret).
            #expect(scanned > 50)
            #expect(sawReference)
            // The owner reads the photo back: a JPEG without its Exif block.
            let link = try await mailedLink(app, to: "raw@example.org", prefix: "/account/verify?token=")
            _ = try await browser.submit(link, to: "/account/verify", [("token", String(link.split(separator: "=").last!))])
            let row = try #require(try await ConsultationCase.query(on: app.db).first())
            let photo = try #require(try await CasePhoto.query(on: app.db).first())
            let image = try await browser.get("/cases/\(row.reference)/photos/\(photo.id!)")
            #expect(image.status == .ok)
            #expect(image.headers.first(name: .contentType) == "image/jpeg")
            #expect(image.headers.first(name: .cacheControl) == "no-store")
            let bytes = Array(image.body.readableBytesView)
            #expect(bytes.starts(with: [0xFF, 0xD8]))
            #expect(!TestImages.contains(bytes, "canary"))
            #expect(TestImages.contains(bytes, "JFIF"))
        }
    }

    @Test("Without consent nothing is stored and the form says why (422)")
    func consentRequired() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let usersBefore = try await User.query(on: app.db).count()
            let res = try await browser.sendConsultation(extra: [("terms", "yes")], guestEmail: "noconsent@example.org")
            #expect(res.status == .unprocessableEntity)
            #expect(res.text.contains("Without this we cannot send your request"))
            #expect(try await ConsultationCase.query(on: app.db).count() == 0)
            #expect(try await CasePhoto.query(on: app.db).count() == 0)
            #expect(try await User.query(on: app.db).count() == usersBefore)
            // What was typed is still there.
            #expect(res.text.contains(ConsultAnswers.secretConcern))
        }
    }

    @Test("Bad input is answered at the field with the right status, and nothing is stored")
    func badInput() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            func answers(_ change: (String, String)) -> [(String, String)] {
                ConsultAnswers.all().map { $0.0 == change.0 ? change : $0 }
            }
            var huge = TestImages.jpeg(padding: ImageInspector.maxBytes)
            huge[huge.count - 3] = 0x11
            let cases: [(String, TestingHTTPResponse, HTTPResponseStatus, String)] = [
                ("photo over 10 MB", try await browser.sendConsultation(photos: [huge], guestEmail: "a@example.org"), .payloadTooLarge, "photos-error"),
                ("not an image", try await browser.sendConsultation(photos: [Array("%PDF-1.7 not an image".utf8)], guestEmail: "a@example.org"), .unsupportedMediaType, "photos-error"),
                ("seven photos", try await browser.sendConsultation(photos: Array(repeating: TestImages.jpeg(), count: 7), guestEmail: "a@example.org"), .unprocessableEntity, "photos-error"),
                ("text over its limit", try await browser.sendConsultation(answers: answers(("concerns", String(repeating: "x", count: 4_001))), guestEmail: "a@example.org"), .unprocessableEntity, "concerns-error"),
                ("unknown procedure", try await browser.sendConsultation(answers: answers(("procedures", "no-such-procedure")), guestEmail: "a@example.org"), .unprocessableEntity, "procedures-error"),
                ("unknown currency", try await browser.sendConsultation(answers: answers(("budget_currency", "XYZ")), guestEmail: "a@example.org"), .unprocessableEntity, "budget_currency-error"),
                ("travel in the past", try await browser.sendConsultation(answers: answers(("travel_from", "2020-01-01")), guestEmail: "a@example.org"), .unprocessableEntity, "travel_from-error"),
                ("weak password", try await browser.sendConsultation(extra: ConsultAnswers.consent + [("name", "A"), ("email", "b@example.org"), ("password", "password1234")]), .unprocessableEntity, "password-error"),
            ]
            for (name, res, status, errorID) in cases {
                #expect(res.status == status, "\(name): \(res.status)")
                #expect(res.text.contains("id=\"\(errorID)\""), "\(name): no message at the field")
            }
            #expect(try await ConsultationCase.query(on: app.db).count() == 0)
        }
    }

    @Test("Missing or forged CSRF token → 403, and a foreign Origin → 403")
    func csrf() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            _ = try await browser.get("/consult/patrick-tonnard-md-phd")
            let missing = try await browser.postMultipart("/consult/patrick-tonnard-md-phd", ConsultAnswers.all() + ConsultAnswers.consent + [("step", "4"), ("go", "submit")])
            #expect(missing.status == .forbidden)
            let forged = try await browser.postMultipart("/consult/patrick-tonnard-md-phd", ConsultAnswers.all() + [("csrf", "forged")])
            #expect(forged.status == .forbidden)
            browser.origin = "https://evil.example"
            let foreign = try await browser.sendConsultation(guestEmail: "x@example.org")
            #expect(foreign.status == .forbidden)
            #expect(try await ConsultationCase.query(on: app.db).count() == 0)
        }
    }

    @Test("The steps keep every answer going forward and back, and an error sends you to its step")
    func steps() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let first = try await browser.get("/consult/patrick-tonnard-md-phd?procedure=nanofat-grafting")
            #expect(first.text.contains("value=\"nanofat-grafting\" checked"))
            let token = try #require(Browser.csrf(in: first.text))
            let key = try #require(Browser.hiddenValue("idempotency_key", in: first.text))
            let step1 = try await browser.post("/consult/patrick-tonnard-md-phd", [("csrf", token), ("step", "1"), ("go", "next"),
                ("idempotency_key", key), ("procedures", "nanofat-grafting"), ("concerns", "Fine lines around the mouth")])
            #expect(step1.status == .ok)
            #expect(step1.text.contains("name=\"smoking\""))
            #expect(Browser.hiddenValue("concerns", in: step1.text) == "Fine lines around the mouth")
            // Missing answers on step 2 stay on step 2 with messages.
            let step2 = try await browser.post("/consult/patrick-tonnard-md-phd", [("csrf", token), ("step", "2"), ("go", "next"),
                ("idempotency_key", key), ("procedures", "nanofat-grafting"), ("concerns", "Fine lines around the mouth")])
            #expect(step2.status == .unprocessableEntity)
            #expect(step2.text.contains("id=\"smoking-error\""))
            // Back keeps the answers of the step left.
            let back = try await browser.post("/consult/patrick-tonnard-md-phd", [("csrf", token), ("step", "2"), ("go", "back"),
                ("idempotency_key", key), ("procedures", "nanofat-grafting"), ("concerns", "Fine lines around the mouth"), ("smoking", "former")])
            #expect(back.text.contains("Fine lines around the mouth</textarea>"))
            #expect(Browser.hiddenValue("smoking", in: back.text) == "former")
        }
    }

    @Test("100 parallel submissions with one idempotency key make one case and get the same answer")
    func idempotent() async throws {
        try await withTestApp(rateLimits: Self.generousLimits) { app in
            let browser = Browser(app)
            let page = try await browser.get("/consult/patrick-tonnard-md-phd")
            let token = try #require(Browser.csrf(in: page.text))
            let fields = ConsultAnswers.all(key: "idem-\(UUID().uuidString.lowercased())") + ConsultAnswers.consent
                + ConsultAnswers.guest(email: "twice@example.org") + [("step", "4"), ("go", "submit"), ("csrf", token)]
            let cookies = browser.cookies
            let locations = try await withThrowingTaskGroup(of: (HTTPStatus, String?).self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        let b = Browser(app)
                        b.cookies = cookies
                        let res = try await b.postMultipart("/consult/patrick-tonnard-md-phd", fields, files: [.init(field: "photos", filename: "a.jpg", contentType: "image/jpeg", bytes: TestImages.jpeg())])
                        return (res.status, res.headers.first(name: .location))
                    }
                }
                var all: [(HTTPStatus, String?)] = []
                for try await r in group { all.append(r) }
                return all
            }
            #expect(locations.allSatisfy { $0.0 == .seeOther })
            #expect(Set(locations.compactMap(\.1)).count == 1)
            #expect(try await ConsultationCase.query(on: app.db).count() == 1)
            #expect(try await User.query(on: app.db).filter(\.$email == "twice@example.org").count() == 1)
            #expect(try await CasePhoto.query(on: app.db).count() == 1)
        }
    }

    static var generousLimits: AppConfig.RateLimits {
        var limits = AppConfig.RateLimits()
        limits.submissionsPerAddress = 100_000
        limits.submissionsPerAccount = 100_000
        limits.signInPerAddress = 100_000
        limits.signInPerAccount = 100_000
        return limits
    }
}
