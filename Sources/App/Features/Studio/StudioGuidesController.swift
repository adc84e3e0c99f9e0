import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// `/studio/guides`: procedure guides in the editorial workspace, with the same workflow, revisions and review
/// rules as articles (`EditorialService`). A published guide enters the studio when an editor starts editing it.
enum StudioGuidesController {
    static func countries(_ t: Localizer) -> [(String, String)] { PracticeController.countryOptions(t) }

    static func read(_ input: FormInput, _ req: Request) async throws -> Result<GuideFields, FormError> {
        let categories = try await Category.query(on: req.db).all().map(\.slug)
        let result = GuideFields.read(input, categories: Set(categories), countries: Set(countries(req.application.localizer).map(\.0)))
        var images: Set<String> = []
        for f in GuideFields.sectionFields { images.formUnion(HTMLSanitizer.mediaReferences(markdown: input.text(f) ?? "")) }
        if let card = input.text("social_image"), UUID(uuidString: card) != nil { images.insert(card) }
        let known = try await MediaService.existing(images, on: req.db)
        guard images.isSubset(of: known) else {
            let card = input.text("social_image")
            let field = card.map { !known.contains($0) } ?? false ? "social_image" : "what_it_is"
            return .failure(FormError(result.problems + [FieldProblem(field, .unknownValue)]))
        }
        return result
    }

    static func preview(_ input: FormInput, _ t: Localizer) -> [(String, TrustedHTML)] {
        let titles = ["what_it_is": "procedure.whatItIs", "suits": "procedure.suits", "not_suits": "procedure.notSuits", "preparation": "procedure.preparation",
                      "how_performed": "procedure.howPerformed", "recovery": "procedure.recovery", "risks": "procedure.risks", "alternatives": "procedure.alternatives"]
        return GuideFields.sectionFields.map { (t(titles[$0] ?? $0), HTMLSanitizer.render(markdown: input.text($0) ?? "")) }
    }

    static func page(_ req: Request, _ user: SignedInUser, _ item: EditorialItem?, state: FormState, preview: [(String, TrustedHTML)]? = nil,
                     status: HTTPStatus = .ok) async throws -> Response {
        let categories = try await Category.query(on: req.db).sort(\.$position).all().map { ($0.slug, $0.name) }
        let media = try await MediaService.assets(providerKey: nil, limit: 100, on: req.db).map { ($0.id, $0.alt) }
        var view: StudioPages.ItemView?
        if let item { view = try await StudioController.view(req, user, item) }
        return .html(StudioPages.guideEditor(view, state: state, categories: categories, countries: countries(req.application.localizer), media: media,
                                             preview: preview, csrf: req.csrfToken, req.pageContext), status: status)
    }

    static func loadItem(_ req: Request) async throws -> EditorialItem {
        guard let item = try await EditorialService.item(try req.itemID(), on: req.db), item.kind == EditorialKind.guide.rawValue else { throw Abort(.notFound) }
        return item
    }

    @Sendable static func list(req: Request) async throws -> Response {
        _ = try req.requireUser(roles: [.editor])
        let items = try await StudioController.listItems(where: { $0.where(SQLColumn("kind", table: "editorial_items"), .equal, SQLBind(EditorialKind.guide.rawValue)) }, req.db)
        struct Row: Decodable { let slug: String; let name: String }
        let unmanaged = try await (req.db as! any SQLDatabase).raw("""
            SELECT slug, name FROM procedures p WHERE NOT EXISTS (SELECT 1 FROM editorial_items e WHERE e.kind = \(bind: EditorialKind.guide.rawValue) AND e.target_id = p.id)
            ORDER BY name
            """).all(decoding: Row.self).map { ($0.slug, $0.name) }
        return .html(StudioPages.guides(items: items, unmanaged: unmanaged, csrf: req.csrfToken, req.pageContext))
    }

