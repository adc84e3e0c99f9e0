import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

/// A test client that keeps cookies between requests, like a browser, and reads CSRF tokens from pages.
final class Browser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var origin: String?

    init(_ app: Application) { self.app = app }

    private func headers(_ extra: HTTPHeaders = [:]) -> HTTPHeaders {
        var h = extra
        if !cookies.isEmpty { h.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if let origin { h.replaceOrAdd(name: .origin, value: origin) }
        return h
    }

    private func remember(_ res: TestingHTTPResponse) {
        for header in res.headers[.setCookie] {
            let first = header.split(separator: ";").first.map(String.init) ?? ""
            let parts = first.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if header.lowercased().contains("max-age=0") || parts[1].isEmpty { cookies[parts[0]] = nil } else { cookies[parts[0]] = parts[1] }
        }
    }

    func get(_ path: String, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        let res = try await app.testing().sendRequest(.GET, path, headers: headers(extra))
        remember(res)
        return res
    }

    /// Posts an url-encoded form.
    func post(_ path: String, _ fields: [(String, String)], headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var h = headers(extra)
        h.replaceOrAdd(name: .contentType, value: "application/x-www-form-urlencoded")
        let body = SiteURL.queryString(fields)
        let res = try await app.testing().sendRequest(.POST, path, headers: h, body: ByteBuffer(string: body))
        remember(res)
        return res
    }

    struct FilePart { let field: String; let filename: String; let contentType: String; let bytes: [UInt8] }

    /// Posts a multipart form (text fields and files).
    func postMultipart(_ path: String, _ fields: [(String, String)], files: [FilePart] = [], headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        let boundary = "----careabroad-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for file in files {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.contentType)\r\n\r\n")
            body.writeBytes(file.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var h = headers(extra)
        h.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        let res = try await app.testing().sendRequest(.POST, path, headers: h, body: body)
        remember(res)
        return res
    }

    /// The CSRF token of the first form on a page.
    static func csrf(in html: String) -> String? { hiddenValue("csrf", in: html) }

    /// The value of a hidden input.
    static func hiddenValue(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end]).replacingOccurrences(of: "&amp;", with: "&")
    }

    /// GETs `page` and posts `fields` plus its CSRF token to `action` (defaults to the same path).
    func submit(_ page: String, to action: String? = nil, _ fields: [(String, String)]) async throws -> TestingHTTPResponse {
        let form = try await get(page)
        let token = try #require(Self.csrf(in: form.text), "no CSRF token on \(page): \(form.status)")
        return try await post(action ?? page.split(separator: "?").first.map(String.init) ?? page, fields + [("csrf", token)])
    }

    var sessionCookie: String? { cookies["careabroad_session"] }
}

/// Delivers what the outbox holds and returns the development mailbox, newest last.
@discardableResult
func deliverMail(_ app: Application) async throws -> [MailboxMessage] {
    while try await Outbox.deliverDue(app: app) > 0 {}
    return try await MailboxMessage.query(on: app.db).sort(\.$deliveredAt).all()
}

/// The first site link in the newest message to `recipient` whose path starts with `prefix`.
func mailedLink(_ app: Application, to recipient: String, prefix: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
    let messages = try await deliverMail(app).filter { $0.recipient == recipient }
    for message in messages.reversed() {
        if let link = MailboxController.links(in: message.body, base: app.config.baseURL).first(where: { $0.hasPrefix(prefix) }) { return link }
    }
    Issue.record("no mail to \(recipient) with a link to \(prefix)", sourceLocation: sourceLocation)
    throw TestFailure()
}

struct TestFailure: Error {}

/// A clock the test moves forward.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date = testNow) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    var appClock: AppClock { AppClock(now: { [unowned self] in self.now }) }
}

/// Small images with location metadata, built byte by byte.
enum TestImages {
    static let canary = "GPSLatitude 48.8566 N canary"

