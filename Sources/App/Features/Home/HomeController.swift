import Foundation
import Vapor
import Fluent
import Plot
import Domain

enum HomeController {
    @Sendable static func show(req: Request) async throws -> Response {
        let now = req.application.clock.now()
        let articles = try await MagazineQueries.list(text: nil, categoryID: nil, paging: Paging(page: 1, perPage: 4), on: req.db)
        let procedures = try await ProcedureQueries.all(on: req.db)
        let providers = try await ProviderSearch.run(ProviderSearchQuery(verifiedOnly: true, paging: Paging(page: 1, perPage: 6)), on: req.db, now: now, facets: false, index: req.application.providerFilterIndex)
        let categories = try await MagazineQueries.categories(on: req.db)
        let counts = (providers: try await Practitioner.query(on: req.db).count(), verified: providers.total)
        return .html(HomeShow.render(.init(articles: articles.items, procedures: procedures, providers: providers.items,
                                           categories: categories.map { ($0.slug, $0.name) }, providerCount: counts.providers,
                                           verifiedCount: counts.verified), ctx: req.pageContext))
    }
}

/// `/`: the front page.
enum HomeShow {
    struct Model {
        var articles: [ArticleCard]
        var procedures: [ProcedureSummary]
        var providers: [ProviderCard]
        var categories: [(String, String)]
        var providerCount: Int
        var verifiedCount: Int
    }

    static func render(_ m: Model, ctx: PageContext) -> String {
        let t = ctx.t
        let lead = m.articles.first
        let featuredProcedures = Array(m.procedures.prefix(8))
        return Page(
            title: t("site.name"), description: t("home.description"), canonical: .home,
            jsonLD: [JSONLD.script(["@type": "WebSite", "name": .string(t("site.name")), "url": .string(ctx.absolute(.home)),
                                    "potentialAction": ["@type": "SearchAction", "target": .string(ctx.baseURL + SiteURL.providers.path + "?q={query}"),
                                                        "query-input": "required name=query"]])],
            body: .group(
                .section(.class("hero"),
                    .div(.class("wrap"),
                        .h1(.plain(t("home.heading"))),
                        .p(.class("lead"), .plain(t("home.lead"))),
                        .form(.class("hero-search"), .attr("action", SiteURL.providers.path), .method(.get), .attr("role", "search"),
                            .label(.attr("for", "hero-q"), .class("visually-hidden"), .plain(t("search.label"))),
                            .input(.type(.search), .id("hero-q"), .name("q"), .attr("placeholder", t("home.searchPlaceholder")), .attr("maxlength", "\(SearchText.maxQueryLength)")),
                            .button(.type(.submit), .class("button"), .plain(t("home.searchButton")))),
                        .ul(.class("trust-points"),
                            .li(.plain(t("home.trust.verified", ["count": Localizer.grouped(m.verifiedCount)]))),
                            .li(.plain(t("home.trust.ranking"))),
                            .li(.plain(t("home.trust.reviewed")))))),
                .div(.class("wrap"),
                    .if(lead != nil, .section(.class("home-section"),
                        .h2(.plain(t("home.fromMagazine"))),
                        .ul(.class("article-grid"), .forEach(m.articles) { .li(MagazineIndex.card($0, ctx)) }),
                        .p(.a(.class("button secondary"), .to(SiteURL.magazine.path), .plain(t("home.allArticles")))))),
                    .section(.class("home-section"),
                        .h2(.plain(t("home.guides"))),
                        .ul(.class("procedure-grid"), .forEach(featuredProcedures) { p in
                            .li(.class("card"), .h3(.a(.to(SiteURL.procedure(.value(p.slug)).path), .plain(p.name))), .p(.class("eyebrow"), .plain(p.categoryName)), .p(.plain(p.summary)))
                        }),
                        .p(.a(.class("button secondary"), .to(SiteURL.procedures.path), .plain(t.count("home.allGuides", m.procedures.count))))),
                    .section(.class("home-section"),
                        .h2(.plain(t("home.verifiedProviders"))),
                        .p(.plain(t("home.verifiedExplain")), .plain(" "), .a(.to(SiteURL.howWeRank.path), .plain(t("search.howWeRank")))),
                        .ul(.class("cards"), .forEach(m.providers) { .li(ProviderIndex.card($0, ctx)) }),
                        .p(.a(.class("button secondary"), .to(SiteURL.providers.path), .plain(t.count("home.allProviders", m.providerCount))))),
                    .section(.class("home-section"),
                        .h2(.plain(t("home.browse"))),
                        .ul(.class("chips"), .forEach(m.categories) { slug, name in .li(.a(.to(SiteURL.category(.value(slug)).path), .plain(name))) })),
                    .section(.class("home-section how"),
                        .h2(.plain(t("home.howItWorks"))),
                        .ol(.class("steps"),
                            .li(.strong(.plain(t("home.step1.title"))), .p(.plain(t("home.step1.body")))),
                            .li(.strong(.plain(t("home.step2.title"))), .p(.plain(t("home.step2.body")))),
                            .li(.strong(.plain(t("home.step3.title"))), .p(.plain(t("home.step3.body")))),
                            .li(.strong(.plain(t("home.step4.title"))), .p(.plain(t("home.step4.body")))))),
                    Fragments.disclaimer(t)
                )
            )
        ).render(ctx)
    }
}
