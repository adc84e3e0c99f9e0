import Foundation
import Plot
import Domain

/// `/practice/team` and the invitation page.
extension PracticePages {
    static func team(current: SchedulePages.Workplace, workplaces: [SchedulePages.Workplace], members: [TeamService.Member],
                     invitations: [TeamService.Invitation], activity: [TeamService.Activity], isOwner: Bool, me: Int, state: FormState,
                     notice: String?, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        let action = SiteURL.practiceTeam.path(query: [("provider", current.key)])
        return Page(title: t("practice.team"), description: t("practice.team"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(current, workplaces, ctx),
                .h1(.plain(t("practice.team"))),
                .p(.class("lead"), .plain(isOwner ? t("practice.team.lead.owner") : t("practice.team.lead.staff"))),
                .if(notice != nil, .p(.class("notice success"), .attr("role", "status"), .plain(notice ?? ""))),
                .table(.class("cases"),
                    .caption(.plain(t("practice.team.members", ["provider": current.name]))),
                    .thead(.tr(.th(.plain(t("practice.team.name"))), .th(.plain(t("practice.team.email"))), .th(.plain(t("practice.team.role"))),
                               .th(.plain(t("practice.team.lastSignIn"))), .if(isOwner, .th(.plain(t("practice.team.actions")))))),
                    .tbody(.forEach(members) { m in
                        .tr(.td(.plain(m.name)), .td(.plain(m.email)), .td(.plain(t("practice.team.role.\(m.role.rawValue)"))),
                            .td(.plain(m.lastSignIn.map { t.dateTime($0) } ?? "–")),
                            .if(isOwner, .td(m.userID == me ? .span(.class("muted"), .plain(t("practice.team.you"))) :
                                Fields.form(action: action, csrf: csrf, classes: "inline", [
                                    Fields.hidden("action", "remove"), Fields.hidden("user", "\(m.userID)"),
                                    .button(.type(.submit), .class("button small"), .attr("aria-label", t("practice.team.remove.label", ["name": m.name])),
                                            .plain(t("practice.team.remove")))]))))
                    })),
                .if(isOwner, .group(
                    .h2(.plain(t("practice.team.invitations"))),
                    invitations.isEmpty ? .p(.class("hint"), .plain(t("practice.team.invitations.none"))) :
                    .ul(.forEach(invitations) { i in
                        .li(.plain(t("practice.team.invitation", ["email": i.email, "role": t("practice.team.role.\(i.role.rawValue)"),
                                                                   "date": t.date(i.expiresAt)])),
                            Fields.form(action: action, csrf: csrf, classes: "inline", [
                                Fields.hidden("action", "revoke"), Fields.hidden("invitation", i.id),
                                .button(.type(.submit), .class("button small"), .plain(t("practice.team.revoke")))]))
                    }),
                    .h2(.id("invite"), .plain(t("practice.team.invite"))),
                    .p(.class("hint"), .plain(t("practice.team.invite.hint"))),
                    Fields.summary(state, labels: ["email": t("practice.team.email"), "role": t("practice.team.role")], t, anchors: ["role": "role-0"]),
                    Fields.form(action: action + "#invite", csrf: csrf, [
                        Fields.hidden("action", "invite"),
                        Fields.input("email", label: t("practice.team.email"), type: "email", state: state, t, required: true, autocomplete: "off",
                                     maxLength: EmailAddress.maxLength),
                        Fields.choices("role", legend: t("practice.team.role"), options: [("staff", t("practice.team.role.staff")), ("owner", t("practice.team.role.owner"))],
                                       state: state, t, hint: t("practice.team.role.hint"), required: true),
                        .button(.type(.submit), .class("button primary"), .plain(t("practice.team.send"))),
                    ]))),
                .h2(.plain(t("practice.team.activity"))),
                activity.isEmpty ? .p(.class("hint"), .plain(t("practice.team.activity.none"))) :
                .div(.class("table-scroll"), .table(.class("cases"),
                    .thead(.tr(.th(.plain(t("practice.team.when"))), .th(.plain(t("practice.team.who"))), .th(.plain(t("practice.team.what"))))),
                    .tbody(.forEach(activity) { a in
                        .tr(.td(.plain(t.dateTime(a.at))), .td(.plain(a.who)),
                            .td(.plain(t.has("audit.action.\(a.action)") ? t("audit.action.\(a.action)") : a.action), .if(!a.object.isEmpty, .plain(" · \(a.object)"))))
                    })))
            )).render(ctx)
    }

    static func invitation(_ invitation: TeamService.OpenInvitation?, signedInAs: String?, state: FormState, csrf: String, token: String,
                           _ ctx: PageContext) -> String {
        let t = ctx.t
        guard let invitation else {
            return AccountPages.notice(t("invitation.invalid.title"), t("invitation.invalid.body"), ctx, links: [(t("account.signIn.title"), SiteURL.signIn.path)])
        }
        let intro = t("invitation.lead", ["provider": invitation.workplaceName, "email": invitation.email, "role": t("practice.team.role.\(invitation.role.rawValue)")])
        if let signedInAs {
            return AccountPages.shell(t("invitation.title"), lead: intro, ctx, .group(
                signedInAs == invitation.email
                    ? AccountPages.form(action: SiteURL.invitation.path, csrf: csrf, Fields.hidden("token", token), AccountPages.submit(t("invitation.join")))
                    : .p(.class("notice"), .plain(t("invitation.otherAccount", ["email": invitation.email])))))
        }
        return AccountPages.shell(t("invitation.title"), lead: intro, ctx, .group(
            .p(.plain(t("invitation.newAccount"))),
            Fields.summary(state, labels: ["name": t("account.field.name"), "password": t("account.field.password")], t),
            AccountPages.form(action: SiteURL.invitation.path, csrf: csrf,
                Fields.hidden("token", token),
                Fields.input("name", label: t("account.field.name"), state: state, t, required: true, autocomplete: "name", maxLength: 120),
                Fields.input("password", label: t("account.field.password"), type: "password", state: state, t, hint: t("account.field.password.hint"),
                             required: true, autocomplete: "new-password"),
                AccountPages.submit(t("invitation.create"))),
            .p(.class("hint"), .plain(t("invitation.existing")), .plain(" "),
               .a(.to(SiteURL.signIn.path(query: [("next", SiteURL.invitation.path(query: [("token", token)]))])), .plain(t("account.signIn.title"))))))
    }
}
