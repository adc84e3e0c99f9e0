import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Pipeline board")
struct PipelineBoardTests {
    @Test("The board and the table: stages with counts, owners, next task and late work; filters narrow them; a stage is set once per version")
    func board() async throws {
        try await withTestApp(rateLimits: ConsultationTests.generousLimits) { app in
            let (patient, first) = try await patientWithCase(app)
            let (_, second) = try await patientWithCase(app, procedure: "nanofat-grafting")
            for reference in [first, second] {
                #expect(try await FacilitatorConsentTests.invite(patient, reference, slug: FacilitatorConsentTests.journeys, scopes: [.request]).status == .seeOther)
            }
            let facilitator = try await staffBrowser(app, Demo.facilitator.email, Demo.facilitator.password)
            // A late task on the first request, a later one on the second.
            #expect(try await facilitator.submit("/pipeline/\(first)", to: "/pipeline/\(first)/tasks",
                                                 [("action", "add"), ("task_kind", "custom"), ("task_title", "Collect the scan"), ("task_due", "2026-11-20")]).status == .seeOther)
            #expect(try await facilitator.submit("/pipeline/\(second)", to: "/pipeline/\(second)/tasks",
                                                 [("action", "add"), ("task_kind", "custom"), ("task_title", "Book the hotel"), ("task_due", "2026-12-10")]).status == .seeOther)
            let grant = try #require(try await CaseFacilitator.query(on: app.db).filter(\.$caseID == (try await ConsultationCase.query(on: app.db)
                .filter(\.$reference == first).first()?.id ?? 0)).first())
            #expect(grant.nextTask == "Collect the scan" && grant.nextDueOn == "2026-11-20")

            let board = try await facilitator.get("/pipeline")
            #expect(board.status == .ok)
            #expect(board.text.contains("Sent to providers <span class=\"count\"> (2)</span>") || board.text.contains("Sent to providers (2)"))
            #expect(board.text.contains("Overdue since 20 November 2026"))
            #expect(board.text.contains("Due 10 December 2026"))
            let late = try await facilitator.get("/pipeline?view=table&overdue=1").text
            #expect(late.contains(first) && !late.contains(second))

            // The facilitator sets the stage and takes ownership; a stale form is refused.
            let me = try #require(try await User.query(on: app.db).filter(\.$email == Demo.facilitator.email).first()?.id)
            let set = try await facilitator.submit("/pipeline/\(first)", to: "/pipeline/\(first)/stage",
                                                   [("stage", "travelling"), ("owner", "\(me)"), ("version", "\(grant.version)")])
            #expect(set.status == .seeOther)
            let stale = try await facilitator.submit("/pipeline/\(first)", to: "/pipeline/\(first)/stage",
                                                     [("stage", "closed"), ("owner", ""), ("version", "\(grant.version)")])
            #expect(stale.status == .conflict)
            #expect(try await CaseFacilitator.find(grant.id, on: app.db)?.stage == "travelling")
            let travelling = try await facilitator.get("/pipeline?view=table&stage=travelling&owner=\(me)").text
            #expect(travelling.contains(first) && !travelling.contains(second))
            #expect(try await facilitator.get("/pipeline?stage=nowhere").status == .badRequest)
            // Another organisation's member cannot be made owner.
            let outsider = try await AccountTests.verifiedPatient(app, email: "outsider@example.org")
            _ = outsider
            let outsiderID = try #require(try await User.query(on: app.db).filter(\.$email == "outsider@example.org").first()?.id)
            let current = try #require(try await CaseFacilitator.find(grant.id, on: app.db))
            #expect(try await facilitator.submit("/pipeline/\(first)", to: "/pipeline/\(first)/stage",
                                                 [("stage", "travelling"), ("owner", "\(outsiderID)"), ("version", "\(current.version)")]).status == .badRequest)

            // Finishing the late task moves the next one onto the row.
            let task = try #require(try await CaseTask.query(on: app.db).filter(\.$title == "Collect the scan").first())
            #expect(try await facilitator.submit("/pipeline/\(first)", to: "/pipeline/\(first)/tasks", [("action", "done"), ("task", "\(task.id!)")]).status == .seeOther)
            let after = try #require(try await CaseFacilitator.find(grant.id, on: app.db))
            #expect(after.nextTask == nil && after.nextDueOn == nil)
            #expect(!(try await facilitator.get("/pipeline?view=table&overdue=1").text.contains(first)))
        }
    }
}
