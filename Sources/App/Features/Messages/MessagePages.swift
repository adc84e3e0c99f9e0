import Foundation
import Plot
import Domain

/// The conversation of a case, for the patient (`/cases/{reference}/messages`) and the team (`/inbox/{reference}/messages`).
enum MessagePages {
    static func sizeText(_ bytes: Int) -> String {
        bytes >= 1_048_576 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : "\(max(1, bytes / 1_024)) KB"
    }

    /// The addresses of one participant's view of a conversation.
    struct Links {
        let base: SiteURL
        let casePage: SiteURL
        let caseTitleKey: String
        let file: (String) -> SiteURL

        init(_ side: ConversationSide, _ reference: String) {
            let r = Parameter.value(reference)
            switch side {
            case .patient:
                base = .caseMessages(r); casePage = .caseShow(r); caseTitleKey = "case.title"
                file = { .caseAttachment(case: r, attachment: .value($0)) }
            case .provider:
                base = .inboxMessages(r); casePage = .inboxCase(r); caseTitleKey = "inbox.case.title"
                file = { .inboxAttachment(case: r, attachment: .value($0)) }
            case .facilitator:
                base = .pipelineMessages(r); casePage = .pipelineCase(r); caseTitleKey = "pipeline.case.title"
                file = { .pipelineAttachment(case: r, attachment: .value($0)) }
            }
        }
    }

    /// `facilitatorName` is set while a facilitator organisation takes part (the patient's consent names the messages).
    static func page(reference: String, providerName: String, facilitatorName: String?, conversation: ConversationPage, side: ConversationSide,
                     csrf: String, state: FormState, _ ctx: PageContext) -> String {
        let t = ctx.t
        let viewer: CasePages.Viewer = side == .patient ? .patient : .staff
        let links = Links(side, reference)
        let base = links.base
        func fileLink(_ id: String) -> String { links.file(id).path }
        let lead = side == .facilitator ? t("facilitator.messages.lead", ["provider": providerName])
            : CasePages.word("messages.lead", viewer, t, ["provider": providerName])
        return Page(title: t("messages.title", ["reference": reference]), description: t("messages.title", ["reference": reference]),
                    canonical: nil, noindex: true, body:
            .div(.class("wrap conversation-page"),
                .p(.class("eyebrow"), .a(.to(links.casePage.path), .plain(t(links.caseTitleKey, ["reference": reference])))),
                .h1(.plain(t("messages.title", ["reference": reference]))),
                .p(.class("lead"), .plain(lead)),
                .if(facilitatorName != nil && side != .facilitator,
                    .p(.class("notice"), .plain(t("messages.withFacilitator", ["name": facilitatorName ?? ""])))),
                .if(conversation.olderBefore != nil, .p(.a(.class("button"), .to(base.path(query: [("before", "\(conversation.olderBefore ?? 0)")])),
                                                           .plain(t("messages.older"))))),
                conversation.messages.isEmpty ? .p(.class("hint"), .plain(t("messages.empty"))) :
                .ol(.class("messages"), .attr("aria-label", t("messages.listLabel")), .forEach(conversation.messages) { m in
                    item(m, viewer: viewer, providerName: providerName, fileLink: fileLink, t)
                }),
                .if(conversation.newerThan != nil, .p(.a(.class("button"), .to(base.path), .plain(t("messages.latest"))))),
                .section(.class("message-form"), .id("write"),
                    .h2(.plain(t("messages.write"))),
                    Fields.summary(state, labels: ["text": t("messages.field.text"), "attachments": t("messages.field.attachments")], t),
                    Fields.form(action: base.path, csrf: csrf, multipart: true, [
                        Fields.textarea("text", label: t("messages.field.text"), state: state, t, hint: t("messages.field.text.hint"),
                                        maxLength: MessageLimits.maxText, rows: 5),
                        .div(.classes("field", state.hasError("attachments") ? "has-error" : ""),
                            .label(.attr("for", "attachments"), .plain(t("messages.field.attachments")),
                                   .span(.class("optional"), .plain(" " + t("form.optional")))),
                            .p(.class("hint"), .id("attachments-hint"), .plain(t("messages.field.attachments.hint"))),
                            Fields.errors("attachments", state, t),
                            .selfClosedElement(named: "input", attributes: [
                                Attribute<HTML.BodyContext>.attr("type", "file"), .attr("id", "attachments"), .attr("name", "attachments"),
                                .flag("multiple", true),
                                .attr("accept", "image/jpeg,image/png,image/heic,application/pdf"), .attr("aria-describedby", "attachments-hint"),
                            ])),
                        .button(.type(.submit), .class("button primary"), .plain(t("messages.send")))])),
                Fragments.disclaimer(t)
            )).render(ctx)
    }

