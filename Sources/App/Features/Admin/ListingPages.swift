import Foundation
import Plot
import Domain

/// Claiming a listing, applying to be listed, and the administrators' decisions on both; suspension.
enum ListingPages {
    static func requestFields(_ state: FormState, kind: ListingRequestForm.Kind, countries: [(String, String)], _ t: Localizer) -> [Node<HTML.BodyContext>] {
        var nodes: [Node<HTML.BodyContext>] = []
        if kind == .application {
            nodes += [
                Fields.choices("practice_kind", legend: t("listing.field.practiceKind"), options: ListingRequestForm.PracticeKind.allCases.map {
                    ($0.rawValue, t("listing.field.practiceKind.\($0.rawValue)")) }, state: state, t, required: true),
                Fields.input("practice_name", label: t("listing.field.practiceName"), state: state, t, hint: t("listing.field.practiceName.hint"),
                             required: true, maxLength: 160),
                Fields.input("specialty", label: t("listing.field.specialty"), state: state, t, required: true, maxLength: ListingRequestForm.maxName),
                .div(.class("field-row"),
                    Fields.input("city", label: t("practice.profile.newLocation.city"), state: state, t, required: true, maxLength: 120),
                    Fields.select("country", label: t("practice.profile.newLocation.country"), options: countries, state: state, t, required: true,
                                  placeholder: t("form.choose"))),
                Fields.input("website", label: t("practice.profile.website"), type: "url", state: state, t, maxLength: RegisterLink.maxLength),
            ]
        }
        nodes += [
            Fields.input("applicant_name", label: t("listing.field.name"), state: state, t, required: true, autocomplete: "name", maxLength: ListingRequestForm.maxName),
            Fields.input("applicant_email", label: t("listing.field.email"), type: "email", state: state, t, hint: t("listing.field.email.hint"), required: true,
                         autocomplete: "email", maxLength: EmailAddress.maxLength),
            Fields.input("applicant_role", label: t("listing.field.role"), state: state, t, hint: t("listing.field.role.hint"), required: true,
                         maxLength: ListingRequestForm.maxName),
            Fields.input("licence_number", label: t("listing.field.licence"), state: state, t, hint: t("listing.field.licence.hint"), required: true,
                         maxLength: CredentialSubmission.maxNumber),
            Fields.input("register_url", label: t("credential.field.register"), type: "url", state: state, t, hint: t("credential.field.register.hint"),
                         required: true, maxLength: RegisterLink.maxLength),
            Fields.textarea("message", label: t("listing.field.message"), state: state, t, hint: t("listing.field.message.hint"),
                            maxLength: ListingRequestForm.maxMessage, rows: 4),
            Fields.checkbox("confirm", label: t("listing.field.confirm"), state: state, t),
        ]
        return nodes
    }

    static func labels(_ t: Localizer) -> [String: String] {
        ["practice_kind": t("listing.field.practiceKind"), "practice_name": t("listing.field.practiceName"), "specialty": t("listing.field.specialty"),
         "city": t("practice.profile.newLocation.city"), "country": t("practice.profile.newLocation.country"), "website": t("practice.profile.website"),
         "applicant_name": t("listing.field.name"), "applicant_email": t("listing.field.email"), "applicant_role": t("listing.field.role"),
         "licence_number": t("listing.field.licence"), "register_url": t("credential.field.register"), "message": t("listing.field.message"),
         "confirm": t("listing.field.confirm")]
    }