    private static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    private static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] { [0xFF, marker] + be16(payload.count + 2) + payload }

    /// A JPEG whose Exif block carries `canary`; `padding` grows the scan data (to exceed size limits).
    static func jpeg(padding: Int = 0, seed: UInt8 = 1) -> [UInt8] {
        var b: [UInt8] = [0xFF, 0xD8]
        b += segment(0xE0, Array("JFIF".utf8) + [0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00])
        b += segment(0xE1, Array("Exif".utf8) + [0x00, 0x00] + Array(canary.utf8))
        b += segment(0xDB, [0x00] + (1...64).map { UInt8($0) })
        b += segment(0xC0, [0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00])
        b += segment(0xC4, [0x00] + [UInt8](repeating: 0, count: 15) + [0x01] + [0x00])
        b += segment(0xDA, [0x01, 0x01, 0x00, 0x00, 0x3F, 0x00])
        b += [0x12, seed, 0x56, 0xA5, 0x78, 0x9A, 0xBC, 0xDE] + [UInt8](repeating: 0x5A, count: padding) + [0xFF, 0xD9]
        return b
    }

    static func contains(_ haystack: some Collection<UInt8>, _ text: String) -> Bool {
        let needle = Array(text.utf8)
        let hay = Array(haystack)
        guard hay.count >= needle.count else { return false }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            if Array(hay[i..<(i + needle.count)]) == needle { return true }
        }
        return false
    }
}

/// Answers for every step of the consultation form, with distinctive text to look for in raw rows.
enum ConsultAnswers {
    static let secretConcern = "Thin upper lip since 2019 canary-concern-7f3a"
    static let secretMedication = "Apixaban 5 mg canary-medication-91bc"

    static func all(procedure: String = "microfat-lip-grafting", key: String = UUID().uuidString.lowercased()) -> [(String, String)] {
        [
            ("idempotency_key", key), ("procedures", procedure),
            ("concerns", secretConcern), ("goals", "A natural, subtle result"),
            ("conditions", "None known"), ("medications", secretMedication), ("blood_thinners", "yes"), ("allergies", ""),
            ("smoking", "never"), ("pregnancy", "no"), ("earlier_treatment", "Hyaluronic filler in 2022"), ("fillers", "hyaluronic"),
            ("earlier_surgery", ""), ("height_cm", "168"), ("weight_kg", "61"),
            ("travel_from", "2027-03-01"), ("travel_to", "2027-03-14"), ("companions", "1"),
            ("budget_min", "2000"), ("budget_max", "4500"), ("budget_currency", "EUR"),
            ("contact_channel", "email"), ("phone", ""), ("language", "en"), ("time_zone", "Europe/London"),
        ]
    }

    static let consent: [(String, String)] = [("consent_health", "yes"), ("consent_share", "yes"), ("terms", "yes")]

    static func guest(email: String, name: String = "Test Patient") -> [(String, String)] {
        [("name", name), ("email", email), ("password", "sapphire-kettle-morning-8")]
    }
}

extension Browser {
    /// Sends a complete request from the final step (the form's earlier steps travel as hidden fields).
    func sendConsultation(to slug: String = "patrick-tonnard-md-phd", answers: [(String, String)] = ConsultAnswers.all(),
                          extra: [(String, String)] = ConsultAnswers.consent, photos: [[UInt8]] = [TestImages.jpeg()],
                          guestEmail: String? = nil) async throws -> TestingHTTPResponse {
        let page = try await get("/consult/\(slug)")
        let token = try #require(Browser.csrf(in: page.text), "no CSRF token on the form: \(page.status)")
        var fields = answers + extra + [("step", "4"), ("go", "submit"), ("csrf", token)]
        if let guestEmail { fields += ConsultAnswers.guest(email: guestEmail) }
        let files = photos.enumerated().map { FilePart(field: "photos", filename: "photo\($0.offset).jpg", contentType: "image/jpeg", bytes: $0.element) }
        return try await postMultipart("/consult/\(slug)", fields, files: files)
    }

    /// Signs in with a password (and, for staff, the current one-time code from the demo data).
    func signIn(_ email: String, _ password: String) async throws -> TestingHTTPResponse {
        let res = try await submit("/account/sign-in", [("email", email), ("password", password)])
        guard res.status == .seeOther, res.headers.first(name: .location) == "/account/two-factor" else { return res }
        let user = try #require(try await User.query(on: app.db).filter(\.$email == email).first())
        let secret = try app.vault.openWithMaster(try #require(user.totpSecret), context: "totp:\(user.id!)")
        let code = SignInCode.code(secret: secret, counter: SignInCode.counter(at: app.clock.now()))
        return try await submit("/account/two-factor", [("code", code)])
    }
}

enum Demo {
    static let patient = DemoAccounts.accounts[0]
    static let staff = DemoAccounts.accounts[1]
}
