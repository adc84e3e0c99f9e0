import Foundation
import Plot
import Domain

/// The administrators' people pages and the audit viewer.
enum AdminUsersPages {
    static func list(_ users: [AdminUsersController.UserRow], q: String, role: Role?, _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("admin.users"), description: t("admin.users"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                AdminPages.nav(ctx),
                .h1(.plain(t("admin.users"))),
                .element(named: "form", nodes: [.attr("method", "get"), .attr("action", SiteURL.adminUsers.path), .class("filters"), .attr("role", "search"),
                    .div(.class("field"), .label(.attr("for", "q"), .plain(t("admin.users.search"))),
                         .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", "search"), .attr("id", "q"), .attr("name", "q"),
                                                                         .attr("value", q), .attr("maxlength", "254")])),
                    .div(.class("field"), .label(.attr("for", "role"), .plain(t("practice.team.role"))),
                         .element(named: "select", nodes: [.attr("id", "role"), .attr("name", "role"),
                            .element(named: "option", nodes: [.attr("value", ""), .plain(t("inbox.filter.any"))]),
                            .forEach(Role.allCases) { r in .element(named: "option", nodes: [.attr("value", r.rawValue), .flag("selected", r == role),
                                                                                              .plain(t("role.\(r.rawValue)"))]) }])),
                    .button(.type(.submit), .class("button"), .plain(t("search.submit")))]),
                users.isEmpty ? .p(.class("hint"), .plain(t("admin.users.none"))) :
                .table(.class("cases"),
                    .thead(.tr(.th(.plain(t("practice.team.email"))), .th(.plain(t("practice.team.name"))), .th(.plain(t("practice.team.role"))),
                               .th(.plain(t("admin.users.created"))), .th(.plain(t("studio.col.status"))))),
                    .tbody(.forEach(users) { u in
                        .tr(.td(.a(.to(SiteURL.adminUser(.value("\(u.id)")).path), .plain(u.email))), .td(.plain(u.name)), .td(.plain(t("role.\(u.role.rawValue)"))),
                            .td(.plain(t.date(u.createdAt))), .td(.plain(u.closedAt == nil ? t("admin.users.open") : t("admin.users.closed"))))
                    }))
            )).render(ctx)
    }

    static func detail(_ d: AdminUsersController.Detail, me: Int, state: FormState, notice: String?, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        let u = d.user
        let action = SiteURL.adminUser(.value("\(u.id)")).path
        return Page(title: u.email, description: t("admin.users"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                AdminPages.nav(ctx),
                .h1(.plain(u.name)),
                .if(notice != nil, .p(.class("notice success"), .attr("role", "status"), .plain(notice ?? ""))),
                .dl(.class("facts"),
                    .dt(.plain(t("practice.team.email"))), .dd(.plain(u.email)),
                    .dt(.plain(t("practice.team.role"))), .dd(.plain(t("role.\(u.role.rawValue)"))),
                    .dt(.plain(t("admin.users.secondFactor"))), .dd(.plain(u.secondFactor ? t("common.yes") : t("common.no"))),
                    .dt(.plain(t("admin.users.created"))), .dd(.plain(t.date(u.createdAt))),
                    .dt(.plain(t("studio.col.status"))), .dd(.plain(u.closedAt.map { t("admin.users.closedOn", ["date": t.date($0)]) } ?? t("admin.users.open"))),
                    .dt(.plain(t("admin.users.sessions"))), .dd(.plain("\(d.sessions)")),
                    .dt(.plain(t("admin.users.workplaces"))),
                    .dd(.plain(d.workplaces.isEmpty ? "–" : d.workplaces.map { "\($0.name) (\(t("practice.team.role.\($0.role)")))" }.joined(separator: ", "))),
                    .if(u.isSample, .group(.dt(.plain(t("admin.users.sample"))), .dd(.plain(t("common.yes")))))),
                .h2(.plain(t("admin.users.history"))),
                d.history.isEmpty ? .p(.class("hint"), .plain(t("practice.team.activity.none"))) :
                .table(.class("cases"),
                    .thead(.tr(.th(.plain(t("practice.team.when"))), .th(.plain(t("practice.team.what"))), .th(.plain(t("admin.audit.outcome"))),
                               .th(.plain(t("admin.audit.source"))))),
                    .tbody(.forEach(d.history) { h in
                        .tr(.td(.plain(t.dateTime(h.at))), .td(.plain(t.has("audit.action.\(h.action)") ? t("audit.action.\(h.action)") : h.action)),
                            .td(.plain(t("admin.audit.outcome.\(h.outcome)"))), .td(.plain(h.source)))
                    })),
                .p(.a(.to(SiteURL.adminAudit.path(query: [("actor", "\(u.id)")])), .plain(t("admin.users.trail")))),
                .if(u.id != me, .group(
                    .h2(.plain(t("admin.users.actions"))),
                    Fields.form(action: action, csrf: csrf, classes: "inline", [
                        Fields.hidden("action", "end-sessions"), .button(.type(.submit), .class("button"), .plain(t("admin.users.endSessions")))]),
                    .if(u.closedAt == nil, Fields.form(action: action, csrf: csrf, classes: "inline", [
                        Fields.hidden("action", "close"), .button(.type(.submit), .class("button"), .plain(t("admin.users.close")))])),
                    .h3(.id("role-change"), .plain(t("admin.users.changeRole"))),
                    .p(.class("hint"), .plain(t("admin.users.changeRole.hint"))),
                    Fields.summary(state, labels: ["role": t("practice.team.role"), "code": t("account.field.code")], t, anchors: ["role": "role-0"]),
                    Fields.form(action: action + "#role-change", csrf: csrf, [
                        Fields.hidden("action", "role"),
                        Fields.choices("role", legend: t("practice.team.role"), options: Role.allCases.filter { $0 != u.role }.map { ($0.rawValue, t("role.\($0.rawValue)")) },
                                       state: state, t, required: true),
                        Fields.input("code", label: t("admin.users.yourCode"), state: state, t, hint: t("admin.users.yourCode.hint"), required: true,
                                     autocomplete: "one-time-code", maxLength: 6, extra: [.attr("inputmode", "numeric")]),
                        .button(.type(.submit), .class("button primary"), .plain(t("admin.users.changeRole.submit"))),
                    ])))
            )).render(ctx)
    }

    static func audit(_ rows: [AuditEvent], names: [Int: String], filter f: AdminUsersController.AuditFilter, more: Bool,
                      verification: AuditLog.Verification?, _ ctx: PageContext) -> String {
        let t = ctx.t
        var query: [(String, String)] = []
        if !f.actor.isEmpty { query.append(("actor", f.actor)) }
        if !f.objectType.isEmpty { query.append(("object_type", f.objectType)) }
        if !f.objectID.isEmpty { query.append(("object_id", f.objectID)) }
        if !f.action.isEmpty { query.append(("action", f.action)) }
        if let from = f.from { query.append(("from", ISODate.format(from))) }
        if let to = f.to { query.append(("to", ISODate.format(to.addingTimeInterval(-86_400)))) }
        func input(_ name: String, _ label: String, _ value: String, type: String = "text") -> Node<HTML.BodyContext> {
            .div(.class("field"), .label(.attr("for", name), .plain(label)),
                 .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", type), .attr("id", name), .attr("name", name), .attr("value", value)]))
        }
        return Page(title: t("admin.audit"), description: t("admin.audit"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                AdminPages.nav(ctx),
                .h1(.plain(t("admin.audit"))),
                verification.map { v in
                    .p(.classes("notice", v.intact ? "success" : "warning"), .attr("role", "status"),
                       .plain(v.intact ? t("admin.audit.intact", ["count": Localizer.grouped(v.checked)])
                                       : t("admin.audit.broken", ["id": v.firstBrokenID.map(String.init) ?? "0", "reason": v.reason ?? ""])))
                } ?? .p(.a(.to(SiteURL.adminAudit.path(query: query + [("verify", "1")])), .plain(t("admin.audit.verify")))),
                .element(named: "form", nodes: [.attr("method", "get"), .attr("action", SiteURL.adminAudit.path), .class("filters"),
                    input("actor", t("admin.audit.actor"), f.actor),
                    input("object_type", t("admin.audit.objectType"), f.objectType),
                    input("object_id", t("admin.audit.objectID"), f.objectID),
                    input("action", t("admin.audit.action"), f.action),
                    input("from", t("admin.audit.from"), f.from.map(ISODate.format) ?? "", type: "date"),
                    input("to", t("admin.audit.to"), f.to.map { ISODate.format($0.addingTimeInterval(-86_400)) } ?? "", type: "date"),
                    .button(.type(.submit), .class("button"), .plain(t("admin.audit.filter")))]),
                rows.isEmpty ? .p(.class("hint"), .plain(t("admin.queue.empty"))) :
                .div(.class("table-scroll"), .table(.class("cases"),
                    .thead(.tr(.th(.plain("#")), .th(.plain(t("practice.team.when"))), .th(.plain(t("admin.audit.actor"))), .th(.plain(t("admin.audit.action"))),
                               .th(.plain(t("admin.audit.object"))), .th(.plain(t("admin.audit.outcome"))), .th(.plain(t("admin.audit.source"))))),
                    .tbody(.forEach(rows) { e in
                        .tr(.td(.plain("\(e.id ?? 0)")), .td(.plain(t.dateTime(e.at))),
                            .td(.plain(e.actorUserID.flatMap { names[$0] } ?? e.actorRole)),
                            .td(.code(.plain(e.action))), .td(.plain("\(e.objectType) \(e.objectID ?? "")")),
                            .td(.plain(t("admin.audit.outcome.\(e.outcome)"))), .td(.plain(e.source)))
                    }))),
                .if(more, .nav(.class("pagination"), .attr("aria-label", t("pagination.label")),
                    .a(.to(SiteURL.adminAudit.path(query: query + [("before", "\(rows.last?.id ?? 0)")])), .plain(t("admin.audit.older")))))
            )).render(ctx)
    }
}
