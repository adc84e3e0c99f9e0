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
}

extension Request {
    /// The decoded query string; refused input throws `ParameterError` (answered with 400).
    func queryParameters() throws -> QueryParameters {
        try QueryParameters(raw: url.query)
    }
}

import Domain
