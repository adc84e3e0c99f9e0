import Foundation
import Plot
import Domain

/// The editorial workspace: the dashboard, the articles, the editor with its server-rendered preview, the
/// workflow steps, revisions and their differences, and the review queue. Works without JavaScript.
enum StudioPages {
    struct ListItem: Sendable {
        let id: Int
        let title: String
        let slug: String
        let status: EditorialStatus
        let updatedAt: Date
        let reviewDue: Date?
        let live: Bool
        var kind: EditorialKind = .article
    }

    struct Choices: Sendable {
        let categories: [(String, String)]
        let authors: [(String, String)]
        let procedures: [(String, String)]
        /// Library images (id, alt text) for the social card.
        var media: [(String, String)] = []
    }

    static func badge(_ s: EditorialStatus, _ t: Localizer) -> Node<HTML.BodyContext> {
        .span(.classes("badge", "editorial-\(s.rawValue)"), .plain(t("studio.status.\(s.rawValue)")))
    }

    static func nav(_ t: Localizer) -> Node<HTML.BodyContext> {
        .nav(.class("studio-nav"), .attr("aria-label", t("studio.title")), .ul(
            .li(.a(.to(SiteURL.studio.path), .plain(t("studio.title")))),
            .li(.a(.to(SiteURL.studioArticles.path), .plain(t("studio.articles")))),
            .li(.a(.to(SiteURL.studioReview.path), .plain(t("studio.review")))),
            .li(.a(.to(SiteURL.studioArticleNew.path), .plain(t("studio.new")))),
            .li(.a(.to(SiteURL.studioGuides.path), .plain(t("studio.guides")))),
            .li(.a(.to(SiteURL.studioMedia.path), .plain(t("studio.media"))))))
    }

    static func table(_ items: [ListItem], _ t: Localizer) -> Node<HTML.BodyContext> {
        items.isEmpty ? .p(.class("hint"), .plain(t("studio.none"))) :
        .table(.class("cases"),
            .thead(.tr(.th(.plain(t("studio.col.title"))), .th(.plain(t("studio.col.status"))), .th(.plain(t("studio.col.updated"))),
                       .th(.plain(t("studio.col.reviewDue"))))),
            .tbody(.forEach(items) { i in
                .tr(.td(.a(.to((i.kind == .guide ? SiteURL.studioGuide(.value("\(i.id)")) : SiteURL.studioArticle(.value("\(i.id)"))).path), .plain(i.title)),
                        .if(i.live, .group(.plain(" · "), .a(.to((i.kind == .guide ? SiteURL.procedure(.value(i.slug)) : SiteURL.article(.value(i.slug))).path),
                                                             .plain(t("studio.view")))))),
                    .td(badge(i.status, t)), .td(.plain(t.date(i.updatedAt))), .td(.plain(i.reviewDue.map(t.date) ?? "–")))
            }))
    }

