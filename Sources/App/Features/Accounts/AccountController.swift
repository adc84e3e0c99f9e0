import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Sign-up, sign-in (with a second factor for staff), sign-out, verification and password reset.
enum AccountController {
    // MARK: helpers

    static func html(_ body: String, _ status: HTTPResponseStatus = .ok) -> Response { .html(body, status: status) }

    /// Only site-relative paths are followed after sign-in (no open redirect): printable ASCII without spaces or
    /// backslashes (browsers drop tabs and line breaks, so `/\t/host` would become `//host`), one leading slash.
    static func safeNext(_ raw: String?) -> String? {
        guard let raw, raw.utf8.count <= 200, raw.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") }),
              raw.hasPrefix("/"), !raw.hasPrefix("//"),
              !raw.hasPrefix(SiteURL.signIn.path), !raw.hasPrefix(SiteURL.signOut.path) else { return nil }
        return raw
    }

    static func redirect(_ path: String) -> Response {
        let response = Response(status: .seeOther)
        response.headers.replaceOrAdd(name: .location, value: path)
        return response
    }

    static func landing(for user: User) -> String {
        switch user.roleValue {
        case .patient: return SiteURL.cases.path
        case .provider: return SiteURL.inbox.path
        default: return SiteURL.account.path
        }
    }

    static func limits(_ req: Request) -> AppConfig.RateLimits { req.application.config.rateLimits }
    static func rule(_ limit: Int, _ req: Request) -> RateLimiter.Rule { .init(limit: limit, window: TimeInterval(limits(req).window)) }
    static func emailKey(_ email: String) -> String { SecretToken.digest("email:" + email).prefix(32).description }

    // MARK: account home

    @Sendable static func home(req: Request) async throws -> Response {
        let user = try req.requireUser()
        return html(AccountPages.home(user: user, csrf: req.csrfToken, req.pageContext))
    }

    // MARK: sign-up

    @Sendable static func signUpForm(req: Request) async throws -> Response {
        if req.user != nil { return redirect(SiteURL.account.path) }
        return html(AccountPages.signUp(state: FormState(), csrf: req.csrfToken, next: safeNext(try? req.query.get(String.self, at: "next")), req.pageContext))
    }

    @Sendable static func signUp(req: Request) async throws -> Response {
        let form = try await req.formBody()
        try await RateLimiter.enforce([("sign-up:ip:\(req.auditSource)", rule(limits(req).signUpPerAddress, req))], req: req)
        var reader = FormReader(form.input)
        let name = reader.text("name", max: 100, required: true)
        let email = reader.email("email")
        let password = form.input["password"] ?? ""
        if password.isEmpty { reader.fail("password", .required) }
        else { for p in Passwords.problems(password, email: email, field: "password", app: req.application) { reader.fail(p.field, p.code) } }
        if !reader.checked("terms") { reader.fail("terms", .consentMissing) }
        guard reader.problems.isEmpty, let name, let email else {
            let state = FormState(form.input, problems: reader.problems)
            return html(AccountPages.signUp(state: state, csrf: req.csrfToken, next: safeNext(form.input["next"]), req.pageContext), .unprocessableEntity)
        }
        _ = try await AccountService.signUp(name: name, email: email, password: password, app: req.application, source: req.auditSource, on: req.db)
        let t = req.application.localizer
        // The same answer whether or not the address already had an account.
        return html(AccountPages.notice(t("account.checkEmail.title"), t("account.checkEmail.body"), req.pageContext,
                                        links: [(t("account.signIn.title"), SiteURL.signIn.path)]))
    }

    // MARK: verification

    @Sendable static func verifyForm(req: Request) async throws -> Response {
        let token = (try? req.query.get(String.self, at: "token")) ?? ""
        let valid = try await AccountService.usableToken(token, purpose: .verify, now: req.application.clock.now(), on: req.db) != nil
        return html(AccountPages.verify(token: token, csrf: req.csrfToken, valid: valid, req.pageContext), valid ? .ok : .notFound)
    }

    @Sendable static func verify(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let token = form.input["token"] ?? ""
        guard let userID = try await AccountService.verify(token: token, app: req.application, source: req.auditSource, on: req.db),
              let user = try await User.find(userID, on: req.db) else {
            return html(AccountPages.verify(token: "", csrf: req.csrfToken, valid: false, req.pageContext), .notFound)
        }
        // The link proved the address: patients are signed in; staff still give their password and code.
        if user.roleValue.needsSecondFactor { return redirect(SiteURL.signIn.path) }
        let response = redirect(SiteURL.cases.path)
        try await SessionStore.start(userID: userID, secondFactorDone: true, req: req, response: response)
        return response
    }

