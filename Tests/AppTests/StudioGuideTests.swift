import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import App
import Domain

@Suite("Editorial studio: procedure guides")
struct StudioGuideTests {
    static func fields(_ page: String) -> [(String, String)] {
        // Every named control of the editor's form, as it is filled (text inputs, text areas, selected options).
        var out: [(String, String)] = []
        let inputs = try! NSRegularExpression(pattern: #"<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)""#)
        for m in inputs.matches(in: page, range: NSRange(page.startIndex..., in: page)) {
            let name = String(page[Range(m.range(at: 1), in: page)!]), value = String(page[Range(m.range(at: 2), in: page)!])
            if ["csrf", "action", "revision"].contains(name) { continue }
            out.append((name, value.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")))
        }
        let areas = try! NSRegularExpression(pattern: #"<textarea[^>]*name="([a-z_]+)"[^>]*>([^<]*)</textarea>"#)
        for m in areas.matches(in: page, range: NSRange(page.startIndex..., in: page)) {
            let name = String(page[Range(m.range(at: 1), in: page)!])
            if name == "comment" { continue }
            let value = String(page[Range(m.range(at: 2), in: page)!]).replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&")
            out.append((name, value))
        }
        let selects = try! NSRegularExpression(pattern: #"<select[^>]*name="([a-z_]+)"[^>]*>(.*?)</select>"#, options: [.dotMatchesLineSeparators])
        let selected = try! NSRegularExpression(pattern: #"<option value="([^"]*)" selected"#)
        for m in selects.matches(in: page, range: NSRange(page.startIndex..., in: page)) {
            let name = String(page[Range(m.range(at: 1), in: page)!]), body = String(page[Range(m.range(at: 2), in: page)!])
            if ["from", "to"].contains(name) { continue }
            let chosen = selected.firstMatch(in: body, range: NSRange(body.startIndex..., in: body)).map { String(body[Range($0.range(at: 1), in: body)!]) } ?? ""
            out.append((name, chosen))
        }
        return out
    }

    static func replacing(_ fields: [(String, String)], _ name: String, _ value: String) -> [(String, String)] {
        var done = false
        return fields.map { f in
            if f.0 == name && !done { done = true; return (name, value) }
            return f
        }
    }

    @Test("A published guide is brought into the studio; a price change goes live at once; a change of risks goes to review while readers keep the approved text, and is published after approval with the reviewer and date")
    func editPublishedGuide() async throws {
        try await withTestApp { app in
            let editor = try await staffBrowser(app, StudioTests.editor.email, StudioTests.editor.password)
            let reviewer = try await staffBrowser(app, StudioTests.reviewer.email, StudioTests.reviewer.password)
            #expect(try await editor.get("/studio/guides").text.contains("Microfat lip grafting"))
            let imported = try await editor.submit("/studio/guides", to: "/studio/guides/import", [("procedure", "microfat-lip-grafting")])
            #expect(imported.status == .seeOther)
            let path = try #require(imported.headers.first(name: .location))
            var page = try await editor.get(path).text
            var form = Self.fields(page)
            #expect(form.contains { $0.0 == "name" && $0.1 == "Microfat lip grafting" })

            // A price is not clinical: live at once.
            let firstMax = try #require(form.first { $0.0 == "price_max" }).1
            form = Self.replacing(form, "price_max", "9999")
            #expect(try await editor.submit(path, form.map { $0.0 == "expected_revision" ? ("expected_revision", "1") : $0 }).status == .seeOther)
            #expect(firstMax != "9999")
            #expect(try await Browser(app).get("/procedures/microfat-lip-grafting").text.contains("9,999"))

            // A clinical change goes to review; readers keep the approved text.
            page = try await editor.get(path).text
            form = Self.fields(page)
            let risks = try #require(form.first { $0.0 == "risks" }).1
            form = Self.replacing(form, "risks", risks + "\n- A rare new risk for this test.")
            #expect(try await editor.submit(path, form.map { $0.0 == "expected_revision" ? ("expected_revision", "2") : $0 }).status == .seeOther)
            #expect(try await EditorialService.item(Int(path.split(separator: "/").last!)!, on: app.db)?.statusValue == .inReview)
            #expect(!(try await Browser(app).get("/procedures/microfat-lip-grafting").text.contains("A rare new risk for this test.")))
            #expect(try await reviewer.submit(path, to: path + "/actions", [("action", "approve"), ("expected_revision", "3")]).status == .seeOther)
            #expect(try await editor.submit(path, to: path + "/actions", [("action", "publish"), ("expected_revision", "3")]).status == .seeOther)
            let live = try await Browser(app).get("/procedures/microfat-lip-grafting").text
            #expect(live.contains("A rare new risk for this test."))
            #expect(live.contains("Helen Marsh") && live.contains("25 November 2026"))
            let stored = try #require(try await Procedure.query(on: app.db).filter(\.$slug == "microfat-lip-grafting").first()?.sectionsHTML)
            #expect(stored.contains("A rare new risk for this test."))
        }
    }

    @Test("A guide's new name reaches the result cards that list it at once, and its cards still find its prices by slug")
    func renameReachesCards() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            let slug = "microfat-lip-grafting"
            let procedure = try #require(try await Procedure.query(on: app.db).filter(\.$slug == slug).first())
            let offer = try #require(try await Offer.query(on: app.db).filter(\.$procedure.$id == procedure.id!).filter(\.$practitioner.$id != nil)
                .filter(\.$priceMinEURMinor != nil).first())
            let practitioner = try #require(offer.$practitioner.id)
            func card() async throws -> ProviderCard? {
                try await ProviderSearch.cards([practitioner], verified: { _ in false }, procedure: slug, currency: .eur, on: sql, rates: .reference).first
            }
            let before = try #require(try await card())
            #expect(before.procedures.contains("Microfat lip grafting") && before.priceFromMinor != nil)

            // MUT: the editor renames the published guide (a name is not clinical: live at once)
            let editor = try await staffBrowser(app, StudioTests.editor.email, StudioTests.editor.password)
            let imported = try await editor.submit("/studio/guides", to: "/studio/guides/import", [("procedure", slug)])
            let path = try #require(imported.headers.first(name: .location))
            let form = Self.replacing(Self.fields(try await editor.get(path).text), "name", "Microfat lip grafting, renamed")
            #expect(try await editor.submit(path, form.map { $0.0 == "expected_revision" ? ("expected_revision", "1") : $0 }).status == .seeOther)

            let after = try #require(try await card())
            #expect(after.procedures.contains("Microfat lip grafting, renamed"))
            #expect(!after.procedures.contains("Microfat lip grafting"))
            #expect(after.priceFromMinor == before.priceFromMinor)
        }
    }

    @Test("A new guide with structured fields and prices: bad cells named at their row; after review it is published and listed")
    func newGuide() async throws {
        try await withTestApp { app in
            let editor = try await staffBrowser(app, StudioTests.editor.email, StudioTests.editor.password)
            let reviewer = try await staffBrowser(app, StudioTests.reviewer.email, StudioTests.reviewer.password)
            let category = try #require(try await Category.query(on: app.db).first()?.slug)
            var fields: [(String, String)] = [("name", "Sample lip lift"), ("category", category), ("procedure_type", "surgical"), ("body_location", "Upper lip"),
                ("summary", "A short scar under the nose lifts the upper lip (sample guide)."), ("results_onset", "After swelling settles, in weeks"),
                ("results_duration", "Long lasting"), ("followup", "Stitches out after five days."), ("duration_minutes", "60"), ("stay_days", "6"),
                ("price_country", "TR"), ("price_min", "2000"), ("price_max", "1000"), ("price_currency", "EUR"), ("intent", "save")]
            for f in GuideFields.sectionFields { fields.append((f, "Sample text for \(f).")) }
            let bad = try await editor.submit("/studio/guides/new", fields)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("href=\"#prices-0-max\""))
            fields = Self.replacing(fields, "price_max", "3500")
            let created = try await editor.submit("/studio/guides/new", fields)
            #expect(created.status == .seeOther)
            let path = try #require(created.headers.first(name: .location))
            #expect(try await editor.submit(path, to: path + "/actions", [("action", "submit-for-review"), ("expected_revision", "1")]).status == .seeOther)
            #expect(try await reviewer.submit(path, to: path + "/actions", [("action", "approve"), ("expected_revision", "1")]).status == .seeOther)
            #expect(try await editor.submit(path, to: path + "/actions", [("action", "publish"), ("expected_revision", "1")]).status == .seeOther)
            let page = try await Browser(app).get("/procedures/sample-lip-lift")
            #expect(page.status == .ok && page.text.contains("Sample text for risks.") && page.text.contains("2,000"))
            #expect(try await Browser(app).get("/procedures").text.contains("/procedures/sample-lip-lift"))
            // Only editors.
            #expect(try await staffBrowser(app).get("/studio/guides").status == .forbidden)
        }
    }

    @Test("Twenty editors starting to edit the same published guide at once: one studio page is made, all are sent to it")
    func importRace() async throws {
        try await withTestApp { app in
            let editor = try await staffBrowser(app, StudioTests.editor.email, StudioTests.editor.password)
            let statuses = try await raceForm(app, editor, page: "/studio/guides", action: "/studio/guides/import") { _ in [("procedure", "nanofat-grafting")] }
            OnceTests.noServerErrors(statuses)
            #expect(statuses.allSatisfy { $0 == .seeOther })
            #expect(try await (app.db as! any SQLDatabase).select().column("id").from("editorial_items").where("kind", .equal, SQLBind("guide")).all().count == 1)
        }
    }
}
