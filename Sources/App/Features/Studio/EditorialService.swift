import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

enum EditorialKind: String, Sendable { case article, guide }

/// A page at work in the editorial workspace.
struct EditorialItem: Decodable, Sendable {
    let id: Int
    let kind: String
    let target_id: Int?
    let status: String
    let current_revision: Int
    let approved_revision: Int?
    let live_revision: Int?
    let scheduled_at: Date?
    let reviewed_by: Int?
    let reviewed_at: Date?
    let review_due_at: Date?

    var statusValue: EditorialStatus { EditorialStatus(rawValue: status) ?? .draft }
}

/// Why a save or a workflow step was refused (409 or 403 with the reason).
enum EditorialRefusal: Error, Equatable {
    /// Someone saved or acted since the page was opened.
    case stale
    /// Not possible in the page's status.
    case notAllowed
    /// Approving or returning needs a medical reviewer (an author with a recorded clinical credential).
    case notReviewer
    /// A reviewer does not approve a revision they saved themselves.
    case ownRevision
    /// Another article already has this address.
    case slugTaken
    /// Returning needs a comment; scheduling needs a future time.
    case missing(String)

    var key: String {
        switch self {
        case .stale: return "studio.refused.stale"
        case .notAllowed: return "studio.refused.notAllowed"
        case .notReviewer: return "studio.refused.notReviewer"
        case .ownRevision: return "studio.refused.ownRevision"
        case .slugTaken: return "studio.refused.slugTaken"
        case .missing: return "studio.refused.missing"
        }
    }
}

/// Rows read by the service (declared outside its generic functions, where Swift does not allow nested types).
private struct FieldsRow: Decodable { let fields: String }
private struct IDRow: Decodable { let id: Int }

enum EditorialService {
    static func item(_ id: Int, on db: any Database) async throws -> EditorialItem? {
        try await (db as! any SQLDatabase).select().columns("id", "kind", "target_id", "status", "current_revision", "approved_revision",
                                                            "live_revision", "scheduled_at", "reviewed_by", "reviewed_at", "review_due_at")
            .from("editorial_items").where("id", .equal, SQLBind(id)).first(decoding: EditorialItem.self)
    }