    static func claim(name: String, slug: String, managed: Bool, state: FormState, sent: Bool, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        let body: Node<HTML.BodyContext>
        if sent {
            body = .p(.class("notice success"), .attr("role", "status"), .plain(t("listing.claim.sent")))
        } else if managed {
            body = .p(.class("notice"), .plain(t("listing.claim.managed")))
        } else {
            body = .group(
                .p(.plain(t("listing.claim.how"))),
                Fields.summary(state, labels: labels(t), t, anchors: ["practice_kind": "practice_kind-0"]),
                Fields.form(action: SiteURL.providerClaim(.value(slug)).path, csrf: csrf,
                            requestFields(state, kind: .claim, countries: [], t) + [.button(.type(.submit), .class("button primary"), .plain(t("listing.claim.send")))]))
        }
        return AccountPages.shell(t("listing.claim.title", ["name": name]), lead: t("listing.claim.lead"), ctx, .group(
            body, .p(.a(.to(SiteURL.provider(.value(slug)).path), .plain(t("listing.claim.back", ["name": name]))))))
    }

    static func apply(state: FormState, sent: Bool, countries: [(String, String)], csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        return AccountPages.shell(t("listing.apply.title"), lead: t("listing.apply.lead"), ctx, sent
            ? .p(.class("notice success"), .attr("role", "status"), .plain(t("listing.apply.sent")))
            : .group(
                .p(.plain(t("listing.apply.how"))),
                Fields.summary(state, labels: labels(t), t, anchors: ["practice_kind": "practice_kind-0"]),
                Fields.form(action: SiteURL.listYourPractice.path, csrf: csrf,
                            requestFields(state, kind: .application, countries: countries, t) + [.button(.type(.submit), .class("button primary"), .plain(t("listing.apply.send")))])))
    }

    // MARK: administrators

    static func requestTable(_ list: [ListingService.Request], names: [Int: String], _ t: Localizer) -> Node<HTML.BodyContext> {
        list.isEmpty ? .p(.class("hint"), .plain(t("admin.queue.empty"))) :
        .table(.class("cases"),
            .thead(.tr(.th(.plain(t("admin.applications.kind"))), .th(.plain(t("admin.applications.listing"))), .th(.plain(t("listing.field.name"))),
                       .th(.plain(t("admin.applications.received"))), .th(.plain(t("studio.col.status"))))),
            .tbody(.forEach(list) { r in
                .tr(.td(.a(.to(SiteURL.adminApplication(.value("\(r.id)")).path), .plain(t("admin.applications.kind.\(r.kind)")))),
                    .td(.plain(r.practice_name ?? r.practitioner_id.flatMap { names[$0] } ?? "–")),
                    .td(.plain(r.applicant_name)), .td(.plain(t.date(r.created_at))), .td(.plain(t("admin.applications.status.\(r.status)"))))
            }))
    }

    struct SuspendedListing: Sendable { let kind: String; let slug: String; let name: String; let reason: String?; let since: Date? }

