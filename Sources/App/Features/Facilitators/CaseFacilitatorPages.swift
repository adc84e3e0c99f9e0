import Foundation
import Plot
import Domain

/// `/cases/{reference}/facilitator`: the patient invites a facilitator organisation, sees what it may see, and
/// withdraws consent.
enum CaseFacilitatorPages {
    struct Model: Sendable {
        let reference: String
        let providerName: String
        let status: CaseStatus
        let current: AccessGrant?
        let history: [AccessGrant]
        let invitable: [(slug: String, name: String)]
        /// A message above the form (a refused invitation, a finished withdrawal).
        var notice: String? = nil
    }

    static let scopeField = "scopes"

    static func render(_ m: Model, csrf: String, state: FormState, _ ctx: PageContext) -> String {
        let t = ctx.t
        let title = t("caseFacilitator.title")
        return Page(title: title, description: title, canonical: nil, noindex: true, body:
            .div(.class("wrap case-page"),
                .p(.class("eyebrow"), .a(.to(SiteURL.cases.path), .plain(t("cases.title")))
                   , .plain(" › "), .a(.to(SiteURL.caseShow(.value(m.reference)).path), .plain(t("case.title", ["reference": m.reference])))),
                .h1(.plain(title)),
                .p(.class("lead"), .plain(t("caseFacilitator.lead"))),
                .if(m.notice != nil, .div(.class("notice"), .attr("role", "status"), .p(.plain(m.notice ?? "")))),
                m.current.map { current($0, m, csrf: csrf, t) } ?? invite(m, csrf: csrf, state: state, t),
                history(m.history.filter { !$0.status.isOpen }, t))
        ).render(ctx)
    }

    static func parts(_ scopes: Set<FacilitatorScope>, _ t: Localizer) -> Node<HTML.BodyContext> {
        .ul(.forEach(scopes.sorted()) { .li(.plain(t("facilitators.scope.\($0.rawValue)"))) })
    }

    static func current(_ g: AccessGrant, _ m: Model, csrf: String, _ t: Localizer) -> Node<HTML.BodyContext> {
        .section(.class("card"),
            .h2(.plain(t("caseFacilitator.current", ["name": g.facilitatorName, "date": t.date(g.grantedAt ?? g.createdAt)]))),
            .p(.a(.to(SiteURL.facilitator(.value(g.facilitatorSlug)).path), .plain(g.facilitatorName))),
            .h3(.plain(t("caseFacilitator.current.parts"))),
            parts(g.scopes, t),
            .p(.plain(t("caseFacilitator.withdraw.explain"))),
            Fields.form(action: SiteURL.caseFacilitator(.value(m.reference)).path, csrf: csrf, [
                Fields.hidden("action", "withdraw"), Fields.hidden("grant", String(g.id)),
                .button(.type(.submit), .class("button danger"), .plain(t("caseFacilitator.withdraw")))]))
    }

    static func invite(_ m: Model, csrf: String, state: FormState, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard m.status.isOpen else { return .p(.class("muted"), .plain(t("caseFacilitator.error.stopped"))) }
        guard !m.invitable.isEmpty else { return .p(.class("muted"), .plain(t("caseFacilitator.invite.none"))) }
        let labels = ["facilitator": t("caseFacilitator.invite.organisation"), scopeField: t("caseFacilitator.invite.parts"),
                      "consent": t("facilitators.consent.label")]
        return .section(.class("card"),
            .h2(.plain(t("caseFacilitator.invite.title"))),
            Fields.summary(state, labels: labels, t, anchors: [scopeField: "\(scopeField)-0"]),
            Fields.form(action: SiteURL.caseFacilitator(.value(m.reference)).path, csrf: csrf, [
                Fields.hidden("action", "invite"),
                Fields.select("facilitator", label: labels["facilitator"] ?? "", options: m.invitable.map { ($0.slug, $0.name) }, state: state, t,
                              hint: t("caseFacilitator.invite.organisationHint"), required: true, placeholder: t("form.choose")),
                .p(.class("fineprint"), .a(.to(SiteURL.facilitators.path), .plain(t("caseFacilitator.directory")))),
                // Nothing is ticked in advance: consent names each part the patient chose.
                Fields.choices(scopeField, legend: labels[scopeField] ?? "",
                               options: FacilitatorScope.allCases.map { ($0.rawValue, t("facilitators.scope.\($0.rawValue)")) },
                               multiple: true, state: state, t, required: true),
                Fields.checkbox("consent", label: labels["consent"] ?? "", state: state, t),
                .p(.class("fineprint"), .plain(t("facilitators.consent.version", ["version": FacilitatorAccess.consentVersion]))),
                .button(.type(.submit), .class("button primary"), .plain(t("caseFacilitator.invite.submit")))]))
    }

