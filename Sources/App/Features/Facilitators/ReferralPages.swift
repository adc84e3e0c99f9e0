import Foundation
import Plot
import Domain

/// `/cases/{reference}/providers`: the patient sends the request to more providers, proposed by their facilitator
/// or chosen from the facilitator's partners; and the facilitator's section for proposing them.
enum ReferralPages {
    struct Model: Sendable {
        let reference: String
        let firstProvider: String
        let facilitatorName: String?
        let referrals: [ReferralView]
        let candidates: [FacilitatorProfile.Partner]
        var notice: String? = nil
    }

    static let providersField = "providers"

    static func render(_ m: Model, csrf: String, state: FormState, _ ctx: PageContext) -> String {
        let t = ctx.t
        let title = t("referrals.title")
        let proposals = m.referrals.filter { $0.status == .proposed }
        let options: [(String, String)] = proposals.map { ($0.providerKey, t("referrals.proposedBy", ["name": $0.providerName, "value": m.facilitatorName ?? ""])) }
            + m.candidates.filter { c in !proposals.contains { $0.providerKey == c.key } }.map { c in
                (c.key, [c.name, [c.city, c.country.map { t.country($0) }].compactMap { $0 }.joined(separator: ", ")].filter { !$0.isEmpty }.joined(separator: " · "))
            }
        return Page(title: title, description: title, canonical: nil, noindex: true, body:
            .div(.class("wrap case-page"),
                .p(.class("eyebrow"), .a(.to(SiteURL.cases.path), .plain(t("cases.title"))), .plain(" › "),
                   .a(.to(SiteURL.caseShow(.value(m.reference)).path), .plain(t("case.title", ["reference": m.reference])))),
                .h1(.plain(title)),
                .p(.class("lead"), .plain(t("referrals.lead", ["provider": m.firstProvider]))),
                .if(m.notice != nil, .div(.class("notice"), .attr("role", "status"), .p(.plain(m.notice ?? "")))),
                sentList(m, t),
                .forEach(proposals.filter { $0.note != nil }) { p in
                    .blockquote(.class("note"), .p(.strong(.plain(p.providerName + ": ")), .plain(p.note ?? "")))
                },
                options.isEmpty
                    ? .p(.class("muted"), .plain(m.facilitatorName == nil ? t("referrals.none.noFacilitator") : t("referrals.none")))
                    : .section(.class("card"),
                        .h2(.plain(t("referrals.choose"))),
                        Fields.summary(state, labels: [providersField: t("referrals.choose"), "consent": t("referrals.consent")], t,
                                       anchors: [providersField: "\(providersField)-0"]),
                        Fields.form(action: SiteURL.caseProviders(.value(m.reference)).path, csrf: csrf, [
                            Fields.hidden("action", "send"),
                            Fields.choices(providersField, legend: t("referrals.choose"), options: options, multiple: true, state: state, t,
                                           hint: t("referrals.choose.hint"), required: true),
                            Fields.checkbox("consent", label: t("referrals.consent"), state: state, t),
                            .button(.type(.submit), .class("button primary"), .plain(t("referrals.send")))])),
                .forEach(proposals) { p in
                    Fields.form(action: SiteURL.caseProviders(.value(m.reference)).path, csrf: csrf, classes: "inline-form", [
                        Fields.hidden("action", "decline"), Fields.hidden("referral", String(p.id)),
                        .button(.type(.submit), .class("button secondary"), .plain(t("referrals.decline", ["name": p.providerName])))])
                },
                .p(.a(.to(SiteURL.caseQuotes(.value(m.reference)).path), .plain(t("referrals.compare"))))
            )).render(ctx)
    }


    static func sentList(_ m: Model, _ t: Localizer) -> Node<HTML.BodyContext> {
        let sent = m.referrals.filter { $0.status == .sent }
        return .section(.h2(.plain(t("referrals.asked"))),
            .ul(.li(.plain(m.firstProvider), .plain(" · "), .a(.to(SiteURL.caseShow(.value(m.reference)).path), .plain(m.reference))),
                .forEach(sent) { r in
                    .li(.plain(r.providerName), .plain(" · "),
                        r.caseReference.map { .a(.to(SiteURL.caseShow(.value($0)).path), .plain($0)) } ?? .empty)
                }))
    }

    /// The facilitator's view on `/pipeline/{reference}`: the providers asked, and the form that proposes more.
    static func pipelineSection(reference: String, cases: [(reference: String, provider: String, status: CaseStatus)], referrals: [ReferralView],
                                candidates: [FacilitatorProfile.Partner], csrf: String, state: FormState, _ t: Localizer) -> Node<HTML.BodyContext> {
        let proposed = referrals.filter { $0.status == .proposed }
        let open = candidates.filter { c in !referrals.contains { $0.providerKey == c.key } }
        return .section(.class("referrals"),
            .h2(.plain(t("referrals.pipeline.title"))),
            .table(.class("data"),
                .thead(.tr(.th(.plain(t("pipeline.table.reference"))), .th(.plain(t("pipeline.case.provider"))), .th(.plain(t("pipeline.case.status"))))),
                .tbody(
                    .forEach(cases) { c in
                        .tr(.td(.a(.to(SiteURL.pipelineCase(.value(c.reference)).path), .plain(c.reference))), .td(.plain(c.provider)),
                            .td(CasePages.statusBadge(c.status, t, .staff)))
                    },
                    .forEach(proposed) { r in
                        .tr(.td(.plain("–")), .td(.plain(r.providerName)), .td(.plain(t("referrals.status.proposed"))))
                    })),
            open.isEmpty ? .p(.class("muted"), .plain(t("referrals.pipeline.noneLeft"))) :
            Fields.form(action: SiteURL.pipelineProviders(.value(reference)).path, csrf: csrf, [
                Fields.summary(state, labels: [providersField: t("referrals.pipeline.choose")], t, anchors: [providersField: "\(providersField)-0"]),
                Fields.choices(providersField, legend: t("referrals.pipeline.choose"),
                               options: open.map { ($0.key, $0.name) }, multiple: true, state: state, t, hint: t("referrals.pipeline.hint"), required: true),
                Fields.textarea("note", label: t("referrals.pipeline.note"), state: state, t, hint: t("referrals.pipeline.noteHint"),
                                maxLength: ReferralLimits.note, rows: 3),
                .button(.type(.submit), .class("button primary"), .plain(t("referrals.pipeline.submit")))]))
    }
}

enum ReferralLimits {
    static let note = 1_000
}
