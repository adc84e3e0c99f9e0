import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

/// Sends the same form POST `OnceTests.attempts` times at once from one signed-in browser (its cookies and the
/// CSRF token of `page`), and returns the statuses.
func raceForm(_ app: Application, _ browser: Browser, page: String, action: String, fields: @escaping @Sendable (Int) -> [(String, String)]) async throws -> [HTTPStatus] {
    let token = try #require(Browser.csrf(in: try await browser.get(page).text), "no token on \(page)")
    let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    return try await OnceTests.race { i in
        var headers = HTTPHeaders()
        headers.add(name: .cookie, value: cookie)
        headers.add(name: .contentType, value: "application/x-www-form-urlencoded")
        let body = ByteBuffer(string: SiteURL.queryString(fields(i) + [("csrf", token)]))
        return try await app.testing().sendRequest(.POST, action, headers: headers, body: body).status
    }
}

@Suite("Journey races: one winner")
struct JourneyRaceTests {
    @Test("20 acceptances of one quote version at once: exactly one is accepted, the others get 409")
    func acceptOnce() async throws {
        try await withTestApp(rateLimits: OnceTests.limits) { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let id = try await sendQuote(app, staff, reference)
            let statuses = try await raceForm(app, patient, page: "/cases/\(reference)/quotes/\(id)", action: "/cases/\(reference)/quotes/\(id)/accept") { _ in
                [("version", "1"), ("confirm", "yes")]
            }
            OnceTests.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses.map(\.code))")
            #expect(statuses.filter { $0 == .conflict }.count == OnceTests.attempts - 1)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "quote.accept").count() == 1)
            #expect(try await CaseEvent.query(on: app.db).filter(\.$kind == "accept-quote").count() == 1)
        }
    }

    @Test("20 revisions of one quote version at once: exactly one becomes version 2, the others are told it changed")
    func reviseOnce() async throws {
        try await withTestApp(rateLimits: OnceTests.limits) { app in
            let (_, reference) = try await patientWithCase(app)
            let staff = try await staffBrowser(app)
            let id = try await sendQuote(app, staff, reference)
            let statuses = try await raceForm(app, staff, page: "/inbox/\(reference)/quotes/new?revise=\(id)", action: "/inbox/\(reference)/quotes/new") { i in
                QuoteFields.make(unit: "\(2000 + i)") + [("revise", "\(id)"), ("expected_version", "1")]
            }
            OnceTests.noServerErrors(statuses)
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses.map(\.code))")
            #expect(statuses.filter { $0 == .conflict }.count == OnceTests.attempts - 1)
            #expect(try await QuoteVersion.query(on: app.db).count() == 2)
            #expect(try await QuoteRecord.find(id, on: app.db)?.latestVersion == 2)
        }
    }
}