    static func history(_ ended: [AccessGrant], _ t: Localizer) -> Node<HTML.BodyContext> {
        guard !ended.isEmpty else { return .empty }
        return .section(.h2(.plain(t("caseFacilitator.history"))),
            .ul(.forEach(ended) { g in
                .li(.plain(t("caseFacilitator.history.ended", ["name": g.facilitatorName, "from": t.date(g.grantedAt ?? g.createdAt),
                                                               "until": t.date(g.endedAt ?? g.createdAt)])))
            }))
    }

    /// The section of the patient's case page: who sees the request, and the link to manage it.
    static func caseSection(reference: String, current: AccessGrant?, _ t: Localizer) -> Node<HTML.BodyContext> {
        .section(.class("case-facilitator"),
            .h2(.plain(t("caseFacilitator.section"))),
            .p(.plain(current.map { t("caseFacilitator.section.active", ["name": $0.facilitatorName]) } ?? t("caseFacilitator.section.none"))),
            .p(.a(.to(SiteURL.caseFacilitator(.value(reference)).path), .plain(t("caseFacilitator.section.manage")))),
            .if(current?.status == .active, .p(.a(.to(SiteURL.caseProviders(.value(reference)).path), .plain(t("caseFacilitator.section.providers"))))),
            .if(current?.status == .active, .p(.a(.to(SiteURL.caseTravel(.value(reference)).path), .plain(t("travel.caseSection.open"))))))
    }
}

/// `/pipeline` and `/pipeline/{reference}`: the requests patients shared with the facilitator's organisation.
enum PipelinePages {
    struct BoardModel: Sendable {
        let filters: PipelineFilters
        let counts: [PipelineStage: Int]
        let columns: [PipelineStage: [PipelineQuery.Row]]
        let rows: [PipelineQuery.Row]
        let providers: [Int: [String]]
        let owners: [(id: Int, name: String)]
        let today: String
        let pageSize: Int
    }

    static func due(_ r: PipelineQuery.Row, today: String, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard let due = r.next_due_on, let date = ISODate.parse(due) else { return .empty }
        return due < today ? .strong(.class("overdue"), .plain(t("tasks.overdue", ["date": t.date(date)])))
                           : .plain(t("tasks.due", ["date": t.date(date)]))
    }

    static func index(_ m: BoardModel, _ ctx: PageContext) -> String {
        let t = ctx.t
        let f = m.filters
        let total = m.counts.values.reduce(0, +)
        func link(_ change: (inout PipelineFilters) -> Void) -> String {
            var g = f
            g.page = 1
            change(&g)
            return SiteURL.pipeline.path(query: g.parameters)
        }
        return Page(title: t("pipeline.title"), description: t("pipeline.title"), canonical: nil, noindex: true, body:
            .div(.class("wrap pipeline"),
                .h1(.plain(t("pipeline.title"))),
                .p(.class("lead"), .plain(t("pipeline.lead")), .plain(" "), .a(.to(SiteURL.facilitatorProfile.path), .plain(t("facilitatorProfile.title")))),
                .form(.class("filter-form inline"), .attr("action", SiteURL.pipeline.path), .method(.get),
                    .if(f.view == .table, .input(.type(.hidden), .name("view"), .attr("value", "table"))),
                    .div(.class("field"), .label(.attr("for", "stage"), .plain(t("pipeline.table.stage"))),
                        .select(.id("stage"), .attr("name", "stage"), .choice("", t("filter.any"), selected: f.stage == nil),
                            .forEach(PipelineStage.allCases) { s in
                                .choice(s.rawValue, "\(t("pipeline.stage.\(s.rawValue)")) (\(m.counts[s] ?? 0))", selected: f.stage == s) })),
                    .div(.class("field"), .label(.attr("for", "owner"), .plain(t("pipeline.owner"))),
                        .select(.id("owner"), .attr("name", "owner"), .choice("", t("filter.any"), selected: f.ownerID == nil),
                            .forEach(m.owners) { o in .choice(String(o.id), o.name, selected: f.ownerID == o.id) })),
                    .div(.class("field check"),
                        .input(.type(.checkbox), .id("overdue"), .name("overdue"), .attr("value", "1"), .flag("checked", f.overdueOnly)),
                        .label(.attr("for", "overdue"), .plain(t("pipeline.overdueOnly")))),
                    .button(.type(.submit), .class("button"), .plain(t("filter.apply")))),
                .p(.class("view-switch"),
                    f.view == .board ? .strong(.plain(t("pipeline.view.board"))) : .a(.to(link { $0.view = .board }), .plain(t("pipeline.view.board"))),
                    .plain(" · "),
                    f.view == .table ? .strong(.plain(t("pipeline.view.table"))) : .a(.to(link { $0.view = .table }), .plain(t("pipeline.view.table")))),
                total == 0 ? .p(.class("empty"), .plain(t("pipeline.none"))) :
                f.view == .board ? board(m, link: link, t) : table(m, t))
        ).render(ctx)
    }

