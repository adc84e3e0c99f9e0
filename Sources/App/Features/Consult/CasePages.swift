import Foundation
import Plot
import Domain

/// The patient's case pages and the provider inbox.
enum CasePages {
    /// Who reads a case page: each side has its own wording ("Your request" for the patient, "The patient's
    /// request" for the team). Staff wording lives under `staff.` keys and falls back to the shared key.
    enum Viewer: Sendable { case patient, staff }

    static func word(_ key: String, _ viewer: Viewer, _ t: Localizer, _ values: [String: String] = [:]) -> String {
        let staffKey = staffPrefix + key
        return viewer == .staff && t.has(staffKey) ? t(staffKey, values) : t(key, values)
    }

    static let staffPrefix = "staff."

    struct ListItem: Sendable {
        let reference: String
        let status: CaseStatus
        let createdAt: Date
        let updatedAt: Date
        let providerName: String
        let procedures: [String]
        /// Unread messages from the other side, for the reader of the list.
        var unread = 0
    }

    static func unreadCell(_ item: ListItem, _ t: Localizer) -> Node<HTML.TableRowContext> {
        .td(item.unread > 0 ? .span(.classes("badge", "unread"), .plain(MessagePages.unreadText(item.unread, t))) : .plain("–"))
    }

    static func statusBadge(_ status: CaseStatus, _ t: Localizer, _ viewer: Viewer = .patient) -> Node<HTML.BodyContext> {
        .span(.classes("badge", "status-\(status.rawValue)"), .plain(word("case.status.\(status.rawValue)", viewer, t)))
    }