    /// A new confirmation link for an address that is not confirmed yet. The answer is the same whether or not
    /// the address has an account, and both the sender and the address are rate limited.
    @Sendable static func resendVerification(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let email = EmailAddress.normalise(form.input["email"] ?? "") ?? ""
        try await RateLimiter.enforce([("verify-resend:ip:\(req.auditSource)", rule(limits(req).resetPerAddress, req)),
                                       ("verify-resend:email:\(emailKey(email))", rule(limits(req).resetPerAddress, req))], req: req)
        if !email.isEmpty, let row = try await User.query(on: req.db).filter(\.$email == email).first(), row.emailVerifiedAt == nil {
            let now = req.application.clock.now()
            try await req.application.writes.transaction(on: req.db) { tx in
                try await AccountService.enqueueVerification(user: row, now: now, app: req.application, on: tx)
            }
        }
        let t = req.application.localizer
        return html(AccountPages.notice(t("account.checkEmail.title"), t("account.checkEmail.resent"), req.pageContext,
                                        links: [(t("account.signIn.title"), SiteURL.signIn.path)]))
    }

    // MARK: sign-in

    @Sendable static func signInForm(req: Request) async throws -> Response {
        if req.user != nil { return redirect(SiteURL.account.path) }
        let reason = (try? req.query.get(String.self, at: "reason")).flatMap { ["signin-required", "consult-existing"].contains($0) ? $0 : nil }
        return html(AccountPages.signIn(state: FormState(), csrf: req.csrfToken, next: safeNext(try? req.query.get(String.self, at: "next")), failed: false,
                                        reason: reason, req.pageContext))
    }

