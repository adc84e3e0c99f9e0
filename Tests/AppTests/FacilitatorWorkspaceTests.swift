import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Facilitator profile workspace")
struct FacilitatorWorkspaceTests {
    static func fields(_ version: Int, summary: String = "A two-person team in Leeds for dental and hip treatment abroad.",
                       languages: [String] = ["en", "pl"]) -> [(String, String)] {
        [("version", "\(version)"), ("summary", summary), ("about", "We answer within a day.\n\nSample data."),
         ("website", "https://example.org/leeds"), ("founded_year", "2018"), ("accepting", "yes"),
         ("patient_countries", "GB"), ("patient_countries", "IE"), ("destinations", "PL"), ("destinations", "HU")]
            + languages.map { ("languages", $0) }
    }

    @Test("Staff edit the public profile: live at once (directory filters included), audited; bad input answered at the field; a stale form is refused")
    func editProfile() async throws {
        try await withTestApp { app in
            let staff = try await staffBrowser(app, Demo.facilitator.email, Demo.facilitator.password)
            let form = try await staff.get("/facilitator/profile")
            #expect(form.status == .ok)
            #expect(form.text.contains("Sample Care Journeys") || form.text.contains("sample-care-journeys"))
            let org = try #require(try await Facilitator.query(on: app.db).filter(\.$slug == "sample-care-journeys").first())

            let bad = try await staff.submit("/facilitator/profile", Self.fields(org.profileVersion, summary: "", languages: ["xx"]))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("aria-invalid=\"true\""))

            let saved = try await staff.submit("/facilitator/profile", Self.fields(org.profileVersion))
            #expect(saved.status == .ok)
            #expect(saved.text.contains("Saved."))
            let profile = try await Browser(app).get("/facilitators/sample-care-journeys").text
            #expect(profile.contains("A two-person team in Leeds"))
            #expect(profile.contains("Poland, Hungary") && profile.contains("English, Polish"))
            #expect(FacilitatorDirectoryTests.listed(try await Browser(app).get("/facilitators?to=PL").text) == ["sample-care-journeys"])
            #expect(FacilitatorDirectoryTests.listed(try await Browser(app).get("/facilitators?to=ES").text).isEmpty)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "facilitator.profile").count() == 1)

            // The form of before the save is stale now.
            let stale = try await staff.submit("/facilitator/profile", Self.fields(org.profileVersion, summary: "Overwritten"))
            #expect(stale.status == .conflict)
            #expect(!(try await Browser(app).get("/facilitators/sample-care-journeys").text.contains("Overwritten")))
            // Patients and providers do not reach it.
            let (patient, _) = try await patientWithCase(app)
            #expect(try await patient.get("/facilitator/profile").status == .forbidden)
        }
    }
}
