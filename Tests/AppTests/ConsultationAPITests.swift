import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Consultation API")
struct ConsultationAPITests {
    /// A token created through the account page of the demo patient.
    static func token(_ app: Application) async throws -> String {
        let browser = Browser(app)
        #expect(try await browser.signIn(Demo.patient.email, Demo.patient.password).status == .seeOther)
        let created = try await browser.submit("/account/api-tokens", [("name", "Test app")])
        #expect(created.status == .created)
        let marker = "<code class=\"secret\">"
        let start = try #require(created.text.range(of: marker))
        return String(created.text[start.upperBound...].prefix { $0 != "<" })
    }

    static func body(key: String, photos: [[UInt8]] = [TestImages.jpeg()], consent: Bool = true, change: [String: Any] = [:]) throws -> ByteBuffer {
        var answers: [String: Any] = [:]
        for (k, v) in ConsultAnswers.all(key: key) where k != "idempotency_key" { answers[k] = k == "procedures" ? [v] : v }
        for (k, v) in change { answers[k] = v }
        let object: [String: Any] = [
            "provider": "patrick-tonnard-md-phd", "idempotencyKey": key, "answers": answers,
            "consent": ["healthData": consent, "shareWithProvider": consent, "terms": consent],
            "photos": photos.map { ["filename": "p.jpg", "data": Data($0).base64EncodedString()] },
        ]
        return ByteBuffer(data: try JSONSerialization.data(withJSONObject: object))
    }

    static func post(_ app: Application, token: String?, body: ByteBuffer) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let token { headers.replaceOrAdd(name: .authorization, value: "Bearer \(token)") }
        return try await app.testing().sendRequest(.POST, "/api/v1/consultations", headers: headers, body: body)
    }

    @Test("A bearer token sends a request: 201 with the reference; a replay gets the same answer and no second case")
    func createAndReplay() async throws {
        try await withTestApp { app in
            let token = try await Self.token(app)
            let key = "api-\(UUID().uuidString.lowercased())"
            let first = try await Self.post(app, token: token, body: try Self.body(key: key))
            #expect(first.status == .created, "\(first.text)")
            let replay = try await Self.post(app, token: token, body: try Self.body(key: key))
            #expect(replay.status == .created)
            #expect(first.text == replay.text)
            let object = try jsonObject(first)
            let reference = try #require(object["reference"] as? String)
            #expect(object["status"] as? String == "submitted")
            #expect(try await ConsultationCase.query(on: app.db).count() == 1)
            let row = try #require(try await ConsultationCase.query(on: app.db).first())
            #expect(row.reference == reference)
        }
    }

    @Test("The API refuses what the form refuses, with problem+json naming the fields")
    func refusals() async throws {
        try await withTestApp { app in
            let token = try await Self.token(app)
            #expect(try await Self.post(app, token: nil, body: try Self.body(key: "k-\(UUID())")).status == .unauthorized)
            #expect(try await Self.post(app, token: (token.first == "x" ? "y" : "x") + token.dropFirst(), body: try Self.body(key: "k-\(UUID())")).status == .unauthorized)
            let noConsent = try await Self.post(app, token: token, body: try Self.body(key: "k-\(UUID())", consent: false))
            #expect(noConsent.status == .unprocessableEntity)
            #expect(noConsent.headers.contentType?.subType == "problem+json")
            #expect(noConsent.text.contains("consent.healthData"))
            let big = try await Self.post(app, token: token, body: try Self.body(key: "k-\(UUID())", photos: [TestImages.jpeg(padding: ImageInspector.maxBytes)]))
            #expect(big.status == .payloadTooLarge)
            let pdf = try await Self.post(app, token: token, body: try Self.body(key: "k-\(UUID())", photos: [Array("%PDF-1.4".utf8)]))
            #expect(pdf.status == .unsupportedMediaType)
            let currency = try await Self.post(app, token: token, body: try Self.body(key: "k-\(UUID())", change: ["budget_currency": "XYZ"]))
            #expect(currency.status == .unprocessableEntity)
            #expect(currency.text.contains("budget_currency"))
            let junk = try await app.testing().sendRequest(.POST, "/api/v1/consultations", headers: ["Content-Type": "application/json", "Authorization": "Bearer \(token)"], body: ByteBuffer(string: "{not json"))
            #expect(junk.status == .badRequest)
            #expect(try await ConsultationCase.query(on: app.db).count() == 0)
        }
    }

    @Test("A revoked token stops working")
    func revoke() async throws {
        try await withTestApp { app in
            let token = try await Self.token(app)
            let browser = Browser(app)
            _ = try await browser.signIn(Demo.patient.email, Demo.patient.password)
            let page = try await browser.get("/account/api-tokens")
            let digest = try #require(Browser.hiddenValue("revoke", in: page.text))
            #expect(digest == SecretToken.digest(token))
            _ = try await browser.post("/account/api-tokens", [("revoke", digest), ("csrf", Browser.csrf(in: page.text)!)])
            #expect(try await Self.post(app, token: token, body: try Self.body(key: "k-\(UUID())")).status == .unauthorized)
        }
    }
}