    static func dashboard(mine: [ListItem], inReview: [ListItem], reviewDue: [ListItem], isReviewer: Bool, _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("studio.title"), description: t("studio.title"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(t),
                .h1(.plain(t("studio.title"))),
                .p(.class("lead"), .plain(isReviewer ? t("studio.lead.reviewer") : t("studio.lead.editor"))),
                .h2(.plain(t("studio.mine"))), table(mine, t),
                .h2(.plain(t("studio.inReview"))), table(inReview, t),
                .h2(.plain(t("studio.reviewDue"))), .p(.class("hint"), .plain(t("studio.reviewDue.hint"))), table(reviewDue, t)
            )).render(ctx)
    }

    static func list(_ title: String, _ items: [ListItem], _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: title, description: title, canonical: nil, noindex: true, body:
            .div(.class("wrap studio"), nav(t), .h1(.plain(title)), table(items, t))).render(ctx)
    }

    struct ItemView: Sendable {
        let id: Int
        let status: EditorialStatus
        let revision: Int
        let liveSlug: String?
        let reviewedAt: Date?
        let reviewDue: Date?
        let scheduledAt: Date?
        let comments: [(action: String, text: String, by: String, at: Date, revision: Int)]
        let revisions: [(number: Int, savedAt: Date, by: String, substantive: Bool)]
        let diff: (from: Int, to: Int, fields: [(String, [TextDiff.Line])])?
        let isReviewer: Bool
        var kind: EditorialKind = .article

        var url: SiteURL { kind == .guide ? .studioGuide(.value("\(id)")) : .studioArticle(.value("\(id)")) }
        var actionsURL: SiteURL { kind == .guide ? .studioGuideActions(.value("\(id)")) : .studioArticleActions(.value("\(id)")) }
        var restoreURL: SiteURL { kind == .guide ? .studioGuideRestore(.value("\(id)")) : .studioArticleRestore(.value("\(id)")) }
        var liveURL: SiteURL? { liveSlug.map { kind == .guide ? .procedure(.value($0)) : .article(.value($0)) } }
    }

    /// The editor: new (`item == nil`) or an existing page with its workflow, comments and revisions.
    /// Under an editor's title: the item's status, revision, review and schedule dates, and a link to the live page.
    static func lead(_ i: ItemView, _ t: Localizer) -> Node<HTML.BodyContext> {
        .p(.class("lead"), badge(i.status, t), .plain(" " + t("studio.revision", ["n": "\(i.revision)"])),
           .if(i.reviewedAt != nil, .plain(" · " + t("studio.reviewedOn", ["date": i.reviewedAt.map(t.date) ?? ""]))),
           .if(i.scheduledAt != nil, .plain(" · " + t("studio.scheduledFor", ["date": i.scheduledAt.map { ISODate.timestamp($0) } ?? ""]))),
           .if(i.liveURL != nil, .group(.plain(" · "), .a(.to(i.liveURL?.path ?? ""), .plain(t("studio.view"))))))
    }

    static func editor(_ item: ItemView?, state: FormState, choices: Choices, preview: TrustedHTML?, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        let action = item.map { SiteURL.studioArticle(.value("\($0.id)")).path } ?? SiteURL.studioArticleNew.path
        let labels = ["title": t("studio.field.title"), "slug": t("studio.field.slug"), "summary": t("studio.field.summary"), "body": t("studio.field.body"),
                      "category": t("studio.field.category"), "author": t("studio.field.author"), "featured_provider": t("studio.field.featured_provider"),
                      "procedures": t("studio.field.procedures"), "social_title": t("studio.field.social_title"),
                      "social_description": t("studio.field.social_description"), "social_image": t("studio.field.social_image"), "comment": t("studio.field.comment"),
                      "scheduled_at": t("studio.field.scheduled_at")]
        let title = item == nil ? t("studio.new") : t("studio.edit", ["title": state.value("title")])
        return Page(title: title, description: title, canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(t),
                .h1(.plain(title)),
                item.map { lead($0, t) } ?? .empty,
                Fields.summary(state, labels: labels, t),
                item.map { workflow($0, state: state, csrf: csrf, t) } ?? .empty,
                Fields.form(action: action, csrf: csrf, classes: "studio-form", [
                    item.map { Fields.hidden("expected_revision", "\($0.revision)") } ?? .empty,
                    Fields.input("title", label: labels["title"]!, state: state, t, required: true, maxLength: ArticleFields.maxTitle),
                    Fields.input("slug", label: labels["slug"]!, state: state, t, hint: t("studio.field.slug.hint")),
                    Fields.textarea("summary", label: labels["summary"]!, state: state, t, required: true, maxLength: ArticleFields.maxSummary, rows: 3),
                    Fields.textarea("body", label: labels["body"]!, state: state, t, hint: t("studio.field.body.hint"), required: true,
                                    maxLength: ArticleFields.maxBody, rows: 18),
                    .div(.class("field-row"),
                        Fields.select("category", label: labels["category"]!, options: choices.categories, state: state, t, required: true, placeholder: t("studio.choose")),
                        Fields.select("author", label: labels["author"]!, options: choices.authors, state: state, t, required: true, placeholder: t("studio.choose"))),
                    Fields.input("featured_provider", label: labels["featured_provider"]!, state: state, t, hint: t("studio.field.featured_provider.hint")),
                    Fields.choices("procedures", legend: labels["procedures"]!, options: choices.procedures, multiple: true, state: state, t),
                    Fields.checkbox("clinical", label: t("studio.field.clinical"), state: state, t),
                    .element(named: "fieldset", nodes: [.class("rows"), .element(named: "legend", nodes: [.plain(t("studio.social"))]),
                        Fields.input("social_title", label: labels["social_title"]!, state: state, t, maxLength: ArticleFields.maxSocialTitle),
                        Fields.input("social_description", label: labels["social_description"]!, state: state, t, maxLength: ArticleFields.maxSocialDescription),
                        Fields.select("social_image", label: t("studio.field.social_image"), options: choices.media, state: state, t,
                                      hint: t("studio.field.social_image.hint"), placeholder: t("studio.field.social_image.none"))]),
                    .div(.class("form-actions"),
                        .button(.type(.submit), .attr("name", "intent"), .attr("value", "preview"), .class("button"), .plain(t("studio.preview"))),
                        .button(.type(.submit), .attr("name", "intent"), .attr("value", "save"), .class("button primary"), .plain(t("studio.save")))),
                ]),
                preview.map { html in .section(.class("studio-preview article-body"), .h2(.plain(t("studio.preview.title"))), .trusted(html)) } ?? .empty,
                item.map { revisions($0, csrf: csrf, t) } ?? .empty,
                Fragments.disclaimer(t)
            )).render(ctx)
    }

    /// The steps the signed-in person can take now, each its own small form.
    static func workflow(_ i: ItemView, state: FormState, csrf: String, _ t: Localizer) -> Node<HTML.BodyContext> {
        let actor: (EditorialAction) -> EditorialActor = { $0.actors.contains(.medicalReviewer) ? .medicalReviewer : .editor }
        let steps = [EditorialAction.submitForReview, .approve, .returnWithComments, .schedule, .unschedule, .publish].filter { a in
            a.apply(to: i.status, by: actor(a)) != nil && (actor(a) != .medicalReviewer || i.isReviewer)
        }
        return .section(.class("studio-workflow"),
            .h2(.plain(t("studio.workflow"))),
            steps.isEmpty ? .p(.class("hint"), .plain(t("studio.workflow.none"))) :
            .div(.class("decide-grid"), .forEach(steps) { a in
                Fields.form(action: i.actionsURL.path, csrf: csrf, classes: "action-form", [
                    Fields.hidden("action", a.rawValue), Fields.hidden("expected_revision", "\(i.revision)"),
                    a == .returnWithComments || a == .approve
                        ? Fields.textarea("comment", id: "comment-\(a.rawValue)", label: t("studio.field.comment"), state: state.value("action") == a.rawValue ? state : FormState(), t,
                                          required: a == .returnWithComments, maxLength: 4_000, rows: 3) : .empty,
                    a == .schedule ? Fields.input("scheduled_at", label: t("studio.field.scheduled_at"), type: "datetime-local", state: state, t,
                                                  hint: t("studio.field.scheduled_at.hint"), required: true) : .empty,
                    .button(.type(.submit), .class("button primary"), .plain(t("studio.action.\(a.rawValue)")))])
            }),
            .if(!i.comments.isEmpty, .group(.h3(.plain(t("studio.comments"))), .ol(.class("timeline"), .forEach(i.comments) { c in
                .li(.element(named: "time", nodes: [.plain(t.date(c.at))]), .plain(" · " + t("studio.action.\(c.action)") + " · " + c.by + " · "),
                    .plain(t("studio.revision", ["n": "\(c.revision)"])), .blockquote(.class("note"), .p(.class("prewrap"), .plain(c.text))))
            }))))
    }

    static func revisions(_ i: ItemView, csrf: String, _ t: Localizer) -> Node<HTML.BodyContext> {
        let base = i.url
        return .section(.class("studio-revisions"),
            .h2(.plain(t("studio.revisions"))),
            .element(named: "form", nodes: [.attr("method", "get"), .attr("action", base.path), .class("filters"),
                Fields.select("from", label: t("studio.compare.from"), options: i.revisions.map { ("\($0.number)", "\($0.number)") },
                              state: FormState(FormInput(["from": ["\(i.diff?.from ?? max(1, i.revision - 1))"]])), t),
                Fields.select("to", label: t("studio.compare.to"), options: i.revisions.map { ("\($0.number)", "\($0.number)") },
                              state: FormState(FormInput(["to": ["\(i.diff?.to ?? i.revision)"]])), t),
                .button(.type(.submit), .class("button"), .plain(t("studio.compare")))]),
            i.diff.map { d in .div(.class("studio-diff"), .h3(.plain(t("studio.compare.title", ["from": "\(d.from)", "to": "\(d.to)"]))),
                d.fields.isEmpty ? .p(.class("hint"), .plain(t("studio.compare.same"))) :
                .forEach(d.fields) { name, lines in
                    .div(.h4(.plain(t("studio.field.\(name)"))), .element(named: "pre", nodes: [.class("diff"), .forEach(lines) { line in
                        switch line {
                        case .same(let s): return .span(.class("same"), .plain("  " + s + "\n"))
                        case .removed(let s): return .element(named: "del", nodes: [.plain("− " + s + "\n")])
                        case .added(let s): return .element(named: "ins", nodes: [.plain("+ " + s + "\n")])
                        }
                    }]))
                }) } ?? .empty,
            .table(.class("cases"),
                .thead(.tr(.th(.plain(t("studio.col.revision"))), .th(.plain(t("studio.col.saved"))), .th(.plain(t("studio.col.by"))), .th(.plain(t("studio.col.kind"))), .th())),
                .tbody(.forEach(i.revisions.reversed()) { r in
                    .tr(.td(.plain("\(r.number)")), .td(.plain(t.date(r.savedAt) + " " + ISODate.timestamp(r.savedAt).suffix(9).dropLast())), .td(.plain(r.by)),
                        .td(.plain(r.substantive ? t("studio.kind.substantive") : t("studio.kind.minor"))),
                        .td(r.number == i.revision ? .plain(t("studio.current")) :
                            Fields.form(action: i.restoreURL.path, csrf: csrf, classes: "inline", [
                                Fields.hidden("revision", "\(r.number)"), Fields.hidden("expected_revision", "\(i.revision)"),
                                .button(.type(.submit), .class("button"), .plain(t("studio.restore")))])))
                })))
    }
}
