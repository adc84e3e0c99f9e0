import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Staff case page")
struct StaffCasePageTests {
    static func ids(in html: String) -> [String] {
        startTags(in: html).flatMap { attributes($0).filter { $0.name == "id" }.map(\.value) }
    }

    @Test("The team reads the request in its own words, never the patient's ('Your request', 'Question for you')")
    func wording() async throws {
        try await withTestApp { app in
            let (patient, reference) = try await patientWithCase(app)
            let staff = Browser(app)
            #expect(try await staff.signIn(Demo.staff.email, Demo.staff.password).status == .seeOther)
            let token = try #require(Browser.csrf(in: try await staff.get("/inbox/\(reference)").text))
            #expect(try await staff.post("/inbox/\(reference)/actions", [("action", "request-info"), ("note", "Which year was the filler?"), ("csrf", token)]).status == .seeOther)
            let ptoken = try #require(Browser.csrf(in: try await patient.get("/cases/\(reference)").text))
            #expect(try await patient.post("/cases/\(reference)/reply", [("answer", "2022"), ("csrf", ptoken)]).status == .seeOther)
            let page = try await staff.get("/inbox/\(reference)").text
            for patientWording in ["Your request", "Your concerns", "Your goals", "Question for you", "Waiting for your email", "You answered"] {
                #expect(!page.contains(patientWording), "the staff page says '\(patientWording)'")
            }
            #expect(page.contains("The patient&#39;s request") || page.contains("The patient's request"))
            #expect(page.contains("The patient answered"))
            // The patient's side keeps its own wording.
            let own = try await patient.get("/cases/\(reference)").text
            #expect(own.contains("Your request") && own.contains("You answered"))
            let inbox = try await staff.get("/inbox").text
            #expect(!inbox.contains("Question for you") && !inbox.contains("Waiting for your email"))
        }
    }

    @Test("Every id on the staff case page is unique; an empty decline marks only the decline box")
    func uniqueIDs() async throws {
        try await withTestApp { app in
            let (_, reference) = try await patientWithCase(app)
            let staff = Browser(app)
            #expect(try await staff.signIn(Demo.staff.email, Demo.staff.password).status == .seeOther)
            let page = try await staff.get("/inbox/\(reference)").text
            let ids = Self.ids(in: page)
            #expect(Set(ids).count == ids.count, "duplicate ids: \(Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted())")
            // Every label points at an element that exists.
            let fors = startTags(in: page).flatMap { attributes($0).filter { $0.name == "for" }.map(\.value) }
            for target in fors { #expect(ids.contains(target), "label for '\(target)' points at nothing") }
            let token = try #require(Browser.csrf(in: page))
            let refused = try await staff.post("/inbox/\(reference)/actions", [("action", "decline"), ("note", ""), ("csrf", token)])
            #expect(refused.status == .unprocessableEntity)
            let invalid = startTags(in: refused.text).filter { $0.hasPrefix("textarea") && $0.contains("aria-invalid") }
            #expect(invalid.count == 1)
            #expect(invalid.first?.contains("id=\"note-decline\"") == true)
            let again = Self.ids(in: refused.text)
            #expect(Set(again).count == again.count)
        }
    }
}

@Suite("Demo practices kept apart")
struct DemoPracticesApartTests {
    @Test("The second demo practice's team signs in, sees an inbox without the featured surgeon's requests, and cannot open one")
    func apart() async throws {
        try await withTestApp { app in
            let (_, reference) = try await patientWithCase(app)
            let other = try #require(DemoAccounts.accounts.first { $0.organizationSlug == "lale-dental-atelier" })
            let staff = Browser(app)
            #expect(try await staff.signIn(other.email, other.password).headers.first(name: .location) == "/inbox")
            let inbox = try await staff.get("/inbox")
            #expect(inbox.status == .ok)
            #expect(!inbox.text.contains(reference))
            #expect(try await staff.get("/inbox/\(reference)").status == .notFound)
        }
    }
}
