import Foundation
import Vapor
import Plot
import Domain

/// `/how-we-rank`: the published ranking and verification rules.
enum RankingController {
    @Sendable static func show(req: Request) async throws -> Response {
        let ctx = req.pageContext
        let t = ctx.t
        let rules = (1...5).map { t("rank.rule\($0)") }
        let checks = (1...5).map { t("verify.check\($0)") }
        let page = Page(
            title: t("rank.title"), description: t("rank.description"), canonical: .howWeRank,
            breadcrumbs: [(t("nav.home"), .home), (t("nav.howWeRank"), nil)],
            body: .article(.class("wrap narrow prose"),
                .h1(.plain(t("rank.title"))),
                .p(.class("lead"), .plain(t("rank.lead"))),
                .section(.id("order"), .h2(.plain(t("rank.orderHeading"))), .ol(.forEach(rules) { .li(.plain($0)) })),
                .section(.id("no-paid"), .h2(.plain(t("rank.paidHeading"))), .p(.plain(t("rank.paidBody")))),
                .section(.id("completeness"), .h2(.plain(t("rank.completenessHeading"))), .p(.plain(t("rank.completenessBody")))),
                .section(.id("verification"), .h2(.plain(t("verify.heading"))), .p(.plain(t("verify.lead"))), .ul(.forEach(checks) { .li(.plain($0)) }),
                         .p(.plain(t("verify.expiry")))),
                .section(.id("prices"), .h2(.plain(t("rank.pricesHeading"))), .p(.plain(t("rank.pricesBody", ["date": ExchangeRates.reference.asOf, "source": ExchangeRates.reference.source])))),
                .section(.id("sample"), .h2(.plain(t("rank.sampleHeading"))), .p(.plain(t("sample.explain")))),
                .p(.a(.class("button"), .to(SiteURL.providers.path), .plain(t("rank.search"))))
            )
        )
        return .html(page.render(ctx))
    }
}
