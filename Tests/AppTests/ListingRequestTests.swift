import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Listing claims, applications and suspension")
struct ListingRequestTests {
    static let unclaimed = "dr-selin-aydin"

    static func person(_ email: String) -> [(String, String)] {
        [("applicant_name", "Selin Sample"), ("applicant_email", email), ("applicant_role", "The practitioner"), ("licence_number", "TDB-12345"),
         ("register_url", "https://register.example.org/TDB-12345"), ("message", "Please let me manage my listing."), ("confirm", "yes")]
    }

    @Test("A listed practitioner without a team claims the listing; the administrator refuses without a reason (asked for one), then approves; the claimant joins as owner; a managed listing cannot be claimed")
    func claim() async throws {
        try await withTestApp { app in
            #expect(try await Browser(app).get("/providers/\(DemoAccounts.featuredSurgeonSlug)/claim").text.contains("already managed"))
            let visitor = Browser(app)
            let bad = try await visitor.submit("/providers/\(Self.unclaimed)/claim", Self.person("selin@example.org").filter { $0.0 != "confirm" && $0.0 != "register_url" })
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("href=\"#register_url\"") && bad.text.contains("href=\"#confirm\""))
            let sent = try await visitor.submit("/providers/\(Self.unclaimed)/claim", Self.person("selin@example.org"))
            #expect(sent.status == .ok && sent.text.contains("We will check your claim"))
            let request = try #require(try await ListingService.requests(status: .pending, on: app.db).first)
            #expect(request.kind == "claim")

            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            #expect(try await admin.get("/admin/applications").text.contains("Selin Sample"))
            let noReason = try await admin.submit("/admin/applications/\(request.id)", [("decision", "refuse")])
            #expect(noReason.status == .unprocessableEntity)
            #expect(try await admin.submit("/admin/applications/\(request.id)", [("decision", "approve")]).status == .seeOther)
            #expect(try await admin.post("/admin/applications/\(request.id)", [("decision", "refuse"), ("reason", "x"),
                                                                              ("csrf", Browser.csrf(in: try await admin.get("/admin/applications").text) ?? "")]).status == .conflict)
            let link = try await mailedLink(app, to: "selin@example.org", prefix: "/invitations?token=")
            let token = try #require(link.split(separator: "=").last.map(String.init))
            let claimant = Browser(app)
            #expect(try await claimant.submit(link, to: "/invitations", [("token", token), ("name", "Selin Sample"), ("password", "tulip-anchor-meadow-64")]).status == .seeOther)
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "selin@example.org").first())
            let membership = try #require(try await Membership.query(on: app.db).filter(\.$user.$id == user.id!).first())
            #expect(membership.role == "owner")
            #expect(membership.$practitioner.id == (try await Practitioner.query(on: app.db).filter(\.$slug == Self.unclaimed).first()?.id))
            #expect(try await Browser(app).get("/providers/\(Self.unclaimed)/claim").text.contains("already managed"))
        }
    }

    @Test("A new practice applies; approval creates its listing suspended until an administrator restores it; while suspended it is out of search and takes no requests")
    func application() async throws {
        try await withTestApp { app in
            let fields = Self.person("clinic@example.org") + [("practice_kind", "practitioner"), ("practice_name", "Sample Lip Studio"),
                                                               ("specialty", "Plastic surgery"), ("city", "Porto"), ("country", "PT")]
            let visitor = Browser(app)
            let badCountry = try await visitor.submit("/list-your-practice", fields.map { $0.0 == "country" ? ("country", "ZZ") : $0 })
            #expect(badCountry.status == .unprocessableEntity)
            #expect(try await visitor.submit("/list-your-practice", fields).status == .ok)
            let request = try #require(try await ListingService.requests(status: .pending, on: app.db).first)
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            #expect(try await admin.submit("/admin/applications/\(request.id)", [("decision", "approve")]).status == .seeOther)
            let p = try #require(try await Practitioner.query(on: app.db).filter(\.$displayName == "Selin Sample").first())
            #expect(p.suspendedAt != nil && p.isSample == false)
            let page = try await Browser(app).get("/providers/\(p.slug)")
            #expect(page.status == .ok && page.text.contains("This listing is suspended"))
            #expect(!page.text.contains("/consult/\(p.slug)\""))
            #expect(!(try await Browser(app).get("/providers?q=porto").text.contains("/providers/\(p.slug)")))
            #expect(try await Browser(app).get("/consult/\(p.slug)").status == .conflict)
            // The applicant gets the owner's invitation.
            _ = try await mailedLink(app, to: "clinic@example.org", prefix: "/invitations?token=")

            #expect(try await admin.submit("/admin/applications", to: "/admin/listings", [("action", "restore"), ("kind", "practitioner"), ("slug", p.slug)]).status == .seeOther)
            #expect(try await Browser(app).get("/providers?q=porto").text.contains("/providers/\(p.slug)"))
            #expect(try await Browser(app).get("/consult/\(p.slug)").status == .ok)
        }
    }

    @Test("An administrator suspends a listing with a reason: gone from search and the API's list, its page and the consultation API say it takes no requests; restored, it is back")
    func suspend() async throws {
        try await withTestApp { app in
            let slug = "dr-marta-soler-vidal"
            #expect(try await Browser(app).get("/providers?q=soler").text.contains("/providers/\(slug)"))
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            let noReason = try await admin.submit("/admin/applications", to: "/admin/listings", [("action", "suspend"), ("kind", "practitioner"), ("slug", slug)])
            #expect(noReason.status == .unprocessableEntity)
            let unknown = try await admin.submit("/admin/applications", to: "/admin/listings", [("action", "suspend"), ("kind", "practitioner"), ("slug", "nobody-here"),
                                                                                               ("reason", "x")])
            #expect(unknown.status == .unprocessableEntity)
            #expect(try await admin.submit("/admin/applications", to: "/admin/listings", [("action", "suspend"), ("kind", "practitioner"), ("slug", slug),
                                                                                           ("reason", "Licence under review by the register.")]).status == .seeOther)
            #expect(!(try await Browser(app).get("/providers?q=soler").text.contains("/providers/\(slug)")))
            #expect(!(try await Browser(app).get("/providers?country=ES").text.contains("/providers/\(slug)")))
            let page = try await Browser(app).get("/providers/\(slug)").text
            #expect(page.contains("This listing is suspended") && page.contains("Licence under review by the register."))
            #expect(try await Browser(app).get("/consult/\(slug)").status == .conflict)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "listing.suspend").count() == 1)
            #expect(try await admin.submit("/admin/applications", to: "/admin/listings", [("action", "restore"), ("kind", "practitioner"), ("slug", slug)]).status == .seeOther)
            #expect(try await Browser(app).get("/providers?q=soler").text.contains("/providers/\(slug)"))
        }
    }
}