    static func item(_ m: ShownMessage, viewer: CasePages.Viewer, providerName: String, fileLink: (String) -> String,
                     _ t: Localizer) -> Node<HTML.ListContext> {
        let who = m.mine ? t("messages.you") : author(m, viewer: viewer, providerName: providerName, t)
        let when: Node<HTML.BodyContext> = .element(named: "time", nodes: [.attr("datetime", ISODate.timestamp(m.at)),
                                                                          .plain(t.date(m.at) + " " + clock(m.at) + " UTC")])
        let readState: Node<HTML.BodyContext> = m.mine ? .span(.class("read-state"), .plain(" · " + (m.seen ? t("messages.seen") : t("messages.notSeen")))) : .empty
        let files: Node<HTML.BodyContext> = m.attachments.isEmpty ? .empty
            : .ul(.class("attachments"), .forEach(m.attachments) { attachment($0, link: fileLink($0.id), t) })
        let from = m.side == .patient ? "from-patient" : m.side == .facilitator ? "from-facilitator" : "from-team"
        return .li(.classes("message", from, m.mine ? "mine" : ""), .id("m\(m.id)"),
                   .p(.class("meta"), .strong(.plain(who)), .plain(" · "), when, readState),
                   m.text.isEmpty ? .empty : .p(.class("prewrap"), .plain(m.text)),
                   files)
    }

    static func attachment(_ a: ShownMessage.Attachment, link: String, _ t: Localizer) -> Node<HTML.ListContext> {
        let label = "(" + t("messages.kind.\(a.kind.rawValue)") + ", " + sizeText(a.byteCount) + ")"
        let body: Node<HTML.BodyContext> = a.kind.isInlineImage
            ? .a(.to(link), .img(.attr("src", link), .attr("alt", t("messages.imageAlt", ["name": a.name])), .attr("loading", "lazy"),
                                 .attr("width", "160")), .br(), .plain(a.name))
            : .a(.to(link), .attr("download", a.name), .plain(a.name))
        return .li(body, .plain(" "), .span(.class("hint"), .plain(label)))
    }

    static func author(_ m: ShownMessage, viewer: CasePages.Viewer, providerName: String, _ t: Localizer) -> String {
        switch m.side {
        case .patient: return viewer == .patient ? t("messages.you") : t("messages.patient", ["name": m.authorName])
        case .provider: return t("messages.team", ["name": m.authorName, "provider": providerName])
        case .facilitator: return t("messages.facilitator", ["name": m.authorName])
        }
    }

    static func clock(_ d: Date) -> String {
        let c = ISODate.utcCalendar.dateComponents([.hour, .minute], from: d)
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }

    /// The conversation's entry on a case page, with the unread count.
    static func caseSection(reference: String, unread: Int, viewer: CasePages.Viewer, _ t: Localizer) -> Node<HTML.BodyContext> {
        let link = viewer == .patient ? SiteURL.caseMessages(.value(reference)) : SiteURL.inboxMessages(.value(reference))
        return .section(.class("case-messages"),
            .h2(.plain(t("messages.section"))),
            .p(.plain(CasePages.word("messages.sectionLead", viewer, t)), .plain(" "),
               .if(unread > 0, .span(.classes("badge", "unread"), .plain(unreadText(unread, t))))),
            .p(.a(.class("button"), .to(link.path), .plain(t("messages.open")))))
    }

    static func unreadText(_ n: Int, _ t: Localizer) -> String { n >= 100 ? t("messages.unreadMany") : t.count("messages.unread", n) }
}