    static func card(_ r: PipelineQuery.Row, _ m: BoardModel, _ t: Localizer) -> Node<HTML.ListContext> {
        .li(.class((r.next_due_on ?? "9999") < m.today ? "pipeline-card overdue" : "pipeline-card"),
            .p(.a(.to(SiteURL.pipelineCase(.value(r.reference)).path), .strong(.plain(r.reference))), .plain(" · "), .plain(r.patient_name)),
            .p(.class("meta"), .plain((m.providers[r.case_id] ?? []).joined(separator: ", "))),
            .if(r.next_task != nil, .p(.plain(r.next_task ?? ""), .plain(" · "), due(r, today: m.today, t))),
            .p(.class("meta"), .plain(r.owner_name.map { t("pipeline.ownedBy", ["name": $0]) } ?? t("pipeline.noOwner"))))
    }

    static func board(_ m: BoardModel, link: ((inout PipelineFilters) -> Void) -> String, _ t: Localizer) -> Node<HTML.BodyContext> {
        let stages = m.filters.stage.map { [$0] } ?? PipelineStage.allCases
        return .div(.class("board"),
            .forEach(stages) { s in
                let rows = m.columns[s] ?? []
                let count = m.counts[s] ?? 0
                return .section(.class("board-column"), .attr("aria-labelledby", "stage-\(s.rawValue)"),
                    .h2(.id("stage-\(s.rawValue)"), .plain(t("pipeline.stage.\(s.rawValue)")), .span(.class("count"), .plain(" (\(Localizer.grouped(count)))"))),
                    rows.isEmpty ? .p(.class("muted"), .plain(t("pipeline.column.empty"))) : .ol(.class("pipeline-cards"), .forEach(rows) { card($0, m, t) }),
                    .if(count > rows.count, .p(.a(.to(link { $0.stage = s; $0.view = .table }), .plain(t("pipeline.column.all", ["count": Localizer.grouped(count)]))))))
            })
    }

    static func table(_ m: BoardModel, _ t: Localizer) -> Node<HTML.BodyContext> {
        let total = m.filters.stage.map { m.counts[$0] ?? 0 } ?? m.counts.values.reduce(0, +)
        let pageCount = max(1, (total + m.pageSize - 1) / m.pageSize)
        return .group(
            .div(.class("table-scroll"), .table(.class("data"),
                .thead(.tr(.th(.plain(t("pipeline.table.reference"))), .th(.plain(t("pipeline.table.patient"))), .th(.plain(t("pipeline.table.providers"))),
                           .th(.plain(t("pipeline.table.stage"))), .th(.plain(t("pipeline.next"))), .th(.plain(t("pipeline.owner"))),
                           .th(.plain(t("pipeline.table.parts"))))),
                .tbody(.forEach(m.rows) { r in
                    .tr(.class((r.next_due_on ?? "9999") < m.today ? "overdue" : ""),
                        .td(.a(.to(SiteURL.pipelineCase(.value(r.reference)).path), .plain(r.reference))),
                        .td(.plain(r.patient_name)),
                        .td(.plain((m.providers[r.case_id] ?? []).joined(separator: ", "))),
                        .td(.plain(t("pipeline.stage.\(r.stage)"))),
                        .td(.plain(r.next_task ?? "–"), .if(r.next_due_on != nil, .group(.br(), due(r, today: m.today, t)))),
                        .td(.plain(r.owner_name ?? "–")),
                        .td(.plain(FacilitatorScope.decode(r.scopes).sorted().map { t("pipeline.part.short.\($0.rawValue)") }.joined(separator: ", "))))
                }))),
            Fragments.pagination(base: .pipeline, query: m.filters.parameters, page: m.filters.page, pageCount: pageCount, t))
    }

