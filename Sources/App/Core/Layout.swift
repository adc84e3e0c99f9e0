import Foundation
import Plot
import Vapor
import Domain

/// What every page view needs besides its own model.
public struct PageContext: Sendable {
    public let t: Localizer
    public let baseURL: String
    public let path: String
    public let now: Date

    func absolute(_ url: SiteURL) -> String { url.absolute(baseURL) }
}

extension Request {
    var pageContext: PageContext {
        PageContext(t: application.localizer, baseURL: application.config.baseURL, path: url.path, now: application.clock.now())
    }
}

/// A finished HTML page: title, description, canonical address, JSON-LD and body.
struct Page {
    var title: String
    var description: String
    var canonical: SiteURL?
    var canonicalQuery: [(String, String)] = []
    var jsonLD: [TrustedHTML] = []
    var breadcrumbs: [(String, SiteURL?)] = []
    var noindex = false
    /// The card shared on social networks (falls back to the title and description).
    var social: SocialCard? = nil
    var body: Node<HTML.BodyContext>

    func render(_ ctx: PageContext) -> String {
        let t = ctx.t
        let canonicalURL = canonical.map { ctx.baseURL + $0.path(query: canonicalQuery) }
        let html = HTML(
            .attribute(named: "lang", value: t.language),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", nodes: [.plain(title == t("site.name") ? title : "\(title) · \(t("site.name"))")]),
                .meta(.name("description"), .attr("content", description)),
                .if(canonicalURL != nil, .link(.rel(.canonical), .to(canonicalURL ?? ""))),
                .if(noindex, .meta(.name("robots"), .content("noindex"))),
                .link(.rel(.stylesheet), .to(SiteURL.stylesheet.path)),
                .link(.rel(.alternate), .type("application/atom+xml"), .attr("title", t("feed.title")), .to(SiteURL.feed.path)),
                .meta(.attr("property", "og:title"), .attr("content", social?.title ?? title)),
                .meta(.attr("property", "og:description"), .attr("content", social?.description ?? description)),
                .if(canonicalURL != nil, .meta(.attr("property", "og:url"), .attr("content", canonicalURL ?? ""))),
                .if(social?.image != nil, .group(
                    .meta(.attr("property", "og:image"), .attr("content", ctx.baseURL + SiteURL.media(id: .value(social?.image ?? ""), width: .value("1024")).path)),
                    .meta(.name("twitter:card"), .content("summary_large_image")))),
                .group(jsonLD.map { .trusted($0) })
            ),
            .body(
                .a(.class("skip-link"), .href("#main"), .plain(t("nav.skip"))),
                Self.header(ctx),
                .main(.id("main"),
                      .if(!breadcrumbs.isEmpty, Self.breadcrumbTrail(breadcrumbs, ctx)),
                      body),
                Self.footer(ctx)
            )
        )
        return html.render()
    }

    static func header(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        let items: [(String, SiteURL)] = [
            (t("nav.magazine"), .magazine), (t("nav.procedures"), .procedures), (t("nav.providers"), .providers), (t("nav.decide"), .decide),
            (t("nav.howWeRank"), .howWeRank), (t("nav.account"), .account),
        ]
        return .header(.class("site-header"),
            .div(.class("wrap header-row"),
                .a(.class("brand"), .to(SiteURL.home.path),
                   .span(.class("brand-mark"), .attr("aria-hidden", "true"), .plain("+")),
                   .span(.plain(t("site.name")))),
                .nav(.attr("aria-label", t("nav.label")),
                    .ul(.forEach(items) { label, url in
                        .li(.a(.to(url.path),
                               .if(ctx.path == url.path || ctx.path.hasPrefix(url.path + "/"), .attr("aria-current", "page")),
                               .plain(label)))
                    })
                ),
                .form(.class("header-search"), .action(SiteURL.providers.path), .method(.get), .attr("role", "search"),
                    .label(.class("visually-hidden"), .attr("for", "header-q"), .plain(t("search.label"))),
                    .input(.type(.search), .id("header-q"), .name("q"), .attr("placeholder", t("search.placeholder")), .attr("maxlength", "\(SearchText.maxQueryLength)")),
                    .button(.type(.submit), .plain(t("search.submit")))
                )
            )
        )
    }

    static func footer(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        return .footer(.class("site-footer"),
            .div(.class("wrap footer-grid"),
                .div(.p(.strong(.plain(t("site.name")))), .p(.plain(t("footer.mission")))),
                .nav(.attr("aria-label", t("footer.explore")),
                    .ul(
                        .li(.a(.to(SiteURL.magazine.path), .plain(t("nav.magazine")))),
                        .li(.a(.to(SiteURL.procedures.path), .plain(t("nav.procedures")))),
                        .li(.a(.to(SiteURL.providers.path), .plain(t("nav.providers")))),
                        .li(.a(.to(SiteURL.howWeRank.path), .plain(t("nav.howWeRank")))),
                        .li(.a(.to(SiteURL.terms.path), .plain(t("legal.terms")))),
                        .li(.a(.to(SiteURL.privacy.path), .plain(t("legal.privacy")))),
                        .li(.a(.to(SiteURL.feed.path), .plain(t("footer.feed"))))
                    )
                ),
                .p(.class("footer-note"), .plain(t("footer.note")))
            )
        )
    }

    static func breadcrumbTrail(_ crumbs: [(String, SiteURL?)], _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .nav(.class("breadcrumbs wrap"), .attr("aria-label", ctx.t("nav.breadcrumbs")),
            .ol(.forEach(crumbs) { label, url in
                .li(url.map { .a(.to($0.path), .plain(label)) } ?? .span(.attr("aria-current", "page"), .plain(label)))
            })
        )
    }
}