    @Sendable static func newForm(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.editor])
        return try await page(req, user, nil, state: FormState())
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.editor])
        let result = try await read(form.input, req)
        if form.input.text("intent") == "preview" {
            return try await page(req, user, nil, state: FormState(form.input, problems: result.problems), preview: preview(form.input, req.application.localizer))
        }
        switch result {
        case .failure(let e): return try await page(req, user, nil, state: FormState(form.input, problems: e.problems), status: .unprocessableEntity)
        case .success(let f):
            let id = try await EditorialService.create(.guide, f, by: user, app: req.application, source: req.auditSource, on: req.db)
            return CaseController.redirect(SiteURL.studioGuide(.value("\(id)")).path)
        }
    }

    /// Brings a published guide into the studio: revision 1 holds what readers see, approved and live, with its
    /// recorded review; the next edit follows the usual rules.
    @Sendable static func importGuide(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.editor])
        guard let slug = form.input.text("procedure"), Slug.isValid(slug),
              let p = try await Procedure.query(on: req.db).filter(\.$slug == slug).with(\.$category).first(), let pid = p.id else { throw Abort(.notFound) }
        if let existing = try await (req.db as! any SQLDatabase).select().column("id").from("editorial_items")
            .where("kind", .equal, SQLBind(EditorialKind.guide.rawValue)).where("target_id", .equal, SQLBind(pid)).first()?.decode(column: "id", as: Int.self) {
            return CaseController.redirect(SiteURL.studioGuide(.value("\(existing)")).path)
        }
        let prices = try await ProcedurePrice.query(on: req.db).filter(\.$procedure.$id == pid).all().compactMap { pr -> GuideFields.PriceRow? in
            guard let c = CurrencyCode(pr.currency) else { return nil }
            return GuideFields.PriceRow(country: pr.countryCode, min: MinorUnits.toDecimal(pr.priceMinMinor, c), max: MinorUnits.toDecimal(pr.priceMaxMinor, c),
                                        currency: c.code)
        }.sorted { $0.country < $1.country }
        var input = FormInput()
        for (k, v) in GuideHTML.markdown(of: p) { input[k] = v }
        input["name"] = p.name; input["slug"] = p.slug; input["category"] = p.category.slug; input["procedure_type"] = p.procedureType
        input["body_location"] = p.bodyLocation; input["summary"] = p.summary; input["results_onset"] = p.resultsOnset
        input["results_duration"] = p.resultsDuration; input["followup"] = p.followup; input["duration_minutes"] = "\(p.durationMinutes)"
        input["stay_days"] = "\(p.stayDays)"
        input.set("price_country", prices.map(\.country)); input.set("price_min", prices.map { "\($0.min)" })
        input.set("price_max", prices.map { "\($0.max)" }); input.set("price_currency", prices.map(\.currency))
        guard case .success(let fields) = GuideFields.read(input, categories: [p.category.slug], countries: Set(prices.map(\.country))) else {
            throw Abort(.conflict, reason: req.application.localizer("studio.guides.cannotImport"))
        }
        let now = req.application.clock.now()
        let id: Int
        do {
            id = try await EditorialService.create(.guide, fields, target: pid, by: user, app: req.application, source: req.auditSource, on: req.db)
        } catch {
            // Two editors starting at once: the unique (kind, target) index lets one create it; the other opens it.
            guard let existing = try await (req.db as! any SQLDatabase).select().column("id").from("editorial_items")
                .where("kind", .equal, SQLBind(EditorialKind.guide.rawValue)).where("target_id", .equal, SQLBind(pid)).first()?
                .decode(column: "id", as: Int.self) else { throw error }
            return CaseController.redirect(SiteURL.studioGuide(.value("\(existing)")).path)
        }
        // What readers see is approved and live already.
        try await (req.db as! any SQLDatabase).update("editorial_items").set("status", to: SQLBind(EditorialStatus.published.rawValue))
            .set("approved_revision", to: SQLBind(1)).set("live_revision", to: SQLBind(1)).set("reviewed_by", to: SQLBind(p.$reviewer.id))
            .set("reviewed_at", to: SQLBind(p.reviewedAt)).set("review_due_at", to: SQLBind(p.reviewedAt.map { ReviewSchedule.due(after: $0) }))
            .set("updated_at", to: SQLBind(now)).where("id", .equal, SQLBind(id)).where("current_revision", .equal, SQLBind(1)).run()
        return CaseController.redirect(SiteURL.studioGuide(.value("\(id)")).path)
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.editor])
        let item = try await loadItem(req)
        guard let fields = try await EditorialService.fields(GuideFields.self, item: item.id, revision: item.current_revision, on: req.db) else { throw Abort(.notFound) }
        return try await page(req, user, item, state: FormState(fields.formInput))
    }

    @Sendable static func save(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.editor])
        let item = try await loadItem(req)
        var reader = FormReader(form.input)
        guard let expected = reader.integer("expected_revision", in: 1...1_000_000, required: true) else { throw Abort(.badRequest) }
        let result = try await read(form.input, req)
        if form.input.text("intent") == "preview" {
            return try await page(req, user, item, state: FormState(form.input, problems: result.problems), preview: preview(form.input, req.application.localizer))
        }
        switch result {
        case .failure(let e): return try await page(req, user, item, state: FormState(form.input, problems: e.problems), status: .unprocessableEntity)
        case .success(let f):
            switch try await EditorialService.save(item: item.id, .guide, f, expectedRevision: expected, by: user, app: req.application,
                                                   source: req.auditSource, on: req.db) {
            case .success: return CaseController.redirect(SiteURL.studioGuide(.value("\(item.id)")).path)
            case .failure(let r): throw StudioController.refused(req, r)
            }
        }
    }

    @Sendable static func act(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.editor])
        let item = try await loadItem(req)
        let step = try StudioController.readStep(form.input)
        func again(_ problems: [FieldProblem]) async throws -> Response {
            guard let fields = try await EditorialService.fields(GuideFields.self, item: item.id, revision: item.current_revision, on: req.db) else { throw Abort(.notFound) }
            var input = fields.formInput
            for (k, v) in form.input.values { input.set(k, v) }
            return try await page(req, user, item, state: FormState(input, problems: problems), status: .unprocessableEntity)
        }
        guard step.problems.isEmpty else { return try await again(step.problems) }
        switch try await EditorialService.act(item: item.id, step.action, expectedRevision: step.expected, by: user, comment: step.comment,
                                              scheduledAt: step.scheduledAt, app: req.application, source: req.auditSource, on: req.db) {
        case .success: return CaseController.redirect(SiteURL.studioGuide(.value("\(item.id)")).path)
        case .failure(.missing(let field)): return try await again([FieldProblem(field, field == "comment" ? .required : .dateInPast)])
        case .failure(let r): throw StudioController.refused(req, r)
        }
    }

    @Sendable static func restore(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.editor])
        let item = try await loadItem(req)
        let (number, expected) = try StudioController.readRestore(form.input)
        guard let fields = try await EditorialService.fields(GuideFields.self, item: item.id, revision: number, on: req.db) else { throw Abort(.badRequest) }
        switch try await EditorialService.save(item: item.id, .guide, fields, expectedRevision: expected, by: user, app: req.application,
                                               source: req.auditSource, on: req.db) {
        case .success: return CaseController.redirect(SiteURL.studioGuide(.value("\(item.id)")).path)
        case .failure(let r): throw StudioController.refused(req, r)
        }
    }
}
