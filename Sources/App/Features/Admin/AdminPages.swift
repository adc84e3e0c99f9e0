import Foundation
import Plot
import Domain

/// The administrators' workspace (`/admin`): the credential verification queue and each check. Works without
/// JavaScript; every form answers at the field.
enum AdminPages {
    static func nav(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        let items: [(String, SiteURL)] = [(t("admin.title"), .admin), (t("admin.credentials"), .adminCredentials), (t("admin.applications"), .adminApplications),
                                          (t("admin.users"), .adminUsers), (t("admin.audit"), .adminAudit)]
        return .nav(.class("studio-nav"), .attr("aria-label", t("admin.title")), .ul(.forEach(items) { label, url in
            .li(.a(.to(url.path), .if(ctx.path == url.path, .attr("aria-current", "page")), .plain(label)))
        }))
    }

    static func home(counts: [CredentialService.QueueSection: Int], requests: Int, suspended: Int, _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("admin.title"), description: t("admin.title"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(ctx),
                .h1(.plain(t("admin.title"))),
                .p(.class("lead"), .plain(t("admin.lead"))),
                .h2(.plain(t("admin.credentials"))),
                .ul(.class("plain-links"), .forEach(CredentialService.QueueSection.allCases) { s in
                    .li(.a(.to(SiteURL.adminCredentials.path + "#\(s.rawValue)"),
                           .plain(t("admin.queue.\(s.rawValue)")), .plain(": \(counts[s] ?? 0)")))
                }),
                .h2(.plain(t("admin.applications"))),
                .ul(.class("plain-links"),
                    .li(.a(.to(SiteURL.adminApplications.path), .plain(t("admin.applications.pending")), .plain(": \(requests)"))),
                    .li(.a(.to(SiteURL.adminApplications.path + "#listings"), .plain(t("admin.listings")), .plain(": \(suspended)")))),
                .h2(.plain(t("admin.users"))),
                .ul(.class("plain-links"),
                    .li(.a(.to(SiteURL.adminUsers.path), .plain(t("admin.users.find")))),
                    .li(.a(.to(SiteURL.adminAudit.path), .plain(t("admin.audit")))))
            )).render(ctx)
    }

    static func queueTable(_ list: [CredentialRecord], now: Date, _ t: Localizer) -> Node<HTML.BodyContext> {
        list.isEmpty ? .p(.class("hint"), .plain(t("admin.queue.empty"))) :
        .table(.class("cases"),
            .thead(.tr(.th(.plain(t("credential.field.title"))), .th(.plain(t("credential.holder"))), .th(.plain(t("credential.field.kind"))),
                       .th(.plain(t("studio.col.status"))), .th(.plain(t("credential.submittedAt"))), .th(.plain(t("credential.field.validUntil"))))),
            .tbody(.forEach(list) { c in
                .tr(.td(.a(.to(SiteURL.adminCredential(.value("\(c.id)")).path), .plain(c.title))),
                    .td(.plain(c.holderName)),
                    .td(.plain(t("credential.kind.\(c.kind)"))),
                    .td(PracticePages.statusBadge(c.effectiveStatus(at: now), t)),
                    .td(.plain(c.submittedAt.map { t.date($0) } ?? "–")),
                    .td(.plain(c.validUntil.map { t.date($0) } ?? t("credential.notStated"))))
            }))
    }

    static func queue(_ sections: [(CredentialService.QueueSection, [CredentialRecord])], now: Date, _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("admin.credentials"), description: t("admin.credentials"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(ctx),
                .h1(.plain(t("admin.credentials"))),
                .p(.class("lead"), .plain(t("admin.credentials.lead"))),
                .forEach(sections) { section, list in
                    .section(.id(section.rawValue),
                        .h2(.plain(t("admin.queue.\(section.rawValue)")), .plain(" (\(list.count))")),
                        .p(.class("hint"), .plain(t("admin.queue.\(section.rawValue).hint"))),
                        queueTable(list, now: now, t))
                }
            )).render(ctx)
    }

    static func credential(_ c: CredentialRecord, state: FormState, recorded: Bool, csrf: String, now: Date, _ ctx: PageContext) -> String {
        let t = ctx.t
        let labels = ["outcome": t("admin.check.outcome"), "what_checked": t("credential.check.what"), "register_url": t("credential.check.where"),
                      "expires": t("admin.check.expires"), "reason": t("credential.check.reason")]
        let profile = c.holderProfile.path
        return Page(title: c.title, description: t("admin.credentials"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(ctx),
                .h1(.plain(c.title)),
                .if(recorded, .p(.class("notice success"), .attr("role", "status"), .plain(t("admin.check.recorded")))),
                .p(.a(.to(profile), .plain(t("admin.credential.profile", ["name": c.holderName])))),
                PracticePages.facts(c, evidenceLink: { SiteURL.adminCredentialEvidence(credential: .value("\(c.id)"), attachment: .value($0)).path },
                                    now: now, t),
                .h2(.id("check"), .plain(t("admin.check.title"))),
                .p(.class("hint"), .plain(t("admin.check.hint"))),
                Fields.summary(state, labels: labels, t, anchors: ["outcome": "outcome-0"]),
                Fields.form(action: SiteURL.adminCredential(.value("\(c.id)")).path, csrf: csrf, [
                    Fields.hidden("version", "\(c.version)"),
                    Fields.choices("outcome", legend: labels["outcome"]!, options: CheckOutcome.allCases.map { ($0.rawValue, t("admin.check.outcome.\($0.rawValue)")) },
                                   state: state, t, required: true),
                    Fields.textarea("what_checked", label: labels["what_checked"]!, state: state, t, hint: t("admin.check.what.hint"), required: true,
                                    maxLength: CheckRecord.maxWhatChecked, rows: 3),
                    Fields.input("register_url", label: labels["register_url"]!, type: "url", state: state, t, hint: t("admin.check.where.hint"), required: true,
                                 maxLength: RegisterLink.maxLength),
                    Fields.input("expires", label: labels["expires"]!, type: "date", state: state, t, hint: t("admin.check.expires.hint")),
                    Fields.textarea("reason", label: labels["reason"]!, state: state, t, hint: t("admin.check.reason.hint"), maxLength: CheckRecord.maxReason, rows: 3),
                    .button(.type(.submit), .class("button primary"), .plain(t("admin.check.record"))),
                ]),
                .p(.a(.to(SiteURL.adminCredentials.path), .plain(t("admin.credentials.back"))))
            )).render(ctx)
    }
}
