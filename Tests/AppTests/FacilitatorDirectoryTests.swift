import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Facilitator directory and profiles")
struct FacilitatorDirectoryTests {
    static let journeys = "sample-care-journeys"
    static let northstar = "sample-northstar-health-travel"

    /// The profile slugs a directory page lists, in order.
    static func listed(_ html: String) -> [String] {
        hrefs(in: html).filter { $0.hasPrefix("/facilitators/") }.map { String($0.dropFirst("/facilitators/".count)) }
            .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }

    @Test("The directory lists the demo's organisations, verified first, and each filter narrows it")
    func directoryAndFilters() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let all = try await browser.get("/facilitators")
            #expect(all.status == .ok)
            #expect(Self.listed(all.text) == [Self.journeys, Self.northstar])
            #expect(all.text.contains("2 facilitators"))
            #expect(all.text.contains("badge-sample"))
            #expect(all.text.contains("Show only the 1 with a verified credential"))
            let cases: [(String, [String])] = [
                ("from=CA", [Self.northstar]), ("from=gb", [Self.journeys]), ("to=ES", [Self.journeys]), ("to=MX", [Self.northstar]),
                ("language=nl", [Self.journeys]), ("language=es", [Self.journeys, Self.northstar]), ("verified=1", [Self.journeys]),
                ("q=northstar", [Self.northstar]), ("q=LONDON", [Self.journeys]), ("from=US&to=CZ", [Self.journeys]),
                ("from=CA&verified=1", []), ("to=JP", []),
            ]
            for (query, expected) in cases {
                let res = try await browser.get("/facilitators?\(query)")
                #expect(res.status == .ok, "\(query)")
                #expect(Self.listed(res.text) == expected, "\(query): \(Self.listed(res.text))")
            }
            // Facet counts of the current selection.
            let spanish = try await browser.get("/facilitators?language=es").text
            #expect(spanish.contains("/facilitators?language=es&amp;from=US"))
            for bad in ["from=GBR", "to=1", "language=e", "page=0", "verified=maybe", "q=" + String(repeating: "a", count: 101)] {
                #expect(try await browser.get("/facilitators?\(bad)").status == .badRequest, "\(bad)")
            }
        }
    }

    @Test("A profile shows where the organisation works, its partner providers and its credentials; a refused credential never shows")
    func profile() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let page = try await browser.get("/facilitators/\(Self.journeys)")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("Sample Care Journeys (sample facilitator)"))
            #expect(html.contains("United Kingdom, Ireland, Netherlands, United States"))
            #expect(html.contains("Spain, Türkiye, Portugal, Czechia"))
            #expect(html.contains("English, Dutch, Spanish"))
            for clinic in ["clinica-mediterrania-estetica", "lale-dental-atelier", "kardelen-marmara-hospital", "clinica-tejo-fertilidade"] {
                #expect(html.contains("href=\"/clinics/\(clinic)\""), "\(clinic)")
            }
            #expect(!html.contains("8%") && !html.contains("7.5"), "the terms of an agreement are private")
            #expect(html.contains("Registered travel organiser"))
            #expect(html.contains("badge-verified"))
            let ld = try jsonLDBlocks(in: html)
            #expect(ld.contains { ($0["@type"] as? String) == "Organization" && ($0["knowsLanguage"] as? [String]) == ["en", "nl", "es"] })

            let other = try await browser.get("/facilitators/\(Self.northstar)").text
            #expect(other.contains("Certified medical-travel professional"))
            #expect(other.contains("No verified credential yet"))
            #expect(other.contains("href=\"/clinics/hospital-los-arcos-guadalajara\""))

            // A refused credential is not shown; an ended agreement drops the partner.
            let f = try #require(try await Facilitator.query(on: app.db).filter(\.$slug == Self.northstar).first())
            try await Credential.query(on: app.db).filter(\.$facilitatorID == f.id).set(\.$status, to: VerificationStatus.refused.rawValue).update()
            try await FacilitatorAgreement.query(on: app.db).filter(\.$facilitatorID == f.id!)
                .set(\.$status, to: AgreementStatus.ended.rawValue).set(\.$openClaim, to: nil).update()
            let after = try await browser.get("/facilitators/\(Self.northstar)").text
            #expect(!after.contains("Certified medical-travel professional"))
            #expect(!after.contains("/clinics/hospital-los-arcos-guadalajara"))
            #expect(after.contains("No agreement with a listed provider yet."))

            #expect(try await browser.get("/facilitators/no-such-organisation").status == .notFound)
            #expect(try await browser.get("/facilitators/Bad_Slug").status == .notFound)
        }
    }

    @Test("An expired credential loses its badge in the directory and on the profile; a suspended organisation leaves the directory")
    func expiryAndSuspension() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            let browser = Browser(app)
            #expect(Self.listed(try await browser.get("/facilitators?verified=1").text) == [Self.journeys])
            // Both credentials of the verified organisation end by 2027-06-30.
            clock.advance(230 * 86_400)
            #expect(try await CredentialService.expireLapsed(app: app) >= 2)
            #expect(Self.listed(try await browser.get("/facilitators?verified=1").text) == [])
            let profile = try await browser.get("/facilitators/\(Self.journeys)").text
            #expect(profile.contains("<p class=\"badges\"><span class=\"badge\">No verified credential yet</span>"))
            #expect(profile.contains("status status-expired"))
            #expect(!profile.contains("status status-verified"))

            let f = try #require(try await Facilitator.query(on: app.db).filter(\.$slug == Self.journeys).first())
            f.suspendedAt = clock.now
            f.suspendedReason = "Registration under review."
            try await f.update(on: app.db)
            #expect(Self.listed(try await browser.get("/facilitators").text) == [Self.northstar])
            let suspended = try await browser.get("/facilitators/\(Self.journeys)").text
            #expect(suspended.contains("Registration under review."))
            #expect(suspended.contains("Not taking new cases"))
            #expect(!(try await browser.get("/sitemap.xml").text.contains("/facilitators/\(Self.journeys)")))
        }
    }

    @Test("The sitemap and the footer reach the directory; the administrators' queue names a facilitator's credential and links its profile")
    func reachable() async throws {
        try await withTestApp { app in
            let sitemap = try await Browser(app).get("/sitemap.xml").text
            #expect(sitemap.contains("https://careabroad.test/facilitators</loc>"))
            #expect(sitemap.contains("https://careabroad.test/facilitators/\(Self.northstar)</loc>"))
            #expect(try await Browser(app).get("/").text.contains("href=\"/facilitators\""))
            let admin = try await staffBrowser(app, Demo.admin.email, Demo.admin.password)
            let queue = try await admin.get("/admin/credentials").text
            #expect(queue.contains("Northstar Health Travel (sample facilitator)"))
            let id = try #require(try await Credential.query(on: app.db).filter(\.$facilitatorID != nil)
                .filter(\.$status == VerificationStatus.pending.rawValue).first()?.id)
            let page = try await admin.get("/admin/credentials/\(id)").text
            #expect(page.contains("href=\"/facilitators/\(Self.northstar)\""))
        }
    }
}
