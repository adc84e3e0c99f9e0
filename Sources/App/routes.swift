import Vapor

/// Registers every route from `SiteURL`, each through `GuardedRoutes` with its access: the guards sit on the
/// group, never in a handler (a test walks `app.routes.all` and proves them).
func routes(_ app: Application) throws {
    let open = GuardedRoutes(app, .open)
    let forms = GuardedRoutes(app, .openForm)
    let openAPI = GuardedRoutes(app, .openAPI)
    let session = GuardedRoutes(app, .session)
    let signedIn = GuardedRoutes(app, .signedIn([]))
    let patient = GuardedRoutes(app, .signedIn([.patient]))
    let staff = GuardedRoutes(app, .signedIn([.provider]))
    let bearer = GuardedRoutes(app, .bearer)

    open.get(.healthz, use: HealthController.healthz)
    open.get(.readyz, use: HealthController.readyz)
    open.get(.stylesheet, use: StylesheetController.show)
    open.get(.robots, use: HealthController.robots)
    open.get(.legacyProviderProfile, use: ProviderController.legacyRedirect)

    let pages = open.grouped(RenderCacheMiddleware())
    pages.get(.home, use: HomeController.show)
    pages.get(.magazine, query: RenderCacheQuery.magazine, use: MagazineController.index)
    pages.get(.article(.key), use: MagazineController.show)
    pages.get(.category(.key), query: RenderCacheQuery.paging, use: MagazineController.category)
    pages.get(.procedures, use: ProcedureController.index)
    pages.get(.procedure(.key), use: ProcedureController.show)
    pages.get(.providers, query: RenderCacheQuery.providerSearch, use: ProviderController.search)
    // Views are counted in front of the cache, so cached pages count too.
    open.grouped(ProfileViewMiddleware(kind: .practitioner), RenderCacheMiddleware()).get(.provider(.key), use: ProviderController.show)
    open.grouped(ProfileViewMiddleware(kind: .clinic), RenderCacheMiddleware()).get(.clinic(.key), use: ClinicController.show)
    pages.get(.howWeRank, use: RankingController.show)
    pages.get(.terms, use: LegalController.terms)
    pages.get(.privacy, use: LegalController.privacy)
    pages.get(.feed, use: FeedController.atom)
    pages.get(.sitemap, use: FeedController.sitemap)
    pages.get(.api(.articles), query: RenderCacheQuery.apiArticles, use: APIController.articles)
    pages.get(.api(.article(.key)), use: APIController.article)
    pages.get(.api(.procedures), query: RenderCacheQuery.paging, use: APIController.procedures)
    pages.get(.api(.procedure(.key)), use: APIController.procedure)
    pages.get(.api(.providers), query: RenderCacheQuery.providerSearch, use: APIController.providers)
    pages.get(.api(.provider(.key)), use: APIController.provider)

    // Accounts
    open.get(.signUp, use: AccountController.signUpForm)
    forms.post(.signUp, use: AccountController.signUp)
    open.get(.signIn, use: AccountController.signInForm)
    forms.post(.signIn, use: AccountController.signIn)
    open.get(.verify, use: AccountController.verifyForm)
    forms.post(.verify, use: AccountController.verify)
    forms.post(.resendVerification, use: AccountController.resendVerification)
    open.get(.reset, use: AccountController.resetForm)
    forms.post(.reset, use: AccountController.reset)
    session.post(.signOut, use: AccountController.signOut)
    session.get(.twoFactor, use: AccountController.twoFactorForm)
    session.post(.twoFactor, use: AccountController.twoFactor)
    session.get(.twoFactorSetup, use: AccountController.twoFactorSetupForm)
    session.post(.twoFactorSetup, use: AccountController.twoFactorSetup)
    signedIn.get(.account, use: AccountController.home)
    signedIn.get(.password, use: AccountController.passwordForm)
    signedIn.post(.password, use: AccountController.changePassword)
    signedIn.get(.apiTokens, use: APITokenController.index)
    signedIn.post(.apiTokens, use: APITokenController.create)
    signedIn.get(.accountExport, use: AccountDataController.export)
    patient.get(.accountDelete, use: AccountDataController.deleteForm)
    patient.post(.accountDelete, use: AccountDataController.delete)

    // Consultation requests and cases
    open.get(.consult(.key), use: ConsultController.show)
    forms.post(.consult(.key), maxBody: ConsultController.maxBody, use: ConsultController.submit)
    open.get(.consultReceived(.key), use: ConsultController.received)
    patient.get(.cases, use: CaseController.index)
    patient.get(.caseShow(.key), use: CaseController.show)
    patient.post(.caseReply(.key), use: CaseController.reply)
    patient.post(.caseWithdraw(.key), use: CaseController.withdraw)
    patient.get(.casePhoto(case: .key, photo: .key), use: CaseController.photo)
    staff.get(.inbox, use: CaseController.inbox)
    staff.get(.inboxCase(.key), use: CaseController.inboxShow)
    staff.post(.inboxAction(.key), use: CaseController.inboxAction)
    staff.get(.inboxPhoto(case: .key, photo: .key), use: CaseController.inboxPhoto)

    // Quotes
    patient.get(.caseQuotes(.key), use: QuoteController.compare)
    patient.get(.caseQuote(case: .key, quote: .key), use: QuoteController.show)
    patient.post(.caseQuoteAccept(case: .key, quote: .key), use: QuoteController.accept)
    patient.post(.caseQuoteDecline(case: .key, quote: .key), use: QuoteController.decline)
    patient.get(.caseQuoteAgreement(case: .key, quote: .key), use: QuoteController.agreement)
    staff.get(.inboxQuoteNew(.key), use: QuoteController.editorForm)
    staff.post(.inboxQuoteNew(.key), use: QuoteController.editorSubmit)
    staff.get(.inboxQuote(case: .key, quote: .key), use: QuoteController.staffShow)
    staff.get(.inboxQuoteAgreement(case: .key, quote: .key), use: QuoteController.staffAgreement)

    // Conversation
    patient.get(.caseMessages(.key), use: MessageController.patientPage)
    patient.post(.caseMessages(.key), maxBody: MessageLimits.maxBody, use: MessageController.patientPost)
    patient.get(.caseAttachment(case: .key, attachment: .key), use: MessageController.patientAttachment)
    staff.get(.inboxMessages(.key), use: MessageController.staffPage)
    staff.post(.inboxMessages(.key), maxBody: MessageLimits.maxBody, use: MessageController.staffPost)
    staff.get(.inboxAttachment(case: .key, attachment: .key), use: MessageController.staffAttachment)

    // Video consultations
    let participants = GuardedRoutes(app, .signedIn([.patient, .provider]))
    patient.get(.caseBook(.key), use: ScheduleController.bookForm)
    patient.post(.caseBook(.key), use: ScheduleController.book)
    participants.get(.appointment(.key), use: ScheduleController.show)
    participants.post(.appointmentCancel(.key), use: ScheduleController.cancel)
    participants.post(.appointmentReschedule(.key), use: ScheduleController.reschedule)
    staff.get(.practiceAvailability, use: ScheduleController.availabilityForm)
    staff.post(.practiceAvailability, use: ScheduleController.availabilitySave)
    staff.get(.practiceCalendar, use: ScheduleController.calendar)

    // Practice workspace
    staff.get(.practice, use: PracticeController.home)
    staff.get(.practiceProfile, use: PracticeController.profile)
    staff.post(.practiceProfile, use: PracticeController.saveProfile)
    staff.get(.practiceTeam, use: PracticeController.team)
    staff.get(.practicePhotos, use: PracticeController.photos)
    staff.post(.practicePhotos, maxBody: MediaController.maxBody, use: PracticeController.changePhotos)
    staff.get(.practiceAnalytics, use: PracticeController.analytics)
    staff.post(.practiceTeam, use: PracticeController.changeTeam)
    open.get(.invitation, use: InvitationController.show)
    forms.post(.invitation, use: InvitationController.accept)
    staff.get(.practiceCredentials, use: PracticeController.credentials)
    staff.post(.practiceCredentials, maxBody: CredentialService.maxBody, use: PracticeController.submitCredential)
    staff.get(.practiceCredential(.key), use: PracticeController.credential)
    staff.post(.practiceCredential(.key), maxBody: CredentialService.maxBody, use: PracticeController.addEvidence)
    staff.get(.practiceCredentialEvidence(credential: .key, attachment: .key), use: PracticeController.evidenceFile)

    // Administration
    let admin = GuardedRoutes(app, .signedIn([.admin]))
    admin.get(.admin, use: AdminController.home)
    admin.get(.adminApplications, use: ListingController.applications)
    admin.get(.adminApplication(.key), use: ListingController.application)
    admin.post(.adminApplication(.key), use: ListingController.decide)
    admin.post(.adminListings, use: ListingController.listings)
    admin.get(.adminUsers, use: AdminUsersController.users)
    admin.get(.adminUser(.key), use: AdminUsersController.user)
    admin.post(.adminUser(.key), use: AdminUsersController.change)
    admin.get(.adminAudit, use: AdminUsersController.audit)
    open.get(.providerClaim(.key), use: ListingController.claimForm)
    forms.post(.providerClaim(.key), use: ListingController.claim)
    open.get(.listYourPractice, use: ListingController.applyForm)
    forms.post(.listYourPractice, use: ListingController.apply)
    admin.get(.adminCredentials, use: AdminController.credentials)
    admin.get(.adminCredential(.key), use: AdminController.credential)
    admin.post(.adminCredential(.key), use: AdminController.check)
    admin.get(.adminCredentialEvidence(credential: .key, attachment: .key), use: AdminController.evidenceFile)

    // Editorial workspace
    let studio = GuardedRoutes(app, .signedIn([.editor]))
    studio.get(.studio, use: StudioController.dashboard)
    studio.get(.studioArticles, use: StudioController.articles)
    studio.get(.studioReview, use: StudioController.review)
    studio.get(.studioArticleNew, use: StudioController.newForm)
    studio.post(.studioArticleNew, use: StudioController.create)
    studio.get(.studioArticle(.key), use: StudioController.show)
    studio.post(.studioArticle(.key), use: StudioController.save)
    studio.post(.studioArticleActions(.key), use: StudioController.act)
    studio.post(.studioArticleRestore(.key), use: StudioController.restore)
    studio.get(.studioMedia, use: MediaController.library)
    studio.post(.studioMedia, maxBody: MediaController.maxBody, use: MediaController.upload)
    open.get(.media(id: .key, width: .key), use: MediaController.serve)

    // Decision aids
    open.get(.decide, use: DecideController.index)
    open.get(.decideAid(.key), use: DecideController.show)
    forms.post(.decideAid(.key), use: DecideController.submit)
    open.get(.api(.decisionAid(.key)), use: DecideController.apiDefinition)
    openAPI.post(.api(.decisionAidEvaluate(.key)), use: DecideController.apiEvaluate)

    bearer.post(.api(.consultations), maxBody: ConsultationAPI.maxBody, use: ConsultationAPI.create)
    bearer.get(.api(.caseQuotes(.key)), use: JourneyAPI.quotes)
    bearer.post(.api(.caseQuoteAccept(case: .key, quote: .key)), use: JourneyAPI.accept)
    bearer.get(.api(.caseMessages(.key)), use: JourneyAPI.messages)
    bearer.post(.api(.caseMessages(.key)), maxBody: JourneyAPI.messageMaxBody, use: JourneyAPI.sendMessage)
    bearer.get(.api(.appointments), use: JourneyAPI.appointments)
    bearer.post(.api(.appointments), use: JourneyAPI.book)
    bearer.post(.api(.appointmentCancel(.key)), use: JourneyAPI.cancel)
    open.get(.api(.providerSlots(.key)), use: JourneyAPI.slots)

    if app.environment != .production {
        GuardedRoutes(app, .development).get(.devMailbox, use: MailboxController.show)
    }
}

extension Request {
    /// The decoded query string; refused input throws `ParameterError` (answered with 400).
    func queryParameters() throws -> QueryParameters {
        try QueryParameters(raw: url.query)
    }
}

import Domain