/// Shared pieces that several pages show.
enum Fragments {
    /// The medical disclaimer shown on every clinical page.
    static func disclaimer(_ t: Localizer) -> Node<HTML.BodyContext> {
        .aside(.class("disclaimer"), .attr("role", "note"),
            .h2(.class("disclaimer-title"), .plain(t("disclaimer.title"))),
            .p(.plain(t("disclaimer.body"))))
    }

    /// "Medically reviewed by … on …".
    static func review(reviewer: String?, reviewerTitle: String?, date: Date?, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard let reviewer, let date else { return .empty }
        let who = reviewerTitle.map { "\(reviewer), \($0)" } ?? reviewer
        return .p(.class("review-line"),
            .span(.class("badge badge-review"), .plain(t("review.badge"))), .plain(" "),
            .plain(t("review.line", ["reviewer": who])), .plain(" "),
            .time(.datetime(ISODate.format(date)), .plain(t.date(date))))
    }

    /// "Not sure which approach suits you?" with links to the decision aids that cover a page's procedures.
    static func decisionAids(_ aids: [(id: String, title: String)], _ t: Localizer) -> Node<HTML.BodyContext> {
        guard !aids.isEmpty else { return .empty }
        return .aside(.class("decide-callout card"),
            .h2(.plain(t("decide.callout.title"))),
            .p(.plain(t("decide.callout.body"))),
            .ul(.class("plain-links"), .forEach(aids) { aid in .li(.a(.class("button secondary"), .to(SiteURL.decideAid(.value(aid.id)).path), .plain(aid.title))) }))
    }

    static func sampleBadge(_ t: Localizer) -> Node<HTML.BodyContext> {
        .span(.class("badge badge-sample"), .attr("title", t("sample.explain")), .plain(t("sample.badge")))
    }

    /// Numbered page links that keep the current query.
    static func pagination(base: SiteURL, query: [(String, String)], page: Int, pageCount: Int, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard pageCount > 1 else { return .empty }
        func link(_ p: Int) -> String { base.path(query: query + (p > 1 ? [("page", "\(p)")] : [])) }
        // A page past the end is answered with an empty list; the links stay within the real pages.
        let page = max(1, page)
        let centre = min(page, pageCount)
        let window = Array(max(1, centre - 2)...min(pageCount, centre + 2))
        return .nav(.class("pagination"), .attr("aria-label", t("pagination.label")),
            .if(page > 1, .a(.attr("rel", "prev"), .to(link(page - 1)), .plain(t("pagination.previous")))),
            .forEach(window) { p in
                p == page
                    ? .span(.class("current"), .attr("aria-current", "page"), .plain("\(p)"))
                    : .a(.to(link(p)), .attr("aria-label", t("pagination.page", ["page": "\(p)"])), .plain("\(p)"))
            },
            .if(page < pageCount && page >= 1, .a(.attr("rel", "next"), .to(link(page + 1)), .plain(t("pagination.next")))),
            .span(.class("pagination-summary"), .plain(t("pagination.summary", ["page": "\(page)", "count": "\(pageCount)"])))
        )
    }
}
