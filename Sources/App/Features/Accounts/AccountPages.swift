import Foundation
import Plot
import Domain

/// The account pages: sign-up, sign-in, second factor, reset, verification and messages.
enum AccountPages {
    static func shell(_ title: String, lead: String? = nil, _ ctx: PageContext, _ content: Node<HTML.BodyContext>) -> String {
        Page(title: title, description: lead ?? title, canonical: nil, noindex: true, body:
            .div(.class("wrap narrow account-page"),
                .h1(.plain(title)),
                .if(lead != nil, .p(.class("lead"), .plain(lead ?? ""))),
                content)
        ).render(ctx)
    }

    static func form(action: String, csrf: String, _ nodes: Node<HTML.BodyContext>...) -> Node<HTML.BodyContext> {
        Fields.form(action: action, csrf: csrf, nodes)
    }

    static func submit(_ label: String) -> Node<HTML.BodyContext> {
        .button(.type(.submit), .class("button primary"), .plain(label))
    }

    static func signUp(state: FormState, csrf: String, next: String?, _ ctx: PageContext) -> String {
        let t = ctx.t
        let labels = ["name": t("account.field.name"), "email": t("account.field.email"), "password": t("account.field.password"), "terms": t("account.field.terms")]
        return shell(t("account.signUp.title"), lead: t("account.signUp.lead"), ctx, .group(
            Fields.summary(state, labels: labels, t),
            form(action: SiteURL.signUp.path, csrf: csrf,
                .if(next != nil, Fields.hidden("next", next ?? "")),
                .group(
                    Fields.input("name", label: labels["name"]!, state: state, t, required: true, autocomplete: "name", maxLength: 100),
                    Fields.input("email", label: labels["email"]!, type: "email", state: state, t, required: true, autocomplete: "email", maxLength: EmailAddress.maxLength),
                    Fields.input("password", label: labels["password"]!, type: "password", state: state, t,
                                 hint: t("account.password.hint"), required: true, autocomplete: "new-password", maxLength: PasswordPolicy.maximumLength),
                    Fields.termsCheckbox(label: t("account.field.terms"), state: state, t)
                ),
                submit(t("account.signUp.submit"))),
            .p(.plain(t("account.signUp.haveAccount") + " "), .a(.to(SiteURL.signIn.path), .plain(t("account.signIn.title"))))
        ))
    }

    static func signIn(state: FormState, csrf: String, next: String?, failed: Bool, reason: String? = nil, _ ctx: PageContext) -> String {
        let t = ctx.t
        return shell(t("account.signIn.title"), ctx, .group(
            .if(failed, .div(.class("error-summary"), .attr("role", "alert"), .p(.plain(t("account.signIn.failed"))))),
            .if(!failed && reason != nil, .p(.class("notice"), .attr("role", "status"), .plain(t("account.signIn.reason.\(reason ?? "")")))),
            form(action: SiteURL.signIn.path, csrf: csrf,
                .if(next != nil, Fields.hidden("next", next ?? "")),
                .group(
                    Fields.input("email", label: t("account.field.email"), type: "email", state: state, t, required: true, autocomplete: "username", maxLength: EmailAddress.maxLength),
                    Fields.input("password", label: t("account.field.password"), type: "password", state: state, t, required: true, autocomplete: "current-password", maxLength: PasswordPolicy.maximumLength)
                ),
                submit(t("account.signIn.submit"))),
            .p(.a(.to(SiteURL.reset.path), .plain(t("account.reset.link")))),
            .p(.plain(t("account.signIn.noAccount") + " "), .a(.to(SiteURL.signUp.path), .plain(t("account.signUp.title"))))
        ))
    }

    static func twoFactor(state: FormState, csrf: String, failed: Bool, _ ctx: PageContext) -> String {
        let t = ctx.t
        return shell(t("account.twoFactor.title"), lead: t("account.twoFactor.lead"), ctx, .group(
            .if(failed, .div(.class("error-summary"), .attr("role", "alert"), .p(.plain(t("account.twoFactor.failed"))))),
            form(action: SiteURL.twoFactor.path, csrf: csrf,
                Fields.input("code", label: t("account.field.code"), state: FormState(), t, required: true, autocomplete: "one-time-code", maxLength: 8,
                             extra: [.attr("inputmode", "numeric")]),
                submit(t("account.twoFactor.submit")))
        ))
    }

    static func twoFactorSetup(secret: String, uri: String, csrf: String, failed: Bool, _ ctx: PageContext) -> String {
        let t = ctx.t
        return shell(t("account.twoFactorSetup.title"), lead: t("account.twoFactorSetup.lead"), ctx, .group(
            .if(failed, .div(.class("error-summary"), .attr("role", "alert"), .p(.plain(t("account.twoFactor.failed"))))),
            .ol(.li(.plain(t("account.twoFactorSetup.step1"))),
                .li(.plain(t("account.twoFactorSetup.step2")), .plain(" "), .code(.class("secret"), .plain(secret))),
                .li(.plain(t("account.twoFactorSetup.step3")))),
            .p(.class("hint"), .a(.to(uri), .plain(t("account.twoFactorSetup.link")))),
            form(action: SiteURL.twoFactorSetup.path, csrf: csrf,
                Fields.hidden("secret", secret),
                Fields.input("code", label: t("account.field.code"), state: FormState(), t, required: true, autocomplete: "one-time-code", maxLength: 8,
                             extra: [.attr("inputmode", "numeric")]),
                submit(t("account.twoFactorSetup.submit")))
        ))
    }

