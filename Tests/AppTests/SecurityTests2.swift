import Foundation
import Testing
import Vapor
import VaporTesting
import Logging
import Fluent
@testable import App
import Domain

/// Every log line the process writes during the tests, for the canary test.
final class LogCapture: @unchecked Sendable {
    static let shared: LogCapture = {
        let capture = LogCapture()
        // The same redaction as the real entry point, in front of a recorder.
        LoggingSystem.bootstrap { label in RedactingLogHandler(wrapping: CaptureHandler(label: label, capture: capture)) }
        return capture
    }()
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    struct CaptureHandler: LogHandler {
        let label: String
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            capture.append("\(level) \(label) \(message) \(all.map { "\($0)=\($1)" }.joined(separator: " "))")
        }
    }
}

@Suite("Security of accounts and health data")
struct HealthDataSecurityTests {
    @Test("An end-to-end run with canary values leaves no answer, name or email in any log line")
    func noHealthDataInLogs() async throws {
        let capture = LogCapture.shared
        let marker = UUID().uuidString.lowercased().prefix(8)
        let email = "canary-\(marker)@example.org"
        let name = "Canaryname \(marker)"
        let concern = "Canary concern \(marker) about my lips"
        try await withTestApp { app in
            app.logger.logLevel = .trace
            let browser = Browser(app)
            let answers = ConsultAnswers.all().map { $0.0 == "concerns" ? ($0.0, concern) : $0 }
            let res = try await browser.sendConsultation(answers: answers, extra: ConsultAnswers.consent + [("name", name), ("email", email), ("password", "harbour-lantern-violet-12")])
            #expect(res.status == .seeOther)
            let link = try await mailedLink(app, to: email, prefix: "/account/verify?token=")
            _ = try await browser.submit(link, to: "/account/verify", [("token", String(link.split(separator: "=").last!))])
            let reference = String(try #require(try await ConsultationCase.query(on: app.db).first()?.reference))
            #expect(try await browser.get("/cases/\(reference)").text.contains(concern))
            let staff = Browser(app)
            _ = try await staff.signIn(Demo.staff.email, Demo.staff.password)
            #expect(try await staff.get("/inbox/\(reference)").text.contains(concern))
            // A failing sign-in and a refused access are logged too.
            _ = try await Browser(app).submit("/account/sign-in", [("email", email), ("password", "wrong-wrong-wrong")])
            _ = try await Browser(app).get("/cases/\(reference)")
        }
        let logs = capture.text
        #expect(logs.contains("/cases/"), "the capture saw request logs")
        for secret in [email, name, concern, String(marker), ConsultAnswers.secretMedication] {
            #expect(!logs.contains(secret), "\(secret) appeared in a log line")
        }
    }

    @Test("What patients and staff type is shown inert: hostile text in a request, a question and an answer")
    func hostileText() async throws {
        try await withTestApp { app in
            let payload = "<script>alert(1)</script>\" onmouseover=\"alert(2)"
            let patient = Browser(app)
            _ = try await patient.signIn(Demo.patient.email, Demo.patient.password)
            let answers = ConsultAnswers.all().map { $0.0 == "concerns" ? ($0.0, payload) : $0 }
            let sent = try await patient.sendConsultation(answers: answers)
            let reference = String(try #require(sent.headers.first(name: .location)).dropFirst("/cases/".count))
            let staff = Browser(app)
            _ = try await staff.signIn(Demo.staff.email, Demo.staff.password)
            _ = try await staff.submit("/inbox/\(reference)", to: "/inbox/\(reference)/actions", [("action", "request-info"), ("note", payload)])
            _ = try await patient.submit("/cases/\(reference)", to: "/cases/\(reference)/reply", [("answer", payload)])
            for (browser, path) in [(patient, "/cases/\(reference)"), (staff, "/inbox/\(reference)")] {
                let page = try await browser.get(path).text
                #expect(!page.contains("<script>alert(1)"), "\(path)")
                // The quote may appear in text (where it is inert), never inside a tag.
                var rest = page[...]
                while let hit = rest.range(of: "onmouseover=") {
                    let before = page[..<hit.lowerBound]
                    let lastOpen = before.lastIndex(of: "<"), lastClose = before.lastIndex(of: ">")
                    #expect(lastClose != nil && (lastOpen == nil || lastOpen! < lastClose!), "an attribute was injected on \(path)")
                    rest = page[hit.upperBound...]
                }
                #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
            }
        }
    }

    @Test("Private pages send no-store and every response carries the security headers")
    func headersOnPrivatePages() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            for path in ["/cases", "/cases/\(reference)", "/account", "/account/password", "/account/api-tokens", "/account/delete", "/account/export"] {
                let res = try await patient.get(path)
                #expect(res.status == .ok, "\(path)")
                #expect(res.headers.first(name: .cacheControl) == "no-store", "\(path)")
                #expect(res.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true, "\(path)")
                #expect(res.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
                #expect(res.headers.first(name: "Referrer-Policy") != nil, "\(path)")
            }
            for path in ["/account/sign-in", "/account/sign-up", "/account/reset", "/consult/patrick-tonnard-md-phd", "/dev/mailbox"] {
                let res = try await Browser(app).get(path)
                #expect(res.headers.first(name: .cacheControl) == "no-store", "\(path)")
                #expect(res.headers.first(name: "Content-Security-Policy") != nil, "\(path)")
            }
        }
    }