    static func patientIndex(_ items: [ListItem], user: SignedInUser, _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("cases.title"), description: t("cases.title"), canonical: nil, noindex: true, body:
            .div(.class("wrap"),
                .h1(.plain(t("cases.title"))),
                .if(!user.emailVerified, .p(.class("notice"), .plain(t("cases.unverified")))),
                items.isEmpty
                    ? .p(.class("lead"), .plain(t("cases.empty")), .plain(" "), .a(.to(SiteURL.providers.path), .plain(t("cases.findProvider"))))
                    : .table(.class("cases"),
                        .thead(.tr(.th(.plain(t("cases.col.reference"))), .th(.plain(t("cases.col.provider"))), .th(.plain(t("cases.col.procedures"))),
                                   .th(.plain(t("cases.col.status"))), .th(.plain(t("cases.col.updated"))), .th(.plain(t("cases.col.messages"))))),
                        .tbody(.forEach(items) { item in
                            .tr(.td(.a(.to(SiteURL.caseShow(.value(item.reference)).path), .plain(item.reference))),
                                .td(.plain(item.providerName)), .td(.plain(item.procedures.joined(separator: ", "))),
                                .td(statusBadge(item.status, t)), .td(.plain(t.date(item.updatedAt))), unreadCell(item, t))
                        }))
            )).render(ctx)
    }

    /// The request as submitted: every answer, labelled.
    /// Answers written as free text (shown with the label above, at full width: they can be long).
    static let longAnswers: Set<String> = ["concerns", "goals", "conditions", "medications", "allergies", "earlier_treatment",
                                           "earlier_surgery", "prepared_with"]

    static func answers(_ d: CaseDetail, _ t: Localizer, _ viewer: Viewer = .patient) -> Node<HTML.BodyContext> {
        guard let r = d.payload?.request else {
            return .section(.class("case-answers"), .h2(.plain(word("case.request", viewer, t))), .p(.class("notice"), .plain(t("case.erased"))))
        }
        func row(_ key: String, _ value: String?) -> Node<HTML.BodyContext> {
            .div(.classes("answer", longAnswers.contains(key) ? "long" : ""),
                 .element(named: "dt", nodes: [.plain(word("consult.field.\(key)", viewer, t))]),
                 .element(named: "dd", nodes: [.plain((value?.isEmpty ?? true) ? t("case.notGiven") : value!)]))
        }
        let budget: String? = {
            switch (r.budgetMin, r.budgetMax) {
            case (nil, nil): return nil
            case let (lo, hi): return "\(lo ?? "–") – \(hi ?? "–") \(r.budgetCurrency)"
            }
        }()
        let travel: String? = (r.travelFrom == nil && r.travelTo == nil) ? nil : "\(r.travelFrom ?? "–") → \(r.travelTo ?? "–")"
        return .section(.class("case-answers"),
            .h2(.plain(word("case.request", viewer, t))),
            .element(named: "dl", nodes: [
                row("procedures", d.procedures.map(\.name).joined(separator: ", ")),
                row("concerns", r.concerns), row("goals", r.goals),
                row("conditions", r.conditions), row("medications", r.medications),
                row("blood_thinners", t("consult.yesno.\(r.bloodThinners.rawValue)")), row("allergies", r.allergies),
                row("smoking", t("consult.smoking.\(r.smoking.rawValue)")), row("pregnancy", t("consult.pregnancy.\(r.pregnancy.rawValue)")),
                row("fillers", t("consult.fillers.\(r.fillers.rawValue)")), row("earlier_treatment", r.earlierTreatment),
                row("earlier_surgery", r.earlierSurgery), row("height_cm", r.heightCm.map { "\($0) cm" }), row("weight_kg", r.weightKg.map { "\($0) kg" }),
                row("travel_from", travel), row("companions", "\(r.companions)"), row("budget_min", budget),
                row("contact_channel", t("consult.channel.\(r.contactChannel.rawValue)")), row("phone", r.phone),
                row("language", t.has("language.\(r.language)") ? t("language.\(r.language)") : r.language), row("time_zone", r.timeZone),
                .if(r.preparedWith != nil, row("prepared_with", r.preparedWith)),
            ]))
    }

    static func timeline(_ d: CaseDetail, _ t: Localizer, _ viewer: Viewer = .patient) -> Node<HTML.BodyContext> {
        .section(.class("timeline"),
            .h2(.plain(word("case.timeline", viewer, t))),
            .ol(.forEach(d.events) { e in
                .li(.classes("event", e.byPatient ? "by-patient" : "by-provider"),
                    .time(.datetime(ISO8601DateFormatter().string(from: e.at)), .plain(t.date(e.at))), .plain(" · "),
                    .strong(.plain(word("case.event.\(e.kind)", viewer, t))), .plain(" · "), statusBadge(e.status, t, viewer),
                    .if(e.note != nil, .blockquote(.class("note"), .p(.plain(e.note ?? "")))))
            }))
    }

    static func photos(_ d: CaseDetail, link: (String) -> String, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard !d.photos.isEmpty else { return .p(.class("hint"), .plain(t("case.noPhotos"))) }
        return .section(.class("case-photos"),
            .h2(.plain(t("case.photos"))),
            .ul(.class("photo-grid"), .forEach(d.photos) { p in
                .li(.a(.to(link(p.id)),
                       .img(.attr("src", link(p.id)), .attr("alt", t("case.photoAlt", ["n": "\(p.position)"])), .attr("loading", "lazy"), .attr("width", "240"))))
            }))
    }

    static func patientShow(_ d: CaseDetail, csrf: String, state: FormState, extra: Node<HTML.BodyContext> = .empty, _ ctx: PageContext) -> String {
        let t = ctx.t
        let question = d.events.last(where: { $0.kind == CaseAction.requestInfo.rawValue })?.note
        return Page(title: t("case.title", ["reference": d.reference]), description: t("case.title", ["reference": d.reference]),
                    canonical: nil, noindex: true, body:
            .div(.class("wrap case-page"),
                .p(.class("eyebrow"), .a(.to(SiteURL.cases.path), .plain(t("cases.title")))),
                .h1(.plain(t("case.title", ["reference": d.reference]))),
                .p(.class("lead"), .plain(t("case.sentTo", ["provider": d.providerName])), .plain(" "), statusBadge(d.status, t)),
                .p(.class("status-explain"), .plain(t("case.explain.\(d.status.rawValue)"))),
                .if(d.status == .infoRequested, .section(.class("reply"),
                    .h2(.plain(t("case.reply.title"))),
                    .if(question != nil, .blockquote(.class("note"), .p(.plain(question ?? "")))),
                    Fields.summary(state, labels: ["answer": t("case.reply.field")], t),
                    Fields.form(action: SiteURL.caseReply(.value(d.reference)).path, csrf: csrf, [
                        Fields.textarea("answer", label: t("case.reply.field"), state: state, t, required: true, maxLength: ConsultationLimits.longText),
                        .button(.type(.submit), .class("button primary"), .plain(t("case.reply.submit")))]))),
                extra,
                timeline(d, t),
                answers(d, t),
                photos(d, link: { SiteURL.casePhoto(case: .value(d.reference), photo: .value($0)).path }, t),
                .if(d.status != .withdrawn, .section(.class("withdraw"),
                    .h2(.plain(t("case.withdraw.title"))),
                    .p(.plain(t("case.withdraw.body"))),
                    Fields.form(action: SiteURL.caseWithdraw(.value(d.reference)).path, csrf: csrf, [
                        Fields.checkbox("confirm", label: t("case.withdraw.confirm"), state: state, t),
                        .button(.type(.submit), .class("button danger"), .plain(t("case.withdraw.submit")))]))),
                Fragments.disclaimer(t)
            )).render(ctx)
    }

    // MARK: inbox

    struct InboxFilters: Sendable {
        var status: CaseStatus?
        var procedure: String?
        var from: Date?
        var to: Date?
        var waitingForQuote = false
        var page: Int = 1
    }

    static func inboxIndex(_ items: [ListItem], total: Int, filters: InboxFilters, procedures: [(String, String)],
                           pageSize: Int, _ ctx: PageContext) -> String {
        let t = ctx.t
        let statuses = CaseStatus.allCases.filter(\.visibleToProvider)
        var query: [(String, String)] = []
        if let s = filters.status { query.append(("status", s.rawValue)) }
        if let p = filters.procedure { query.append(("procedure", p)) }
        if let f = filters.from { query.append(("from", ISODate.format(f))) }
        if let to = filters.to { query.append(("to", ISODate.format(to))) }
        if filters.waitingForQuote { query.append(("waiting", "quote")) }
        let pageCount = max(1, (total + pageSize - 1) / pageSize)
        return Page(title: t("inbox.title"), description: t("inbox.title"), canonical: nil, noindex: true, body:
            .div(.class("wrap inbox"),
                .h1(.plain(t("inbox.title"))),
                .form(.class("filters"), .method(.get), .action(SiteURL.inbox.path),
                    .div(.class("field"), .label(.attr("for", "status"), .plain(t("inbox.filter.status"))),
                        .select(.id("status"), .attr("name", "status"),
                            .choice("", t("inbox.filter.any"), selected: filters.status == nil),
                            .forEach(statuses) { .choice($0.rawValue, word("case.status.\($0.rawValue)", .staff, t), selected: filters.status == $0 ) })),
                    .div(.class("field"), .label(.attr("for", "procedure"), .plain(t("inbox.filter.procedure"))),
                        .select(.id("procedure"), .attr("name", "procedure"),
                            .choice("", t("inbox.filter.any"), selected: filters.procedure == nil),
                            .forEach(procedures) { .choice($0.0, $0.1, selected: filters.procedure == $0.0) })),
                    .div(.class("field"), .label(.attr("for", "from"), .plain(t("inbox.filter.from"))),
                        .input(.type(.date), .id("from"), .name("from"), .attr("value", filters.from.map(ISODate.format) ?? ""))),
                    .div(.class("field"), .label(.attr("for", "to"), .plain(t("inbox.filter.to"))),
                        .input(.type(.date), .id("to"), .name("to"), .attr("value", filters.to.map(ISODate.format) ?? ""))),
                    .div(.class("field checkbox"),
                        .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", "checkbox"), .attr("id", "waiting"), .attr("name", "waiting"),
                                                                        .attr("value", "quote"), .flag("checked", filters.waitingForQuote)]),
                        .label(.attr("for", "waiting"), .plain(t("inbox.filter.waiting")))),
                    .button(.type(.submit), .class("button"), .plain(t("inbox.filter.apply")))),
                .p(.class("result-count"), .plain(t.count("inbox.count", total))),
                items.isEmpty ? .p(.class("lead"), .plain(t("inbox.empty"))) :
                    .table(.class("cases"),
                        .thead(.tr(.th(.plain(t("cases.col.reference"))), .th(.plain(t("cases.col.procedures"))),
                                   .th(.plain(t("cases.col.status"))), .th(.plain(t("cases.col.received"))), .th(.plain(t("cases.col.waiting"))),
                                   .th(.plain(t("cases.col.messages"))))),
                        .tbody(.forEach(items) { item in
                            .tr(.td(.a(.to(SiteURL.inboxCase(.value(item.reference)).path), .plain(item.reference))),
                                .td(.plain(item.procedures.joined(separator: ", "))),
                                .td(statusBadge(item.status, t, .staff)), .td(.plain(t.date(item.createdAt))),
                                .td(QuoteService.waitingStatuses.contains(item.status)
                                    ? .span(.class("waiting"), .plain(waitingText(since: item.createdAt, now: ctx.now, t))) : .plain("–")),
                                unreadCell(item, t))
                        })),
                Fragments.pagination(base: .inbox, query: query, page: filters.page, pageCount: pageCount, t)
            )).render(ctx)
    }

    /// "3 days" or "5 hours": how long a case has waited for its quote.
    static func waitingText(since: Date, now: Date, _ t: Localizer) -> String {
        let seconds = max(0, now.timeIntervalSince(since))
        let days = Int(seconds / 86_400)
        return days >= 1 ? t.count("inbox.waiting.days", days) : t.count("inbox.waiting.hours", Int(seconds / 3_600))
    }

    /// What the team can do from the case page, in the order of the journey (a quote is written in its editor).
    static let staffActions: [CaseAction] = [.markInReview, .requestInfo, .bookTreatment, .markTreated, .startAftercare, .close, .decline]
    /// A question or a refusal needs its words; the later steps may carry a note for the patient.
    static let noteRequired: Set<CaseAction> = [.requestInfo, .decline]

    static func inboxShow(_ d: CaseDetail, csrf: String, state: FormState, extra: Node<HTML.BodyContext> = .empty, _ ctx: PageContext) -> String {
        let t = ctx.t
        let actions: [CaseAction] = staffActions.filter { $0.apply(to: d.status, by: .providerStaff) != nil }
        return Page(title: t("inbox.case.title", ["reference": d.reference]), description: d.reference, canonical: nil, noindex: true, body:
            .div(.class("wrap case-page"),
                .p(.class("eyebrow"), .a(.to(SiteURL.inbox.path), .plain(t("inbox.title")))),
                .h1(.plain(t("inbox.case.title", ["reference": d.reference]))),
                .p(.class("lead"), .plain(t("inbox.case.from", ["name": d.payload?.patientName ?? t("case.erasedName"), "date": t.date(d.createdAt)])), .plain(" "), statusBadge(d.status, t, .staff)),
                .p(.class("status-explain"), .plain(word("case.explain.\(d.status.rawValue)", .staff, t))),
                .if(!actions.isEmpty, .section(.class("case-actions"),
                    .h2(.plain(t("inbox.actions"))),
                    .forEach(actions) { action in
                        // Each form has its own field ids, and only the form that was sent shows its problems.
                        let own = state.value("action") == action.rawValue ? state : FormState()
                        let id = "note-\(action.rawValue)"
                        return Fields.form(action: SiteURL.inboxAction(.value(d.reference)).path, csrf: csrf, classes: "action-form", [
                            Fields.hidden("action", action.rawValue),
                            .if(action != .markInReview, .group(
                                Fields.summary(own, labels: ["note": t("inbox.note.\(action.rawValue)")], t, anchors: ["note": id]),
                                Fields.textarea("note", id: id, label: t("inbox.note.\(action.rawValue)"), state: own, t, required: noteRequired.contains(action),
                                                maxLength: ConsultationLimits.longText, rows: 3))),
                            .button(.type(.submit), .class(action == .decline ? "button danger" : "button primary"), .plain(t("inbox.action.\(action.rawValue)")))])
                    })),
                extra,
                answers(d, t, .staff),
                photos(d, link: { SiteURL.inboxPhoto(case: .value(d.reference), photo: .value($0)).path }, t),
                timeline(d, t, .staff),
                Fragments.disclaimer(t)
            )).render(ctx)
    }
}
