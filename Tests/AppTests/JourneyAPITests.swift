import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

/// A token created on the account page of a signed-in browser.
func apiToken(_ browser: Browser) async throws -> String {
    let created = try await browser.submit("/account/api-tokens", [("name", "Journey app")])
    #expect(created.status == .created)
    let start = try #require(created.text.range(of: "<code class=\"secret\">"))
    return String(created.text[start.upperBound...].prefix { $0 != "<" })
}

func api(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, json: Any? = nil) async throws -> TestingHTTPResponse {
    var headers: HTTPHeaders = [:]
    if let token { headers.replaceOrAdd(name: .authorization, value: "Bearer \(token)") }
    var body: ByteBuffer?
    if let json {
        headers.replaceOrAdd(name: .contentType, value: "application/json")
        body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
    }
    return try await app.testing().sendRequest(method, path, headers: headers, body: body)
}

func jsonObject(_ res: TestingHTTPResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [String: Any])
}

@Suite("Journey API")
struct JourneyAPITests {
    @Test("Quotes read with their exact figures and conversion; acceptance with version and confirmation; 409 when superseded")
    func quotes() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let id = try await sendQuote(app, staff, reference)
            _ = try await staff.submit("/inbox/\(reference)/quotes/new?revise=\(id)", QuoteFields.make(unit: "2300") + [("revise", "\(id)"), ("expected_version", "1")])
            let token = try await apiToken(patient)
            #expect(try await api(app, .GET, "/api/v1/cases/\(reference)/quotes", token: nil).status == .unauthorized)
            let read = try await api(app, .GET, "/api/v1/cases/\(reference)/quotes?currency=USD", token: token)
            #expect(read.status == .ok)
            let quote = try #require((try jsonObject(read)["quotes"] as? [[String: Any]])?.first)
            let latest = try #require(quote["latest"] as? [String: Any])
            #expect((latest["total"] as? [String: Any])?["amount"] as? String == "2586.5")
            #expect((latest["converted"] as? [String: Any])?["amount"] as? String == "2796.52")   // 2586.50 × 1.0812 = 2796.5238
            #expect((latest["lines"] as? [[String: Any]])?.count == 2)
            #expect(quote["latestVersion"] as? Int == 2)