    @Test("The master keyring: comments with commas, several keys newest first, and refusals")
    func keyring() throws {
        let a = MasterKeyring.generateEncoded(), b = MasterKeyring.generateEncoded()
        let ring = try MasterKeyring.parse("# a comment, with a comma\n\(a)\n\(b)\n")
        #expect(ring.keys.count == 2)
        #expect(ring.current.id == MasterKeyring.id(of: SymmetricKey(data: Data(base64Encoded: a)!)))
        #expect(try MasterKeyring.parse("\(a),\(b)").keys.count == 2)
        #expect(throws: (any Error).self) { try MasterKeyring.parse("not base64!") }
        #expect(throws: (any Error).self) { try MasterKeyring.parse(Data(repeating: 1, count: 16).base64EncodedString()) }
        #expect(throws: (any Error).self) { try MasterKeyring.parse("# only a comment") }
        #expect(throws: (any Error).self) {
            try MasterKeyring.load(environmentValue: nil, isProduction: true, file: "/nonexistent/key", logger: Logger(label: "t"))
        }
    }

    @Test("Key rotation re-wraps everything sealed (data keys, platform keys, staff sign-in secrets); with only the new key, requests open and staff sign in")
    func rotation() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            _ = try await deliverMail(app)
            let old = app.vault.keyring.current.id
            let newKey = MasterKeyring.generateEncoded()
            app.vault = Vault(keyring: try MasterKeyring.parse("\(newKey),\(testMasterKey)"))
            let done = try await app.vault.rotateAll(on: app.db, gate: app.writes, now: testNow)
            #expect(done.dataKeys >= 1)
            #expect(done.platformKeys == 2) // the audit chain's and the outbox's
            #expect(done.signInSecrets == 7) // the three demo practice teams, facilitator, editor, medical reviewer and administrator
            #expect(try await DataKey.query(on: app.db).filter(\.$masterKeyID == old).count() == 0)
            #expect(try await PlatformKey.query(on: app.db).filter(\.$masterKeyID == old).count() == 0)
            // Only the new key now: everything still opens, and staff still sign in with their codes.
            app.vault = Vault(keyring: try MasterKeyring.parse(newKey))
            #expect(try await patient.get("/cases/\(reference)").text.contains(ConsultAnswers.secretConcern))
            let staff = Browser(app)
            #expect(try await staff.signIn(Demo.staff.email, Demo.staff.password).headers.first(name: .location) == "/inbox")
            #expect(try await staff.get("/inbox/\(reference)").status == .ok)
            #expect(try await AuditLog.verify(app: app, on: app.db).intact)
        }
    }
}