    @Sendable static func signIn(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let email = EmailAddress.normalise(form.input["email"] ?? "") ?? ""
        let password = form.input["password"] ?? ""
        let next = safeNext(form.input["next"])
        try await RateLimiter.enforce(req.passwordAttemptLimits(email: email), req: req)
        let user: User?
        if email.isEmpty || password.isEmpty || password.count > PasswordPolicy.maximumLength {
            _ = try? await Passwords.verify(password, hash: Passwords.dummyHash(app: req.application), app: req.application)
            user = nil
        } else {
            user = try await AccountService.authenticate(email: email, password: password, app: req.application, on: req.db)
        }
        guard let user, let userID = user.id else {
            try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "anonymous", action: "account.sign-in",
                                                 objectType: "session", source: req.auditSource, outcome: .denied), app: req.application)
            var state = FormState()
            state.input["email"] = form.input["email"]
            return html(AccountPages.signIn(state: state, csrf: req.csrfToken, next: next, failed: true, req.pageContext), .unauthorized)
        }
        guard user.emailVerifiedAt != nil else {
            // The right password, but the address was never confirmed: no session (whoever signed up first with
            // someone else's address must not keep one), only a way to get a new link.
            try await AuditLog.record(AuditEntry(actorUserID: userID, actorRole: user.role, action: "account.sign-in.unverified",
                                                 objectType: "session", source: req.auditSource, outcome: .denied), app: req.application)
            return html(AccountPages.unverified(email: user.email, csrf: req.csrfToken, req.pageContext), .forbidden)
        }
        let needsCode = user.roleValue.needsSecondFactor
        try await AuditLog.record(AuditEntry(actorUserID: userID, actorRole: user.role, action: needsCode ? "account.sign-in.password" : "account.sign-in",
                                             objectType: "session", source: req.auditSource), app: req.application)
        let destination: String
        if needsCode {
            destination = user.totpEnabledAt != nil ? SiteURL.twoFactor.path : SiteURL.twoFactorSetup.path
        } else {
            destination = next ?? landing(for: user)
        }
        let response = redirect(destination)
        try await SessionStore.start(userID: userID, secondFactorDone: !needsCode, req: req, response: response)
        req.rememberDevice(email: user.email, on: response)
        return response
    }

    @Sendable static func signOut(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let response = redirect(SiteURL.home.path)
        if let user = req.signedIn {
            try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "account.sign-out",
                                                 objectType: "session", source: req.auditSource), app: req.application)
        }
        try await SessionStore.end(req: req, response: response)
        return response
    }

    // MARK: second factor

    @Sendable static func twoFactorForm(req: Request) async throws -> Response {
        guard let pending = req.signedIn else { return redirect(SiteURL.signIn.path) }
        if pending.isComplete { return redirect(SiteURL.account.path) }
        guard pending.totpEnabled else { return redirect(SiteURL.twoFactorSetup.path) }
        return html(AccountPages.twoFactor(state: FormState(), csrf: req.csrfToken, failed: false, req.pageContext))
    }

    @Sendable static func twoFactor(req: Request) async throws -> Response {
        let form = try await req.formBody()
        guard let pending = req.signedIn else { return redirect(SiteURL.signIn.path) }
        try await RateLimiter.enforce([("two-factor:user:\(pending.id)", rule(limits(req).signInPerAccount, req))], req: req)
        guard let user = try await User.find(pending.id, on: req.db), let sealed = user.totpSecret,
              let secret = try? req.application.vault.openWithMaster(sealed, context: "totp:\(pending.id)") else {
            return redirect(SiteURL.twoFactorSetup.path)
        }
        let now = req.application.clock.now()
        guard let step = SignInCode.match(form.input["code"] ?? "", secret: secret, at: now, lastUsed: user.totpLastStep) else {
            try await AuditLog.record(AuditEntry(actorUserID: pending.id, actorRole: user.role, action: "account.sign-in.code",
                                                 objectType: "session", source: req.auditSource, outcome: .denied), app: req.application)
            return html(AccountPages.twoFactor(state: FormState(), csrf: req.csrfToken, failed: true, req.pageContext), .unauthorized)
        }
        let accepted = try await req.application.writes.transaction(on: req.db) { tx -> Bool in
            // One conditional write decides: the step moves forward only if no request used this code (or a later
            // one) first, so of two requests with the same code exactly one signs in.
            guard try await AccountService.claimCodeStep(step, userID: pending.id, on: tx) else { return false }
            try await AuditLog.append(AuditEntry(actorUserID: pending.id, actorRole: user.role, action: "account.sign-in",
                                                 objectType: "session", source: req.auditSource), at: now, app: req.application, on: tx)
            return true
        }
        guard accepted else {
            return html(AccountPages.twoFactor(state: FormState(), csrf: req.csrfToken, failed: true, req.pageContext), .unauthorized)
        }
        let response = redirect(landing(for: user))
        try await SessionStore.start(userID: pending.id, secondFactorDone: true, req: req, response: response)
        return response
    }

    @Sendable static func twoFactorSetupForm(req: Request) async throws -> Response {
        guard let pending = req.signedIn else { return redirect(SiteURL.signIn.path) }
        if pending.totpEnabled && !pending.isComplete { return redirect(SiteURL.twoFactor.path) }
        if pending.totpEnabled { return redirect(SiteURL.account.path) }
        let secret = SignInCode.newSecret()
        let uri = SignInCode.provisioningURI(secret: secret, account: pending.email, issuer: req.application.localizer("site.name"))
        return html(AccountPages.twoFactorSetup(secret: SignInCode.base32(secret), uri: uri, csrf: req.csrfToken, failed: false, req.pageContext))
    }

    @Sendable static func twoFactorSetup(req: Request) async throws -> Response {
        let form = try await req.formBody()
        guard let pending = req.signedIn else { return redirect(SiteURL.signIn.path) }
        guard !pending.totpEnabled else { return redirect(SiteURL.account.path) }
        let encoded = form.input["secret"] ?? ""
        guard let secret = SignInCode.decodeBase32(encoded), secret.count == 20 else { throw Abort(.badRequest) }
        let now = req.application.clock.now()
        guard let step = SignInCode.match(form.input["code"] ?? "", secret: secret, at: now, lastUsed: nil) else {
            let uri = SignInCode.provisioningURI(secret: secret, account: pending.email, issuer: req.application.localizer("site.name"))
            return html(AccountPages.twoFactorSetup(secret: encoded, uri: uri, csrf: req.csrfToken, failed: true, req.pageContext), .unprocessableEntity)
        }
        let sealed = try req.application.vault.sealWithMaster(secret, context: "totp:\(pending.id)")
        let enrolled = try await req.application.writes.transaction(on: req.db) { tx -> Bool in
            // Only the first enrolment sets the secret: one conditional write, so two setups at once cannot both win
            // (nor overwrite a secret the owner set up meanwhile).
            struct Changed: Decodable { let id: Int }
            let changed = try await (tx as! any SQLDatabase).update("users")
                .set("totp_secret", to: SQLBind(sealed)).set("totp_enabled_at", to: SQLBind(now)).set("totp_last_step", to: SQLBind(step))
                .where("id", .equal, SQLBind(pending.id)).where("totp_enabled_at", .is, SQLLiteral.null)
                .returning("id").all(decoding: Changed.self)
            guard changed.count == 1 else { return false }
            try await AuditLog.append(AuditEntry(actorUserID: pending.id, actorRole: pending.role.rawValue, action: "account.two-factor.enable",
                                                 objectType: "user", objectID: String(pending.id), source: req.auditSource), at: now, app: req.application, on: tx)
            return true
        }
        guard enrolled else { return redirect(SiteURL.twoFactor.path) }
        guard let user = try await User.find(pending.id, on: req.db) else { throw Abort(.notFound) }
        let response = redirect(landing(for: user))
        try await SessionStore.start(userID: pending.id, secondFactorDone: true, req: req, response: response)
        return response
    }

    // MARK: reset

    @Sendable static func resetForm(req: Request) async throws -> Response {
        if let token = try? req.query.get(String.self, at: "token") {
            let valid = try await AccountService.usableToken(token, purpose: .reset, now: req.application.clock.now(), on: req.db) != nil
            guard valid else {
                let t = req.application.localizer
                return html(AccountPages.notice(t("account.verify.invalidTitle"), t("account.reset.invalid"), req.pageContext,
                                                links: [(t("account.reset.title"), SiteURL.reset.path)]), .notFound)
            }
            return html(AccountPages.resetChoose(token: token, state: FormState(), csrf: req.csrfToken, req.pageContext))
        }
        return html(AccountPages.resetRequest(state: FormState(), csrf: req.csrfToken, req.pageContext))
    }

    @Sendable static func reset(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let t = req.application.localizer
        if let token = form.input["token"] {
            let now = req.application.clock.now()
            guard let row = try await AccountService.usableToken(token, purpose: .reset, now: now, on: req.db),
                  let user = try await User.find(row.$user.id, on: req.db) else {
                return html(AccountPages.notice(t("account.verify.invalidTitle"), t("account.reset.invalid"), req.pageContext,
                                                links: [(t("account.reset.title"), SiteURL.reset.path)]), .notFound)
            }
            let password = form.input["password"] ?? ""
            let problems = password.isEmpty ? [FieldProblem("password", .required)]
                : Passwords.problems(password, email: user.email, field: "password", app: req.application)
            guard problems.isEmpty else {
                return html(AccountPages.resetChoose(token: token, state: FormState(FormInput(), problems: problems), csrf: req.csrfToken, req.pageContext), .unprocessableEntity)
            }
            guard try await AccountService.setPassword(userID: try user.requireID(), password: password, consumingToken: row.id,
                                                       keepSession: nil, app: req.application, source: req.auditSource, on: req.db) else {
                throw Abort(.notFound)
            }
            let response = html(AccountPages.notice(t("account.resetDone.title"), t("account.resetDone.body"), req.pageContext,
                                                    links: [(t("account.signIn.title"), SiteURL.signIn.path)]))
            try await SessionStore.end(req: req, response: response)
            return response
        }
        try await RateLimiter.enforce([("reset:ip:\(req.auditSource)", rule(limits(req).resetPerAddress, req))], req: req)
        var reader = FormReader(form.input)
        guard let email = reader.email("email") else {
            return html(AccountPages.resetRequest(state: FormState(form.input, problems: reader.problems), csrf: req.csrfToken, req.pageContext), .unprocessableEntity)
        }
        try await RateLimiter.enforce([("reset:email:\(emailKey(email))", rule(limits(req).resetPerAddress, req))], req: req)
        try await AccountService.requestReset(email: email, app: req.application, source: req.auditSource, on: req.db)
        return html(AccountPages.notice(t("account.resetSent.title"), t("account.resetSent.body"), req.pageContext))
    }

    // MARK: password change

    @Sendable static func passwordForm(req: Request) async throws -> Response {
        _ = try req.requireUser()
        return html(AccountPages.changePassword(state: FormState(), csrf: req.csrfToken, req.pageContext))
    }

    @Sendable static func changePassword(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser()
        try await RateLimiter.enforce([("sign-in:email:\(emailKey(user.email))", rule(limits(req).signInPerAccount, req))], req: req)
        let current = form.input["current"] ?? ""
        let password = form.input["password"] ?? ""
        var problems: [FieldProblem] = []
        guard let row = try await User.find(user.id, on: req.db) else { throw Abort(.notFound) }
        if !(try await Passwords.verify(current, hash: row.passwordHash, app: req.application)) { problems.append(FieldProblem("current", .mismatch)) }
        problems += password.isEmpty ? [FieldProblem("password", .required)] : Passwords.problems(password, email: user.email, field: "password", app: req.application)
        guard problems.isEmpty else {
            return html(AccountPages.changePassword(state: FormState(FormInput(), problems: problems), csrf: req.csrfToken, req.pageContext), .unprocessableEntity)
        }
        _ = try await AccountService.setPassword(userID: user.id, password: password, consumingToken: nil, keepSession: nil,
                                                 app: req.application, source: req.auditSource, on: req.db)
        // Every session ended, this one too; a fresh one starts so the person stays signed in here only.
        let response = redirect(SiteURL.account.path)
        try await SessionStore.start(userID: user.id, secondFactorDone: true, req: req, response: response)
        return response
    }
}
