import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// `/studio`: editors and medical reviewers at work. The group admits editors only (403 for other roles); every
/// change is a conditional write, audited (`EditorialService`).
enum StudioController {
    static func choices(_ db: any Database) async throws -> StudioPages.Choices {
        let categories = try await Category.query(on: db).sort(\.$position).all().map { ($0.slug, $0.name) }
        let authors = try await Author.query(on: db).sort(\.$name).all().map { ($0.slug, $0.name) }
        let media = try await MediaService.assets(providerKey: nil, limit: 100, on: db).map { ($0.id, $0.alt) }
        return StudioPages.Choices(categories: categories, authors: authors, procedures: try await DirectoryQueries.procedureChoices(on: db), media: media)
    }

    /// The article fields from a form, with the choices checked against what exists.
    static func read(_ input: FormInput, _ db: any Database) async throws -> Result<ArticleFields, FormError> {
        let c = try await choices(db)
        var providers: Set<String> = []
        if let typed = input.text("featured_provider"), Slug.isValid(typed),
           try await Practitioner.query(on: db).filter(\.$slug == typed).count() > 0 { providers.insert(typed) }
        let result = ArticleFields.read(input, categories: Set(c.categories.map(\.0)), authors: Set(c.authors.map(\.0)), providers: providers,
                                        procedureSlugs: Set(c.procedures.map(\.0)))
        // Images must come from the media library (anything else is dropped when the page is rendered).
        var images = HTMLSanitizer.mediaReferences(markdown: input.text("body") ?? "")
        if let card = input.text("social_image"), UUID(uuidString: card) != nil { images.insert(card) }
        let known = try await MediaService.existing(images, on: db)
        guard images.isSubset(of: known) else {
            let card = input.text("social_image")
            let field = card.map { !known.contains($0) } ?? false ? "social_image" : "body"
            return .failure(FormError(result.problems + [FieldProblem(field, .unknownValue)]))
        }
        return result
    }

    static func listItems(where filter: (SQLSelectBuilder) -> SQLSelectBuilder, _ db: any Database) async throws -> [StudioPages.ListItem] {
        struct Row: Decodable { let id: Int; let kind: String; let status: String; let updated_at: Date; let review_due_at: Date?; let live_revision: Int?; let fields: String }
        let query = (db as! any SQLDatabase).select()
            .column(SQLColumn("id", table: "editorial_items")).column(SQLColumn("kind", table: "editorial_items")).column(SQLColumn("status", table: "editorial_items"))
            .column(SQLColumn("updated_at", table: "editorial_items")).column(SQLColumn("review_due_at", table: "editorial_items"))
            .column(SQLColumn("live_revision", table: "editorial_items")).column(SQLColumn("fields", table: "content_revisions"))
            .from("editorial_items")
            .join("content_revisions", on: SQLRaw("content_revisions.item_id = editorial_items.id AND content_revisions.number = editorial_items.current_revision"))
        let rows = try await filter(query).orderBy(SQLColumn("updated_at", table: "editorial_items") as any SQLExpression, SQLDirection.descending).limit(200).all(decoding: Row.self)
        return rows.compactMap { r in
            let kind = EditorialKind(rawValue: r.kind) ?? .article
            let data = Data(r.fields.utf8)
            let titled: (String, String)?
            if kind == .guide { titled = (try? JSONDecoder().decode(GuideFields.self, from: data)).map { ($0.name, $0.slug) } }
            else { titled = (try? JSONDecoder().decode(ArticleFields.self, from: data)).map { ($0.title, $0.slug) } }
            guard let (title, slug) = titled else { return nil }
            return StudioPages.ListItem(id: r.id, title: title, slug: slug, status: EditorialStatus(rawValue: r.status) ?? .draft, updatedAt: r.updated_at,
                                        reviewDue: r.review_due_at, live: r.live_revision != nil, kind: kind)
        }
    }

