import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Concurrent submissions")
struct ConcurrencyTests {
    /// `count` verified patients, each with a signed-in browser (rows written directly: this test is about
    /// submissions, not sign-in).
    static func signedInPatients(_ app: Application, count: Int) async throws -> [Browser] {
        let hash: String = try app.password.sync.hash(Passwords.prepared("unused-password-here-1"))
        var browsers: [Browser] = []
        for i in 0..<count {
            let user = User(email: "load\(i)@example.org", passwordHash: hash, displayName: "Load \(i)", role: .patient, now: testNow)
            user.emailVerifiedAt = testNow
            try await user.create(on: app.db)
            let token = SecretToken.make()
            try await UserSession(id: SecretToken.digest(token), userID: user.id!, now: testNow, secondFactorDone: true).create(on: app.db)
            let browser = Browser(app)
            browser.cookies["careabroad_session"] = token
            browsers.append(browser)
        }
        return browsers
    }

    @Test("300 patients submitting at once → 300 cases, no 5xx, no 'database is locked'")
    func threeHundred() async throws {
        try await withTestApp(rateLimits: ConsultationTests.generousLimits) { app in
            let browsers = try await Self.signedInPatients(app, count: 300)
            let statuses = try await withThrowingTaskGroup(of: (HTTPStatus, String).self) { group in
                for browser in browsers {
                    group.addTask {
                        let res = try await browser.sendConsultation(photos: [TestImages.jpeg()])
                        return (res.status, res.status.code >= 500 ? res.text : "")
                    }
                }
                var all: [(HTTPStatus, String)] = []
                for try await r in group { all.append(r) }
                return all
            }
            #expect(statuses.count == 300)
            #expect(statuses.filter { $0.0 == .seeOther }.count == 300, "\(Dictionary(grouping: statuses, by: { $0.0.code }).mapValues(\.count)) \(statuses.first { !$0.1.isEmpty }?.1.prefix(300) ?? "")")
            #expect(!statuses.contains { $0.1.contains("locked") })
            #expect(try await ConsultationCase.query(on: app.db).count() == 300)
            #expect(try await CasePhoto.query(on: app.db).count() == 300)
            #expect(try await AuditLog.verify(app: app, on: app.db).firstBrokenID == nil)
        }
    }
}
