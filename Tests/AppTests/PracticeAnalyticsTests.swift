import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Practice analytics")
struct PracticeAnalyticsTests {
    @Test("Profile views (cached pages too), requests, answers and the median time to the first answer, by week, as charts with their table")
    func weekly() async throws {
        let clock = TestClock()
        try await withTestApp(renderCache: true, clock: clock.appClock) { app in
            for _ in 0..<3 { #expect(try await Browser(app).get("/providers/\(DemoAccounts.featuredSurgeonSlug)").status == .ok) }
            #expect(try await Browser(app).get("/providers/no-such-surgeon").status == .notFound)
            try await app.profileViews.flush(app: app)
            // Flushing twice adds nothing more.
            try await app.profileViews.flush(app: app)
            let (_, reference) = try await patientWithCase(app)
            clock.advance(5 * 3600)
            let staff = try await staffBrowser(app)
            #expect(try await staff.sendMessage("/inbox/\(reference)/messages", text: "Thank you, we are reading your request.").status == .seeOther)

            let page = try await staff.get("/practice/analytics")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<svg") && html.contains("role=\"img\"") && html.contains("aria-labelledby=\"views-title views-desc\""))
            let weeks = try await AnalyticsService.weekly(try await PracticeProfileTests.surgeonPlace(app), now: clock.now, on: app.db)
            let current = try #require(weeks.last)
            #expect(current.views == 3)
            #expect(current.requests == 1 && current.replied == 1)
            #expect(current.medianReplyHours == 5)
            #expect(html.contains("5.0 h"))
            // Another practice sees only its own figures.
            let other = try await staffBrowser(app, Demo.lale.email, Demo.lale.password)
            let theirs = try await AnalyticsService.weekly(SchedulePages.Workplace(key: "x", name: "", practitionerID: nil,
                organizationID: try await Organization.query(on: app.db).filter(\.$slug == "lale-dental-atelier").first()?.id, slug: ""), now: clock.now, on: app.db)
            #expect(theirs.allSatisfy { $0.requests == 0 && $0.views == 0 })
            #expect(try await other.get("/practice/analytics").status == .ok)
        }
    }
}
