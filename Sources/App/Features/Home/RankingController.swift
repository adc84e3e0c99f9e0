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
                .h1(.text(t("rank.title"))),
                .p(.class("lead"), .text(t("rank.lead"))),
                .section(.id("order"), .h2(.text(t("rank.orderHeading"))), .ol(.forEach(rules) { .li(.text($0)) })),
                .section(.id("no-paid"), .h2(.text(t("rank.paidHeading"))), .p(.text(t("rank.paidBody")))),
                .section(.id("completeness"), .h2(.text(t("rank.completenessHeading"))), .p(.text(t("rank.completenessBody")))),
                .section(.id("verification"), .h2(.text(t("verify.heading"))), .p(.text(t("verify.lead"))), .ul(.forEach(checks) { .li(.text($0)) }),
                         .p(.text(t("verify.expiry")))),
                .section(.id("prices"), .h2(.text(t("rank.pricesHeading"))), .p(.text(t("rank.pricesBody", ["date": ExchangeRates.reference.asOf, "source": ExchangeRates.reference.source])))),
                .section(.id("sample"), .h2(.text(t("rank.sampleHeading"))), .p(.text(t("sample.explain")))),
                .p(.a(.class("button"), .to(SiteURL.providers.path), .text(t("rank.search"))))
            )
        )
        return .html(page.render(ctx))
    }
}