    struct CaseModel: Sendable {
        let reference: String
        let patientName: String
        let providerName: String
        let status: CaseStatus
        let grant: AccessGrant
        /// Set when the patient shared the request or the photos (each part is shown only when shared).
        let detail: CaseDetail?
        /// Set when the patient shared the quotes.
        let quotes: [QuoteSummary]?
        /// Unread messages for the facilitator (when the conversation is shared).
        var unread: Int = 0
        /// The provider of each case of the request (the quotes of all of them are compared).
        var providersByCase: [Int: String] = [:]
    }

    static func show(_ m: CaseModel, extra: Node<HTML.BodyContext> = .empty, _ ctx: PageContext) -> String {
        let t = ctx.t
        let title = t("pipeline.case.title", ["reference": m.reference])
        return Page(title: title, description: title, canonical: nil, noindex: true, body:
            .div(.class("wrap case-page"),
                .p(.class("eyebrow"), .a(.to(SiteURL.pipeline.path), .plain(t("pipeline.case.back")))),
                .h1(.plain(title)),
                .dl(.class("facts"),
                    .dt(.plain(t("pipeline.case.patient"))), .dd(.plain(m.patientName)),
                    .dt(.plain(t("pipeline.case.provider"))), .dd(.plain(m.providerName)),
                    .dt(.plain(t("pipeline.case.status"))), .dd(CasePages.statusBadge(m.status, t, .staff)),
                    .dt(.plain(t("pipeline.table.stage"))), .dd(.plain(t("pipeline.stage.\(m.grant.stage.rawValue)")))),
                .section(.h2(.plain(t("pipeline.case.parts"))), CaseFacilitatorPages.parts(m.grant.scopes, t)),
                extra,
                m.grant.allows(.request) && m.detail != nil
                    ? .group(CasePages.timeline(m.detail!, t, .staff), CasePages.answers(m.detail!, t, .staff))
                    : .section(.h2(.plain(t("pipeline.case.request"))), .p(.class("muted"), .plain(t("pipeline.case.notShared")))),
                m.grant.allows(.photos) && m.detail != nil
                    ? CasePages.photos(m.detail!, link: { SiteURL.pipelinePhoto(case: .value(m.reference), photo: .value($0)).path }, t)
                    : .section(.h2(.plain(t("case.photos"))), .p(.class("muted"), .plain(t("pipeline.case.notShared")))),
                quotes(m.quotes, providers: m.providersByCase, t),
                m.grant.allows(.messages)
                    ? .section(.class("case-messages"), .h2(.plain(t("pipeline.case.messages"))),
                        .p(.plain(t("pipeline.case.messages.lead")), .plain(" "),
                           .if(m.unread > 0, .span(.classes("badge", "unread"), .plain(MessagePages.unreadText(m.unread, t))))),
                        .p(.a(.class("button"), .to(SiteURL.pipelineMessages(.value(m.reference)).path), .plain(t("pipeline.case.messages.open")))))
                    : .section(.h2(.plain(t("pipeline.case.messages"))), .p(.class("muted"), .plain(t("pipeline.case.notShared")))),
                Fragments.disclaimer(t)
            )).render(ctx)
    }

    static func quotes(_ list: [QuoteSummary]?, providers: [Int: String], _ t: Localizer) -> Node<HTML.BodyContext> {
        guard let list else {
            return .section(.h2(.plain(t("pipeline.case.quotes"))), .p(.class("muted"), .plain(t("pipeline.case.notShared"))))
        }
        return .section(.h2(.plain(t("pipeline.case.quotes"))),
            list.isEmpty ? .p(.class("muted"), .plain(t("pipeline.case.quotes.none"))) :
            .table(.class("data"),
                .thead(.tr(.th(.plain(t("pipeline.case.provider"))), .th(.plain(t("quote.version"))), .th(.plain(t("quote.total"))),
                           .th(.plain(t("quote.validUntil"))), .th(.plain(t("quote.statusLabel"))))),
                .tbody(.forEach(list) { q in
                    .tr(.td(.plain(providers[q.caseID] ?? "")), .td(.plain(String(q.latestVersion))), .td(.plain(q.latest?.total.formatted ?? "")),
                        .td(.plain(q.latest.map { t.date($0.validUntil) } ?? "")), .td(.plain(t("quote.status.\(q.status.rawValue)"))))
                })))
    }
}