            let missing = try await api(app, .POST, "/api/v1/cases/\(reference)/quotes/\(id)/accept", token: token, json: ["version": 2])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)
            #expect(missing.text.contains("\"field\":\"confirm\""))
            let old = try await api(app, .POST, "/api/v1/cases/\(reference)/quotes/\(id)/accept", token: token, json: ["version": 1, "confirm": true])
            #expect(old.status == .conflict)
            #expect(old.text.contains("replaced by a newer one"))
            let text = try await app.testing().sendRequest(.POST, "/api/v1/cases/\(reference)/quotes/\(id)/accept",
                                                            headers: ["Authorization": "Bearer \(token)", "Content-Type": "text/plain"], body: ByteBuffer(string: "x"))
            #expect(text.status == .unsupportedMediaType)
            let accepted = try await api(app, .POST, "/api/v1/cases/\(reference)/quotes/\(id)/accept", token: token, json: ["version": 2, "confirm": true])
            #expect(accepted.status == .ok)
            #expect(try jsonObject(accepted)["status"] as? String == "accepted")
        }
    }

    @Test("Messages: send with an attachment, read back; a file that is not what it says is 415; strangers get 404")
    func messages() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let token = try await apiToken(patient)
            let sent = try await api(app, .POST, "/api/v1/cases/\(reference)/messages", token: token, json: [
                "text": "Here is my report", "attachments": [["filename": "report.pdf", "data": Data(TestPDFs.plain()).base64EncodedString()]]])
            #expect(sent.status == .created)
            let fake = try await api(app, .POST, "/api/v1/cases/\(reference)/messages", token: token, json: [
                "text": "x", "attachments": [["filename": "a.pdf", "data": Data("hello".utf8).base64EncodedString()]]])
            #expect(fake.status == .unsupportedMediaType)
            #expect(fake.text.contains("attachments[0]"))
            let empty = try await api(app, .POST, "/api/v1/cases/\(reference)/messages", token: token, json: ["text": ""])
            #expect(empty.status == .unprocessableEntity)
            let staff = try await staffBrowser(app)
            let staffToken = try await apiToken(staff)
            let read = try await api(app, .GET, "/api/v1/cases/\(reference)/messages", token: staffToken)
            #expect(read.status == .ok)
            let message = try #require((try jsonObject(read)["messages"] as? [[String: Any]])?.first)
            #expect(message["text"] as? String == "Here is my report")
            #expect((message["attachments"] as? [[String: Any]])?.first?["name"] as? String == "report.pdf")
            #expect(try await CaseMessage.query(on: app.db).count() == 1)
            let otherTeam = try #require(DemoAccounts.accounts.first { $0.organizationSlug == "lale-dental-atelier" })
            let lale = try await staffBrowser(app, otherTeam.email, otherTeam.password)
            let laleToken = try await apiToken(lale)
            #expect(try await api(app, .GET, "/api/v1/cases/\(reference)/messages", token: laleToken).status == .notFound)
            #expect(try await api(app, .GET, "/api/v1/cases/\(reference)/quotes", token: laleToken).status == .notFound)
        }
    }

    @Test("Slots are public; booking and cancelling with a token; a taken slot is 409 and a bad zone names the field")
    func appointments() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let token = try await apiToken(patient)
            let slots = try await api(app, .GET, "/api/v1/providers/patrick-tonnard-md-phd/slots?from=2026-11-26&to=2026-11-27&zone=Australia/Sydney", token: nil)
            #expect(slots.status == .ok)
            let list = try #require(try jsonObject(slots)["slots"] as? [[String: Any]])
            #expect(list.first?["start"] as? String == "2026-11-26T08:00:00Z")
            #expect((list.first?["label"] as? String)?.contains("19:00 (Australia/Sydney)") == true)
            #expect(try await api(app, .GET, "/api/v1/providers/patrick-tonnard-md-phd/slots?from=2026-11-26&to=2027-02-27", token: nil).status == .badRequest)
            #expect(try await api(app, .GET, "/api/v1/providers/patrick-tonnard-md-phd/slots?zone=Nowhere/City", token: nil).status == .badRequest)

            let badZone = try await api(app, .POST, "/api/v1/appointments", token: token,
                                        json: ["reference": reference, "start": "2026-11-26T08:00:00Z", "timeZone": "Nowhere/City"])
            #expect(badZone.status == .unprocessableEntity)
            #expect(badZone.text.contains("\"field\":\"timeZone\""))
            let booked = try await api(app, .POST, "/api/v1/appointments", token: token,
                                       json: ["reference": reference, "start": "2026-11-26T08:00:00Z", "timeZone": "Australia/Sydney"])
            #expect(booked.status == .created)
            let id = try #require(try jsonObject(booked)["id"] as? String)
            #expect(try await api(app, .GET, "/api/v1/providers/patrick-tonnard-md-phd/slots?from=2026-11-26&to=2026-11-27", token: nil)
                .text.contains("2026-11-26T08:00:00Z") == false)
            let again = try await api(app, .POST, "/api/v1/appointments", token: token,
                                      json: ["reference": reference, "start": "2026-11-26T08:30:00Z", "timeZone": "Australia/Sydney"])
            #expect(again.status == .conflict)
            let mine = try await api(app, .GET, "/api/v1/appointments", token: token)
            #expect(mine.text.contains(id))
            let cancelled = try await api(app, .POST, "/api/v1/appointments/\(id)/cancel", token: token, json: [String: String]())
            #expect(cancelled.status == .ok)
            #expect(try jsonObject(cancelled)["status"] as? String == "cancelled")
            #expect(try await api(app, .POST, "/api/v1/appointments/\(id)/cancel", token: token, json: [String: String]()).status == .conflict)
        }
    }
}