    @Sendable static func dashboard(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.editor])
        let now = req.application.clock.now()
        let mine = try await listItems(where: { $0.where(SQLColumn("saved_by", table: "content_revisions"), .equal, SQLBind(user.id)) }, req.db)
        let inReview = try await listItems(where: { $0.where(SQLColumn("status", table: "editorial_items"), .equal, SQLBind(EditorialStatus.inReview.rawValue)) }, req.db)
        let due = try await listItems(where: { $0.where(SQLColumn("review_due_at", table: "editorial_items"), .lessThanOrEqual, SQLBind(now.addingTimeInterval(30 * 86_400))) }, req.db)
        let isReviewer = try await EditorialService.author(of: user.id, on: req.db)?.isReviewer ?? false
        return .html(StudioPages.dashboard(mine: mine, inReview: inReview, reviewDue: due, isReviewer: isReviewer, req.pageContext))
    }

    @Sendable static func articles(req: Request) async throws -> Response {
        _ = try req.requireUser(roles: [.editor])
        let items = try await listItems(where: { $0.where(SQLColumn("kind", table: "editorial_items"), .equal, SQLBind(EditorialKind.article.rawValue)) }, req.db)
        return .html(StudioPages.list(req.application.localizer("studio.articles"), items, req.pageContext))
    }

    @Sendable static func review(req: Request) async throws -> Response {
        _ = try req.requireUser(roles: [.editor])
        let items = try await listItems(where: { $0.where(SQLColumn("status", table: "editorial_items"), .equal, SQLBind(EditorialStatus.inReview.rawValue)) }, req.db)
        return .html(StudioPages.list(req.application.localizer("studio.review"), items, req.pageContext))
    }

    @Sendable static func newForm(req: Request) async throws -> Response {
        _ = try req.requireUser(roles: [.editor])
        var input = FormInput()
        input["clinical"] = "yes"
        return .html(StudioPages.editor(nil, state: FormState(input), choices: try await choices(req.db), preview: nil, csrf: req.csrfToken, req.pageContext))
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.editor])
        let result = try await read(form.input, req.db)
        let choices = try await choices(req.db)
        if form.input.text("intent") == "preview" {
            return .html(StudioPages.editor(nil, state: FormState(form.input, problems: result.problems), choices: choices,
                                            preview: HTMLSanitizer.render(markdown: form.input.text("body") ?? ""), csrf: req.csrfToken, req.pageContext))
        }
        switch result {
        case .failure(let e):
            return .html(StudioPages.editor(nil, state: FormState(form.input, problems: e.problems), choices: choices, preview: nil, csrf: req.csrfToken,
                                            req.pageContext), status: .unprocessableEntity)
        case .success(let fields):
            let id = try await EditorialService.createArticle(fields, by: user, app: req.application, source: req.auditSource, on: req.db)
            return CaseController.redirect(SiteURL.studioArticle(.value("\(id)")).path)
        }
    }

    static func view(_ req: Request, _ user: SignedInUser, _ item: EditorialItem) async throws -> StudioPages.ItemView {
        let sql = req.db as! any SQLDatabase
        struct C: Decodable { let action: String; let text: String; let at: Date; let revision: Int; let display_name: String? }
        let comments = try await sql.select().column(SQLColumn("action", table: "editorial_comments")).column(SQLColumn("text", table: "editorial_comments"))
            .column(SQLColumn("at", table: "editorial_comments")).column(SQLColumn("revision", table: "editorial_comments"))
            .column(SQLColumn("display_name", table: "users")).from("editorial_comments")
            .join("users", method: SQLJoinMethod.left, on: SQLColumn("by_user", table: "editorial_comments"), .equal, SQLColumn("id", table: "users"))
            .where(SQLColumn("item_id", table: "editorial_comments"), .equal, SQLBind(item.id)).orderBy(SQLColumn("id", table: "editorial_comments"))
            .all(decoding: C.self)
        struct R: Decodable { let number: Int; let saved_at: Date; let substantive: Bool; let display_name: String? }
        let revisions = try await sql.select().column(SQLColumn("number", table: "content_revisions")).column(SQLColumn("saved_at", table: "content_revisions"))
            .column(SQLColumn("substantive", table: "content_revisions")).column(SQLColumn("display_name", table: "users")).from("content_revisions")
            .join("users", method: SQLJoinMethod.left, on: SQLColumn("saved_by", table: "content_revisions"), .equal, SQLColumn("id", table: "users"))
            .where(SQLColumn("item_id", table: "content_revisions"), .equal, SQLBind(item.id)).orderBy(SQLColumn("number", table: "content_revisions"))
            .all(decoding: R.self)
        var diff: (from: Int, to: Int, fields: [(String, [TextDiff.Line])])?
        let query = try req.queryParameters()
        let kind = EditorialKind(rawValue: item.kind) ?? .article
        func comparable(_ n: Int) async throws -> [String: String]? {
            kind == .guide ? try await EditorialService.fields(GuideFields.self, item: item.id, revision: n, on: req.db)?.comparable
                           : try await EditorialService.fields(ArticleFields.self, item: item.id, revision: n, on: req.db)?.comparable
        }
        if let from = try query.integer("from", in: 1...item.current_revision), let to = try query.integer("to", in: 1...item.current_revision),
           let old = try await comparable(from), let new = try await comparable(to) {
            diff = (from, to, old.keys.sorted().filter { old[$0] != new[$0] }.map { ($0, TextDiff.lines(old: old[$0] ?? "", new: new[$0] ?? "")) })
        }
        var liveSlug: String?
        if let target = item.target_id, item.live_revision != nil {
            liveSlug = kind == .guide ? try await Procedure.find(target, on: req.db)?.slug : try await Article.find(target, on: req.db)?.slug
        }
        return StudioPages.ItemView(id: item.id, status: item.statusValue, revision: item.current_revision, liveSlug: liveSlug, reviewedAt: item.reviewed_at,
                                    reviewDue: item.review_due_at, scheduledAt: item.scheduled_at,
                                    comments: comments.map { ($0.action, $0.text, $0.display_name ?? "", $0.at, $0.revision) },
                                    revisions: revisions.map { ($0.number, $0.saved_at, $0.display_name ?? "", $0.substantive) }, diff: diff,
                                    isReviewer: try await EditorialService.author(of: user.id, on: req.db)?.isReviewer ?? false, kind: kind)
    }

    static func render(_ req: Request, _ user: SignedInUser, _ item: EditorialItem, state: FormState?, preview: TrustedHTML? = nil,
                       status: HTTPStatus = .ok) async throws -> Response {
        var shown = state
        if shown == nil {
            guard let fields = try await EditorialService.articleFields(item: item.id, revision: item.current_revision, on: req.db) else { throw Abort(.notFound) }
            shown = FormState(fields.formInput)
        }
        return .html(StudioPages.editor(try await view(req, user, item), state: shown ?? FormState(), choices: try await choices(req.db), preview: preview,
                                        csrf: req.csrfToken, req.pageContext), status: status)
    }

    static func loadItem(_ req: Request) async throws -> EditorialItem {
        guard let item = try await EditorialService.item(try req.itemID(), on: req.db), item.kind == EditorialKind.article.rawValue else { throw Abort(.notFound) }
        return item
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.editor])
        return try await render(req, user, try await loadItem(req), state: nil)
    }

    static func refused(_ req: Request, _ r: EditorialRefusal) -> Abort {
        Abort(r == .notReviewer || r == .ownRevision ? .forbidden : .conflict, reason: req.application.localizer(r.key))
    }

    @Sendable static func save(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.editor])
        let item = try await loadItem(req)
        var reader = FormReader(form.input)
        guard let expected = reader.integer("expected_revision", in: 1...1_000_000, required: true) else { throw Abort(.badRequest) }
        let result = try await read(form.input, req.db)
        if form.input.text("intent") == "preview" {
            return try await render(req, user, item, state: FormState(form.input, problems: result.problems),
                                    preview: HTMLSanitizer.render(markdown: form.input.text("body") ?? ""))
        }
        switch result {
        case .failure(let e):
            return try await render(req, user, item, state: FormState(form.input, problems: e.problems), status: .unprocessableEntity)
        case .success(let fields):
            switch try await EditorialService.saveArticle(item: item.id, fields, expectedRevision: expected, by: user, app: req.application,
                                                          source: req.auditSource, on: req.db) {
            case .success: return CaseController.redirect(SiteURL.studioArticle(.value("\(item.id)")).path)
            case .failure(let r): throw refused(req, r)
            }
        }
    }

    /// A workflow step's form (articles and guides): the action, the revision it was taken on, the comment, and the
    /// time to publish at (`datetime-local` sends "YYYY-MM-DDTHH:MM"; times are UTC, as the form says).
    static func readStep(_ input: FormInput) throws -> (action: EditorialAction, expected: Int, comment: String?, scheduledAt: Date?, problems: [FieldProblem]) {
        var reader = FormReader(input)
        guard let action = EditorialAction(rawValue: input.text("action") ?? ""),
              let expected = reader.integer("expected_revision", in: 1...1_000_000, required: true) else { throw Abort(.badRequest) }
        let comment = reader.text("comment", max: 4_000)
        var scheduledAt: Date?
        if let raw = input.text("scheduled_at") {
            scheduledAt = ISO8601DateFormatter().date(from: raw.count == 16 ? raw + ":00Z" : raw)
            if scheduledAt == nil { reader.fail("scheduled_at", .invalidDate) }
        }
        return (action, expected, comment, scheduledAt, reader.problems)
    }

    /// The revision to restore and the one the page showed.
    static func readRestore(_ input: FormInput) throws -> (revision: Int, expected: Int) {
        var reader = FormReader(input)
        guard let number = reader.integer("revision", in: 1...1_000_000, required: true),
              let expected = reader.integer("expected_revision", in: 1...1_000_000, required: true) else { throw Abort(.badRequest) }
        return (number, expected)
    }

    @Sendable static func act(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.editor])
        let item = try await loadItem(req)
        let step = try readStep(form.input)
        guard step.problems.isEmpty else {
            return try await render(req, user, item, state: FormState(form.input, problems: step.problems), status: .unprocessableEntity)
        }
        switch try await EditorialService.act(item: item.id, step.action, expectedRevision: step.expected, by: user, comment: step.comment,
                                              scheduledAt: step.scheduledAt, app: req.application, source: req.auditSource, on: req.db) {
        case .success: return CaseController.redirect(SiteURL.studioArticle(.value("\(item.id)")).path)
        case .failure(.missing(let field)):
            return try await render(req, user, item, state: FormState(form.input, problems: [FieldProblem(field, field == "comment" ? .required : .dateInPast)]),
                                    status: .unprocessableEntity)
        case .failure(let r): throw refused(req, r)
        }
    }

    @Sendable static func restore(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.editor])
        let item = try await loadItem(req)
        let (number, expected) = try readRestore(form.input)
        guard let fields = try await EditorialService.articleFields(item: item.id, revision: number, on: req.db) else { throw Abort(.badRequest) }
        // Restoring is saving that revision's fields again, as a new revision (with the same review rules).
        switch try await EditorialService.saveArticle(item: item.id, fields, expectedRevision: expected, by: user, app: req.application,
                                                      source: req.auditSource, on: req.db) {
        case .success: return CaseController.redirect(SiteURL.studioArticle(.value("\(item.id)")).path)
        case .failure(let r): throw refused(req, r)
        }
    }
}
