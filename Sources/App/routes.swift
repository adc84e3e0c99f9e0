import Vapor

/// Registers every route from `SiteURL`.
func routes(_ app: Application) throws {
    app.get(SiteURL.healthz.pathComponents, use: HealthController.healthz)
    app.get(SiteURL.readyz.pathComponents, use: HealthController.readyz)
    app.get(SiteURL.stylesheet.pathComponents, use: StylesheetController.show)
    app.get(SiteURL.robots.pathComponents, use: HealthController.robots)
    app.get(SiteURL.legacyProviderProfile.pathComponents, use: ProviderController.legacyRedirect)

    let pages = app.grouped(RenderCacheMiddleware())
    pages.get(SiteURL.home.pathComponents, use: HomeController.show)
    pages.get(SiteURL.magazine.pathComponents, use: MagazineController.index)
    pages.get(SiteURL.article(.key).pathComponents, use: MagazineController.show)
    pages.get(SiteURL.category(.key).pathComponents, use: MagazineController.category)
    pages.get(SiteURL.procedures.pathComponents, use: ProcedureController.index)
    pages.get(SiteURL.procedure(.key).pathComponents, use: ProcedureController.show)
    pages.get(SiteURL.providers.pathComponents, use: ProviderController.search)
    pages.get(SiteURL.provider(.key).pathComponents, use: ProviderController.show)
    pages.get(SiteURL.clinic(.key).pathComponents, use: ClinicController.show)
    pages.get(SiteURL.howWeRank.pathComponents, use: RankingController.show)
    pages.get(SiteURL.feed.pathComponents, use: FeedController.atom)
    pages.get(SiteURL.sitemap.pathComponents, use: FeedController.sitemap)

    pages.get(SiteURL.api(.articles).pathComponents, use: APIController.articles)
    pages.get(SiteURL.api(.article(.key)).pathComponents, use: APIController.article)
    pages.get(SiteURL.api(.procedures).pathComponents, use: APIController.procedures)
    pages.get(SiteURL.api(.procedure(.key)).pathComponents, use: APIController.procedure)
    pages.get(SiteURL.api(.providers).pathComponents, use: APIController.providers)
    pages.get(SiteURL.api(.provider(.key)).pathComponents, use: APIController.provider)

    // Accounts
    app.get(SiteURL.account.pathComponents, use: AccountController.home)
    app.get(SiteURL.signUp.pathComponents, use: AccountController.signUpForm)
    app.post(SiteURL.signUp.pathComponents, use: AccountController.signUp)
    app.get(SiteURL.signIn.pathComponents, use: AccountController.signInForm)
    app.post(SiteURL.signIn.pathComponents, use: AccountController.signIn)
    app.post(SiteURL.signOut.pathComponents, use: AccountController.signOut)
    app.get(SiteURL.verify.pathComponents, use: AccountController.verifyForm)
    app.post(SiteURL.verify.pathComponents, use: AccountController.verify)
    app.post(SiteURL.resendVerification.pathComponents, use: AccountController.resendVerification)
    app.get(SiteURL.reset.pathComponents, use: AccountController.resetForm)
    app.post(SiteURL.reset.pathComponents, use: AccountController.reset)
    app.get(SiteURL.password.pathComponents, use: AccountController.passwordForm)
    app.post(SiteURL.password.pathComponents, use: AccountController.changePassword)
    app.get(SiteURL.twoFactor.pathComponents, use: AccountController.twoFactorForm)
    app.post(SiteURL.twoFactor.pathComponents, use: AccountController.twoFactor)
    app.get(SiteURL.twoFactorSetup.pathComponents, use: AccountController.twoFactorSetupForm)
    app.post(SiteURL.twoFactorSetup.pathComponents, use: AccountController.twoFactorSetup)

    // Consultation requests and cases
    app.get(SiteURL.consult(.key).pathComponents, use: ConsultController.show)
    app.on(.POST, SiteURL.consult(.key).pathComponents, body: .collect(maxSize: ConsultController.maxBody), use: ConsultController.submit)
    app.get(SiteURL.consultReceived(.key).pathComponents, use: ConsultController.received)
    app.get(SiteURL.cases.pathComponents, use: CaseController.index)
    app.get(SiteURL.caseShow(.key).pathComponents, use: CaseController.show)
    app.post(SiteURL.caseReply(.key).pathComponents, use: CaseController.reply)
    app.post(SiteURL.caseWithdraw(.key).pathComponents, use: CaseController.withdraw)
    app.get(SiteURL.accountExport.pathComponents, use: AccountDataController.export)
    app.get(SiteURL.accountDelete.pathComponents, use: AccountDataController.deleteForm)
    app.post(SiteURL.accountDelete.pathComponents, use: AccountDataController.delete)
    app.get(SiteURL.casePhoto(case: .key, photo: .key).pathComponents, use: CaseController.photo)
    app.get(SiteURL.inbox.pathComponents, use: CaseController.inbox)
    app.get(SiteURL.inboxCase(.key).pathComponents, use: CaseController.inboxShow)
    app.post(SiteURL.inboxAction(.key).pathComponents, use: CaseController.inboxAction)
    app.get(SiteURL.inboxPhoto(case: .key, photo: .key).pathComponents, use: CaseController.inboxPhoto)

    app.get(SiteURL.decide.pathComponents, use: DecideController.index)
    app.get(SiteURL.decideAid(.key).pathComponents, use: DecideController.show)
    app.post(SiteURL.decideAid(.key).pathComponents, use: DecideController.submit)
    app.get(SiteURL.api(.decisionAid(.key)).pathComponents, use: DecideController.apiDefinition)
    app.post(SiteURL.api(.decisionAidEvaluate(.key)).pathComponents, use: DecideController.apiEvaluate)

    app.get(SiteURL.apiTokens.pathComponents, use: APITokenController.index)
    app.post(SiteURL.apiTokens.pathComponents, use: APITokenController.create)
    app.on(.POST, SiteURL.api(.consultations).pathComponents, body: .collect(maxSize: ConsultationAPI.maxBody), use: ConsultationAPI.create)

    if app.environment != .production {
        app.get(SiteURL.devMailbox.pathComponents, use: MailboxController.show)
    }
}

extension Request {
    /// The decoded query string; refused input throws `ParameterError` (answered with 400).
    func queryParameters() throws -> QueryParameters {
        try QueryParameters(raw: url.query)
    }
}

import Domain