    static func applications(pending: [ListingService.Request], decided: [ListingService.Request], names: [Int: String], suspended: [SuspendedListing],
                             state: FormState, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("admin.applications"), description: t("admin.applications"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                AdminPages.nav(ctx),
                .h1(.plain(t("admin.applications"))),
                .p(.class("lead"), .plain(t("admin.applications.lead"))),
                .h2(.plain(t("admin.applications.pending")), .plain(" (\(pending.count))")), requestTable(pending, names: names, t),
                .h2(.plain(t("admin.applications.decided"))), requestTable(decided, names: names, t),
                .h2(.id("listings"), .plain(t("admin.listings"))),
                .p(.class("hint"), .plain(t("admin.listings.hint"))),
                suspended.isEmpty ? .p(.class("hint"), .plain(t("admin.listings.none"))) :
                .ul(.forEach(suspended) { l in
                    .li(.a(.to(l.kind == "clinic" ? SiteURL.clinic(.value(l.slug)).path : SiteURL.provider(.value(l.slug)).path), .plain(l.name)),
                        .plain(" · \(l.reason ?? "")"),
                        Fields.form(action: SiteURL.adminListings.path, csrf: csrf, classes: "inline", [
                            Fields.hidden("action", "restore"), Fields.hidden("kind", l.kind), Fields.hidden("slug", l.slug),
                            .button(.type(.submit), .class("button small"), .plain(t("admin.listings.restore")))]))
                }),
                .h3(.plain(t("admin.listings.suspend"))),
                Fields.summary(state, labels: ["slug": t("admin.listings.slug"), "reason": t("credential.check.reason"), "kind": t("admin.listings.kind")], t,
                               anchors: ["kind": "kind-0"]),
                Fields.form(action: SiteURL.adminListings.path + "#listings", csrf: csrf, [
                    Fields.hidden("action", "suspend"),
                    Fields.choices("kind", legend: t("admin.listings.kind"), options: [("practitioner", t("listing.field.practiceKind.practitioner")),
                                                                                     ("clinic", t("listing.field.practiceKind.clinic"))], state: state, t, required: true),
                    Fields.input("slug", label: t("admin.listings.slug"), state: state, t, hint: t("admin.listings.slug.hint"), required: true, maxLength: 120),
                    Fields.textarea("reason", label: t("credential.check.reason"), state: state, t, hint: t("admin.listings.reason.hint"), required: true,
                                    maxLength: 1_000, rows: 3),
                    .button(.type(.submit), .class("button"), .plain(t("admin.listings.suspend"))),
                ])
            )).render(ctx)
    }

    static func application(_ r: ListingService.Request, listing: (name: String, path: String)?, state: FormState, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        func row(_ key: String, _ value: String?) -> Node<HTML.DescriptionListContext> {
            .group(.dt(.plain(t(key))), .dd(.plain(value ?? "–")))
        }
        return Page(title: t("admin.applications.kind.\(r.kind)"), description: t("admin.applications"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                AdminPages.nav(ctx),
                .h1(.plain(t("admin.applications.kind.\(r.kind)")), .plain(": "), .plain(r.practice_name ?? listing?.name ?? "")),
                .p(.plain(t("admin.applications.status.\(r.status)")), .if(r.decided_at != nil, .plain(" · \(r.decided_at.map { t.dateTime($0) } ?? "")"))),
                .if(listing != nil, .p(.a(.to(listing?.path ?? ""), .plain(listing?.name ?? "")))),
                .dl(.class("facts"),
                    row("listing.field.practiceKind", r.practice_kind.map { t("listing.field.practiceKind.\($0)") }),
                    row("listing.field.specialty", r.specialty),
                    row("practice.profile.newLocation.city", r.city.map { c in [c, r.country_code.map { t.country($0) }].compactMap { $0 }.joined(separator: ", ") }),
                    row("practice.profile.website", r.website),
                    row("listing.field.name", r.applicant_name),
                    row("listing.field.email", r.applicant_email),
                    row("listing.field.role", r.applicant_role),
                    row("listing.field.licence", r.licence_number),
                    .dt(.plain(t("credential.field.register"))),
                    .dd(.a(.to(r.register_url), .attr("rel", "nofollow noopener noreferrer"), .plain(r.register_url))),
                    row("listing.field.message", r.message),
                    row("credential.check.reason", r.reason)),
                .if(r.status == ListingService.Status.pending.rawValue, .group(
                    .h2(.plain(t("admin.applications.decide"))),
                    .p(.class("hint"), .plain(t("admin.applications.decide.hint"))),
                    Fields.summary(state, labels: ["reason": t("credential.check.reason")], t),
                    Fields.form(action: SiteURL.adminApplication(.value("\(r.id)")).path, csrf: csrf, [
                        Fields.textarea("reason", label: t("credential.check.reason"), state: state, t, hint: t("admin.applications.reason.hint"),
                                        maxLength: 1_000, rows: 3),
                        .div(.class("form-actions"),
                            .button(.type(.submit), .attr("name", "decision"), .attr("value", "approve"), .class("button primary"), .plain(t("admin.applications.approve"))),
                            .button(.type(.submit), .attr("name", "decision"), .attr("value", "refuse"), .class("button"), .plain(t("admin.applications.refuse")))),
                    ]))),
                .p(.a(.to(SiteURL.adminApplications.path), .plain(t("admin.applications.back"))))
            )).render(ctx)
    }
}