    static func encode<F: EditorialContent>(_ f: F) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(f), as: UTF8.self)
    }

    /// One revision's fields.
    static func fields<F: EditorialContent>(_ type: F.Type, item: Int, revision: Int, on db: any Database) async throws -> F? {
        guard let row = try await (db as! any SQLDatabase).select().column("fields").from("content_revisions")
            .where("item_id", .equal, SQLBind(item)).where("number", .equal, SQLBind(revision)).first(decoding: FieldsRow.self) else { return nil }
        return try JSONDecoder().decode(F.self, from: Data(row.fields.utf8))
    }

    /// One revision's article fields.
    static func articleFields(item: Int, revision: Int, on db: any Database) async throws -> ArticleFields? {
        try await fields(ArticleFields.self, item: item, revision: revision, on: db)
    }

    /// Publishes a revision of a page of either kind.
    static func publish(item: EditorialItem, revision: Int, now: Date, on tx: any Database) async throws {
        switch EditorialKind(rawValue: item.kind) {
        case .article?:
            guard let f = try await fields(ArticleFields.self, item: item.id, revision: revision, on: tx) else { throw EditorialRefusal.notAllowed }
            try await publishArticle(item: item.id, fields: f, revision: revision, now: now, on: tx)
        case .guide?:
            guard let f = try await fields(GuideFields.self, item: item.id, revision: revision, on: tx) else { throw EditorialRefusal.notAllowed }
            try await publishGuide(item: item.id, fields: f, revision: revision, now: now, on: tx)
        case nil:
            throw EditorialRefusal.notAllowed
        }
    }

    /// The author an editorial account writes as, and whether it may review clinically.
    static func author(of userID: Int, on db: any Database) async throws -> (id: Int, isReviewer: Bool)? {
        struct Row: Decodable { let id: Int; let is_medical_reviewer: Bool }
        return try await (db as! any SQLDatabase).select().column(SQLColumn("id", table: "authors")).column(SQLColumn("is_medical_reviewer", table: "authors"))
            .from("staff_authors").join("authors", on: SQLColumn("author_id", table: "staff_authors"), .equal, SQLColumn("id", table: "authors"))
            .where(SQLColumn("user_id", table: "staff_authors"), .equal, SQLBind(userID)).first(decoding: Row.self).map { ($0.id, $0.is_medical_reviewer) }
    }

    static func audit(_ user: SignedInUser, _ action: String, _ item: Int, source: String, at now: Date, app: Application, on tx: any Database) async throws {
        try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: action, objectType: "editorial-item",
                                             objectID: String(item), source: source), at: now, app: app, on: tx)
    }

    /// A new article in the workspace: revision 1, a draft.
    static func createArticle(_ f: ArticleFields, by user: SignedInUser, app: Application, source: String, on db: any Database) async throws -> Int {
        try await create(.article, f, by: user, app: app, source: source, on: db)
    }

    /// A new page of `kind` in the workspace: revision 1, a draft; `target` is the live page it will replace, if any.
    static func create<F: EditorialContent>(_ kind: EditorialKind, _ f: F, target: Int? = nil, by user: SignedInUser, app: Application, source: String,
                                            on db: any Database) async throws -> Int {
        let now = app.clock.now()
        return try await app.writes.transaction(on: db) { tx in
            let sql = tx as! any SQLDatabase
            guard let row = try await sql.insert(into: "editorial_items")
                .columns("kind", "target_id", "status", "current_revision", "created_by", "created_at", "updated_at")
                .values(SQLBind(kind.rawValue), SQLBind(target), SQLBind(EditorialStatus.draft.rawValue), SQLBind(1), SQLBind(user.id), SQLBind(now), SQLBind(now))
                .returning("id").first(decoding: IDRow.self) else { throw Abort(.internalServerError) }
            try await insertRevision(item: row.id, number: 1, fields: try encode(f), substantive: true, by: user.id, now: now, on: tx)
            try await audit(user, "studio.create", row.id, source: source, at: now, app: app, on: tx)
            return row.id
        }
    }

    static func insertRevision(item: Int, number: Int, fields: String, substantive: Bool, by userID: Int, now: Date, on tx: any Database) async throws {
        try await (tx as! any SQLDatabase).insert(into: "content_revisions").columns("item_id", "number", "fields", "substantive", "saved_by", "saved_at")
            .values(SQLBind(item), SQLBind(number), SQLBind(fields), SQLBind(substantive), SQLBind(userID), SQLBind(now)).run()
    }

    /// Saves a new revision over `expectedRevision` (one conditional write: a save from an older page is refused).
    /// Compared with the approved revision, a change of clinical content sends the page back to review (a live page
    /// stays live on its approved revision); any other change keeps the status, and on a live page goes live at once.
    static func saveArticle(item id: Int, _ f: ArticleFields, expectedRevision: Int, by user: SignedInUser, app: Application, source: String,
                            on db: any Database) async throws -> Result<Int, EditorialRefusal> {
        try await save(item: id, .article, f, expectedRevision: expectedRevision, by: user, app: app, source: source, on: db)
    }

    static func save<F: EditorialContent>(item id: Int, _ kind: EditorialKind, _ f: F, expectedRevision: Int, by user: SignedInUser, app: Application,
                                          source: String, on db: any Database) async throws -> Result<Int, EditorialRefusal> {
        let now = app.clock.now()
        do {
            let saved = try await app.writes.transaction(on: db) { tx -> (number: Int, live: Bool) in
                guard let item = try await item(id, on: tx), item.kind == kind.rawValue else { throw EditorialRefusal.notAllowed }
                guard item.current_revision == expectedRevision else { throw EditorialRefusal.stale }
                let status = item.statusValue
                let base = try await fields(F.self, item: id, revision: item.approved_revision ?? item.current_revision, on: tx)
                let substantive = base.map { EditClassifier.isSubstantive(old: $0.comparable, new: f.comparable, clinicalFields: F.clinicalFields) } ?? true
                let action: EditorialAction = substantive ? .substantiveEdit : .minorEdit
                guard let next = action.apply(to: status, by: .editor) else { throw EditorialRefusal.notAllowed }
                let number = expectedRevision + 1
                var update = (tx as! any SQLDatabase).update("editorial_items").set("current_revision", to: SQLBind(number))
                    .set("status", to: SQLBind(next.rawValue)).set("updated_at", to: SQLBind(now))
                if next == .inReview { update = update.set("scheduled_at", to: SQLLiteral.null) }
                let changed = try await update.where("id", .equal, SQLBind(id)).where("current_revision", .equal, SQLBind(expectedRevision))
                    .where("status", .equal, SQLBind(status.rawValue)).returning("id").all(decoding: IDRow.self)
                guard changed.count == 1 else { throw EditorialRefusal.stale }
                try await insertRevision(item: id, number: number, fields: try encode(f), substantive: substantive, by: user.id, now: now, on: tx)
                try await audit(user, substantive ? "studio.save.substantive" : "studio.save", id, source: source, at: now, app: app, on: tx)
                if next.isLive {
                    try await publish(item: item, revision: number, now: now, on: tx)
                }
                return (number, next.isLive)
            }
            // This node drops its pages at once; the others follow the content generation.
            if saved.live { app.renderCache.invalidate() }
            return .success(saved.number)
        } catch let refusal as EditorialRefusal {
            return .failure(refusal)
        }
    }

    /// A workflow step on the current revision (`expectedRevision`), decided by one conditional write on status and
    /// revision. Approving records the reviewer, the date and the next review date; publishing writes the page
    /// readers see and moves the content generation (every node, the feed, the sitemap and search follow).
    static func act(item id: Int, _ action: EditorialAction, expectedRevision: Int, by user: SignedInUser, comment: String?, scheduledAt: Date?,
                    app: Application, source: String, on db: any Database) async throws -> Result<EditorialStatus, EditorialRefusal> {
        let now = app.clock.now()
        do {
            let status = try await app.writes.transaction(on: db) { tx -> EditorialStatus in
                guard let item = try await item(id, on: tx) else { throw EditorialRefusal.notAllowed }
                guard item.current_revision == expectedRevision else { throw EditorialRefusal.stale }
                let actor: EditorialActor = action.actors.contains(.medicalReviewer) ? .medicalReviewer : .editor
                var reviewerAuthor: Int?
                if actor == .medicalReviewer {
                    guard let author = try await author(of: user.id, on: tx), author.isReviewer else { throw EditorialRefusal.notReviewer }
                    reviewerAuthor = author.id
                    struct Saver: Decodable { let saved_by: Int? }
                    let saver = try await (tx as! any SQLDatabase).select().column("saved_by").from("content_revisions")
                        .where("item_id", .equal, SQLBind(id)).where("number", .equal, SQLBind(expectedRevision)).first(decoding: Saver.self)
                    if action == .approve, saver?.saved_by == user.id { throw EditorialRefusal.ownRevision }
                }
                if action == .returnWithComments, (comment ?? "").isEmpty { throw EditorialRefusal.missing("comment") }
                if action == .schedule, (scheduledAt.map { $0 <= now } ?? true) { throw EditorialRefusal.missing("scheduled_at") }
                guard let next = action.apply(to: item.statusValue, by: actor) else { throw EditorialRefusal.notAllowed }
                struct Changed: Decodable { let id: Int }
                var update = (tx as! any SQLDatabase).update("editorial_items").set("status", to: SQLBind(next.rawValue)).set("updated_at", to: SQLBind(now))
                switch action {
                case .approve:
                    update = update.set("approved_revision", to: SQLBind(expectedRevision)).set("reviewed_by", to: SQLBind(reviewerAuthor))
                        .set("reviewed_at", to: SQLBind(now)).set("review_due_at", to: SQLBind(ReviewSchedule.due(after: now)))
                case .schedule: update = update.set("scheduled_at", to: SQLBind(scheduledAt))
                case .unschedule, .publish: update = update.set("scheduled_at", to: SQLLiteral.null)
                default: break
                }
                let changed = try await update.where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(item.status))
                    .where("current_revision", .equal, SQLBind(expectedRevision)).returning("id").all(decoding: Changed.self)
                guard changed.count == 1 else { throw EditorialRefusal.stale }
                if let comment, !comment.isEmpty {
                    try await (tx as! any SQLDatabase).insert(into: "editorial_comments").columns("item_id", "revision", "action", "text", "by_user", "at")
                        .values(SQLBind(id), SQLBind(expectedRevision), SQLBind(action.rawValue), SQLBind(comment), SQLBind(user.id), SQLBind(now)).run()
                }
                if action == .publish {
                    try await publish(item: item, revision: expectedRevision, now: now, on: tx)
                }
                try await audit(user, "studio.\(action.rawValue)", id, source: source, at: now, app: app, on: tx)
                return next
            }
            if action == .publish { app.renderCache.invalidate() }
            return .success(status)
        } catch let refusal as EditorialRefusal {
            return .failure(refusal)
        }
    }

    /// Writes the article readers see from a revision: the sanitised HTML made once here (never per request), the
    /// search text and index, the procedure links; then records the live revision and moves the content generation.
    static func publishArticle(item id: Int, fields f: ArticleFields, revision: Int, now: Date, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        guard let item = try await item(id, on: tx) else { throw EditorialRefusal.notAllowed }
        struct IDRow: Decodable { let id: Int }
        func idOf(_ table: String, _ slug: String) async throws -> Int? {
            try await sql.select().column("id").from(table).where("slug", .equal, SQLBind(slug)).first(decoding: IDRow.self)?.id
        }
        guard let category = try await idOf("categories", f.category), let author = try await idOf("authors", f.author) else {
            throw EditorialRefusal.notAllowed
        }
        let featured = f.featuredProvider.isEmpty ? nil : try await idOf("practitioners", f.featuredProvider)
        if let other = try await sql.select().column("id").from("articles").where("slug", .equal, SQLBind(f.slug)).first(decoding: IDRow.self),
           other.id != item.target_id {
            throw EditorialRefusal.slugTaken
        }
        let html = HTMLSanitizer.render(markdown: f.bodyMarkdown).string
        let text = ArticleIndexer.document(title: f.title, summary: f.summary, markdown: f.bodyMarkdown)
        let minutes = ReadingTime.minutes(for: HTMLSanitizer.plainText(markdown: f.bodyMarkdown))
        let articleID: Int
        if let target = item.target_id {
            try await sql.update("articles").set("slug", to: SQLBind(f.slug)).set("title", to: SQLBind(f.title)).set("summary", to: SQLBind(f.summary))
                .set("body_markdown", to: SQLBind(f.bodyMarkdown)).set("body_html", to: SQLBind(html)).set("category_id", to: SQLBind(category))
                .set("author_id", to: SQLBind(author)).set("reviewer_id", to: SQLBind(item.reviewed_by)).set("featured_practitioner_id", to: SQLBind(featured))
                .set("is_clinical", to: SQLBind(f.isClinical)).set("reading_minutes", to: SQLBind(minutes)).set("reviewed_at", to: SQLBind(item.reviewed_at))
                .set("search_text", to: SQLBind(text)).set("updated_at", to: SQLBind(now)).where("id", .equal, SQLBind(target)).run()
            articleID = target
            try await sql.update("articles").set("social_title", to: SQLBind(f.socialTitle.isEmpty ? nil : f.socialTitle))
                .set("social_description", to: SQLBind(f.socialDescription.isEmpty ? nil : f.socialDescription))
                .set("social_image", to: SQLBind(f.socialImage)).where("id", .equal, SQLBind(target)).run()
        } else {
            guard let row = try await sql.insert(into: "articles")
                .columns("slug", "title", "summary", "body_markdown", "body_html", "category_id", "author_id", "reviewer_id", "featured_practitioner_id",
                         "is_clinical", "reading_minutes", "published_at", "reviewed_at", "search_text", "updated_at")
                .values(SQLBind(f.slug), SQLBind(f.title), SQLBind(f.summary), SQLBind(f.bodyMarkdown), SQLBind(html), SQLBind(category), SQLBind(author),
                        SQLBind(item.reviewed_by), SQLBind(featured), SQLBind(f.isClinical), SQLBind(minutes), SQLBind(now), SQLBind(item.reviewed_at),
                        SQLBind(text), SQLBind(now))
                .returning("id").first(decoding: IDRow.self) else { throw EditorialRefusal.notAllowed }
            articleID = row.id
            try await sql.update("articles").set("social_title", to: SQLBind(f.socialTitle.isEmpty ? nil : f.socialTitle))
                .set("social_description", to: SQLBind(f.socialDescription.isEmpty ? nil : f.socialDescription))
                .set("social_image", to: SQLBind(f.socialImage)).where("id", .equal, SQLBind(row.id)).run()
        }
        if sql.dialect.name == "sqlite" {
            try await sql.raw("DELETE FROM article_fts WHERE rowid = \(bind: articleID)").run()
            try await sql.raw("INSERT INTO article_fts(rowid, search_text) VALUES (\(bind: articleID), \(bind: text))").run()
        }
        try await sql.delete(from: "article_procedures").where("article_id", .equal, SQLBind(articleID)).run()
        for slug in f.procedures {
            if let procedure = try await idOf("procedures", slug) {
                try await sql.insert(into: "article_procedures").columns("article_id", "procedure_id").values(SQLBind(articleID), SQLBind(procedure)).run()
            }
        }
        try await sql.update("editorial_items").set("target_id", to: SQLBind(articleID)).set("live_revision", to: SQLBind(revision))
            .where("id", .equal, SQLBind(id)).run()
        try await ContentGeneration.bump(on: tx)
    }

    /// Writes the guide readers see from a revision: its fields, its sections as sanitised HTML (made once here),
    /// its typical prices, the reviewer and review date; then records the live revision and moves the content
    /// generation (guides list, search, sitemap and every node's pages follow).
    static func publishGuide(item id: Int, fields f: GuideFields, revision: Int, now: Date, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        guard let item = try await item(id, on: tx) else { throw EditorialRefusal.notAllowed }
        struct IDRow: Decodable { let id: Int }
        guard let category = try await sql.select().column("id").from("categories").where("slug", .equal, SQLBind(f.category)).first(decoding: IDRow.self)?.id else {
            throw EditorialRefusal.notAllowed
        }
        if let other = try await sql.select().column("id").from("procedures").where("slug", .equal, SQLBind(f.slug)).first(decoding: IDRow.self),
           other.id != item.target_id {
            throw EditorialRefusal.slugTaken
        }
        let html = GuideHTML.render(f.sections)
        let values: [(String, any SQLExpression)] = [
            ("slug", SQLBind(f.slug)), ("name", SQLBind(f.name)), ("category_id", SQLBind(category)), ("procedure_type", SQLBind(f.procedureType)),
            ("body_location", SQLBind(f.bodyLocation)), ("summary", SQLBind(f.summary)), ("what_it_is", SQLBind(f.whatItIs)), ("suits", SQLBind(f.suits)),
            ("not_suits", SQLBind(f.notSuits)), ("preparation", SQLBind(f.preparation)), ("how_performed", SQLBind(f.howPerformed)),
            ("recovery", SQLBind(f.recovery)), ("results_onset", SQLBind(f.resultsOnset)), ("results_duration", SQLBind(f.resultsDuration)),
            ("risks", SQLBind(f.risks)), ("alternatives", SQLBind(f.alternatives)), ("followup", SQLBind(f.followup)),
            ("duration_minutes", SQLBind(f.durationMinutes)), ("stay_days", SQLBind(f.stayDays)), ("reviewer_id", SQLBind(item.reviewed_by)),
            ("reviewed_at", SQLBind(item.reviewed_at)), ("updated_at", SQLBind(now)), ("sections_html", SQLBind(html)),
            ("social_title", SQLBind(f.socialTitle.isEmpty ? nil : f.socialTitle)),
            ("social_description", SQLBind(f.socialDescription.isEmpty ? nil : f.socialDescription)), ("social_image", SQLBind(f.socialImage)),
        ]
        let procedureID: Int
        if let target = item.target_id {
            struct NameRow: Decodable { let slug: String; let name: String }
            let before = try await sql.select().columns("slug", "name").from("procedures").where("id", .equal, SQLBind(target)).first(decoding: NameRow.self)
            var update = sql.update("procedures")
            for (column, value) in values { update = update.set(column, to: value) }
            try await update.where("id", .equal, SQLBind(target)).run()
            // Result cards list the procedures a practitioner offers by name and find a guide's prices by slug.
            if before?.slug != f.slug || before?.name != f.name { try await ProviderCardColumns.refresh(sql, offering: target) }
            procedureID = target
        } else {
            let insert = sql.insert(into: "procedures").columns(values.map(\.0))
            guard let row = try await insert.values(values.map(\.1)).returning("id").first(decoding: IDRow.self) else { throw EditorialRefusal.notAllowed }
            procedureID = row.id
        }
        try await sql.delete(from: "procedure_prices").where("procedure_id", .equal, SQLBind(procedureID)).run()
        for p in f.prices {
            guard let c = CurrencyCode(p.currency) else { continue }
            try await sql.insert(into: "procedure_prices").columns("procedure_id", "country_code", "price_min_minor", "price_max_minor", "currency", "is_sample")
                .values(SQLBind(procedureID), SQLBind(p.country), SQLBind(MinorUnits.from(p.min, c)), SQLBind(MinorUnits.from(p.max, c)), SQLBind(c.code),
                        SQLBind(false)).run()
        }
        try await sql.update("editorial_items").set("target_id", to: SQLBind(procedureID)).set("live_revision", to: SQLBind(revision))
            .where("id", .equal, SQLBind(id)).run()
        try await ContentGeneration.bump(on: tx)
    }

    /// Publishes scheduled pages whose time has come (the platform's step; runs with the housekeeping).
    @discardableResult
    static func publishDue(app: Application) async throws -> Int {
        let now = app.clock.now()
        struct Due: Decodable { let id: Int; let current_revision: Int }
        let due = try await (app.db as! any SQLDatabase).select().columns("id", "current_revision").from("editorial_items")
            .where("status", .equal, SQLBind(EditorialStatus.scheduled.rawValue)).where("scheduled_at", .lessThanOrEqual, SQLBind(now))
            .limit(100).all(decoding: Due.self)
        var published = 0
        for d in due {
            // A page that cannot be published (its address taken meanwhile) stays scheduled for the editor to fix.
            guard let done = try? await app.writes.transaction(on: app.db, { tx -> Bool in
                struct Changed: Decodable { let id: Int }
                let changed = try await (tx as! any SQLDatabase).update("editorial_items").set("status", to: SQLBind(EditorialStatus.published.rawValue))
                    .set("scheduled_at", to: SQLLiteral.null).set("updated_at", to: SQLBind(now)).where("id", .equal, SQLBind(d.id))
                    .where("status", .equal, SQLBind(EditorialStatus.scheduled.rawValue)).where("current_revision", .equal, SQLBind(d.current_revision))
                    .returning("id").all(decoding: Changed.self)
                guard changed.count == 1, let item = try await item(d.id, on: tx) else { return false }
                try await publish(item: item, revision: d.current_revision, now: now, on: tx)
                try await AuditLog.append(AuditEntry(actorUserID: nil, actorRole: "system", action: "studio.publish", objectType: "editorial-item",
                                                     objectID: String(d.id), source: "scheduler"), at: now, app: app, on: tx)
                return true
            }) else { continue }
            if done { published += 1 }
        }
        if published > 0 { app.renderCache.invalidate() }
        return published
    }
}