    static func resetRequest(state: FormState, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        return shell(t("account.reset.title"), lead: t("account.reset.lead"), ctx, .group(
            Fields.summary(state, labels: ["email": t("account.field.email")], t),
            form(action: SiteURL.reset.path, csrf: csrf,
                Fields.input("email", label: t("account.field.email"), type: "email", state: state, t, required: true, autocomplete: "email", maxLength: EmailAddress.maxLength),
                submit(t("account.reset.submit")))
        ))
    }

    static func resetChoose(token: String, state: FormState, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        return shell(t("account.resetChoose.title"), ctx, .group(
            Fields.summary(state, labels: ["password": t("account.field.newPassword")], t),
            form(action: SiteURL.reset.path, csrf: csrf,
                Fields.hidden("token", token),
                Fields.input("password", label: t("account.field.newPassword"), type: "password", state: state, t,
                             hint: t("account.password.hint"), required: true, autocomplete: "new-password", maxLength: PasswordPolicy.maximumLength),
                submit(t("account.resetChoose.submit")))
        ))
    }

    static func changePassword(state: FormState, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        let labels = ["current": t("account.field.currentPassword"), "password": t("account.field.newPassword")]
        return shell(t("account.password.title"), lead: t("account.password.lead"), ctx, .group(
            Fields.summary(state, labels: labels, t),
            form(action: SiteURL.password.path, csrf: csrf,
                Fields.input("current", label: labels["current"]!, type: "password", state: state, t, required: true, autocomplete: "current-password", maxLength: PasswordPolicy.maximumLength),
                Fields.input("password", label: labels["password"]!, type: "password", state: state, t,
                             hint: t("account.password.hint"), required: true, autocomplete: "new-password", maxLength: PasswordPolicy.maximumLength),
                submit(t("account.password.submit")))
        ))
    }

    static func verify(token: String, csrf: String, valid: Bool, _ ctx: PageContext) -> String {
        let t = ctx.t
        guard valid else {
            return shell(t("account.verify.invalidTitle"), lead: t("account.verify.invalid"), ctx,
                         .p(.a(.to(SiteURL.signIn.path), .plain(t("account.signIn.title")))))
        }
        return shell(t("account.verify.title"), lead: t("account.verify.lead"), ctx,
            form(action: SiteURL.verify.path, csrf: csrf, Fields.hidden("token", token), submit(t("account.verify.submit"))))
    }

    /// "Check your email" and similar notices.
    /// The right password for an address that is not confirmed yet: no session, a way to get a new link.
    static func unverified(email: String, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        return shell(t("account.unverified.title"), lead: t("account.unverified.lead"), ctx, .group(
            form(action: SiteURL.resendVerification.path, csrf: csrf,
                Fields.hidden("email", email),
                submit(t("account.unverified.resend")))))
    }

    static func notice(_ title: String, _ body: String, _ ctx: PageContext, links: [(String, String)] = []) -> String {
        shell(title, ctx, .group(
            .p(.class("lead"), .plain(body)),
            .ul(.class("plain-links"), .forEach(links) { label, href in .li(.a(.to(href), .plain(label))) })))
    }

    /// The account home: who is signed in and what they can do.
    static func home(user: SignedInUser, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        var links: [(String, String)] = []
        switch user.role {
        case .patient: links.append((t("account.home.cases"), SiteURL.cases.path))
        case .provider:
            links.append((t("account.home.inbox"), SiteURL.inbox.path))
            links.append((t("account.home.practice"), SiteURL.practice.path))
        case .editor: links.append((t("account.home.studio"), SiteURL.studio.path))
        case .admin: links.append((t("account.home.admin"), SiteURL.admin.path))
        case .facilitator:
            links.append((t("account.home.pipeline"), SiteURL.pipeline.path))
            links.append((t("facilitatorProfile.title"), SiteURL.facilitatorProfile.path))
        }
        links.append((t("account.password.title"), SiteURL.password.path))
        links.append((t("account.apiTokens.title"), SiteURL.apiTokens.path))
        links.append((t("account.export.json"), SiteURL.accountExport.path))
        links.append((t("account.export.fhir"), SiteURL.accountExport.path(query: [("format", "fhir")])))
        links.append((t("account.home.data"), SiteURL.accountDelete.path))
        return shell(t("account.home.title"), lead: t("account.home.lead", ["name": user.displayName]), ctx, .group(
            .if(!user.emailVerified, .group(
                .p(.class("notice"), .plain(t("account.home.unverified"))),
                form(action: SiteURL.resendVerification.path, csrf: csrf, submit(t("account.home.resend"))))),
            .ul(.class("plain-links"), .forEach(links) { label, href in .li(.a(.to(href), .plain(label))) }),
            form(action: SiteURL.signOut.path, csrf: csrf, .button(.type(.submit), .class("button"), .plain(t("account.signOut"))))
        ))
    }
}
