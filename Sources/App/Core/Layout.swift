import Foundation
import Plot
import Vapor
import Domain
import NIOConcurrencyHelpers

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
        PageContext(t: application.localizer, baseURL: application.config.baseURL, path: sitePath, now: application.clock.now())
    }

    private struct SitePathKey: StorageKey { typealias Value = String }

    /// `url.path`, worked out once per request: Vapor derives it anew at every call, through Foundation (the session
    /// guard, the render cache's key and the page context each asked for it).
    var sitePath: String {
        if let path = storage[SitePathKey.self] { return path }
        let path = url.path
        storage[SitePathKey.self] = path
        return path
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
    var body: Node<HTML.BodyContext> = .empty
    /// The body written by an `HTMLWriter` (the pages read most), used instead of `body`.
    var written: String? = nil

    /// The document around `body`. The head is written straight into one string, with every value escaped as
    /// Plot's nodes would write it (text by `HTMLEscaping.text`, attributes by `HTMLEscaping.attribute`); the site
    /// header and footer are rendered by Plot once per language, base address and current section (`Chrome`); only
    /// the breadcrumbs and the body go through Plot per request. Plot copies each element's output into its parent,
    /// so every level of nesting costs a copy of everything below it: rendering the whole document through it was a
    /// sixth of an uncached page's time.
    func render(_ ctx: PageContext) -> String {
        let t = ctx.t
        let bodyHTML = written ?? body.render()
        let siteName = t("site.name")
        var out = ""
        out.reserveCapacity(bodyHTML.utf8.count + 6_144)
        func meta(_ attribute: String, _ name: String, _ content: String) {
            out += "<meta " + attribute + "=\"" + name + "\" content=\"" + HTMLEscaping.attribute(content) + "\"/>"
        }
        out += "<!DOCTYPE html><html lang=\"" + HTMLEscaping.attribute(t.language) + "\"><head><meta charset=\"UTF-8\"/>"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
        out += "<title>" + HTMLEscaping.text(title == siteName ? title : title + " · " + siteName) + "</title>"
        meta("name", "description", description)
        let canonicalURL = canonical.map { ctx.baseURL + $0.path(query: canonicalQuery) }
        if let canonicalURL { out += "<link rel=\"canonical\" href=\"" + HTMLEscaping.attribute(canonicalURL) + "\"/>" }
        if noindex { out += "<meta name=\"robots\" content=\"noindex\"/>" }
        out += "<link rel=\"stylesheet\" href=\"" + HTMLEscaping.attribute(SiteURL.stylesheet.path) + "\"/>"
        out += "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"" + HTMLEscaping.attribute(t("feed.title"))
            + "\" href=\"" + HTMLEscaping.attribute(SiteURL.feed.path) + "\"/>"
        meta("property", "og:title", social?.title ?? title)
        meta("property", "og:description", social?.description ?? description)
        if let canonicalURL { meta("property", "og:url", canonicalURL) }
        if let image = social?.image {
            meta("property", "og:image", ctx.baseURL + SiteURL.media(id: .value(image), width: .value("1024")).path)
            out += "<meta name=\"twitter:card\" content=\"summary_large_image\"/>"
        }
        for block in jsonLD { out += block.value }
        out += "</head><body><a class=\"skip-link\" href=\"#main\">" + HTMLEscaping.text(t("nav.skip")) + "</a>"
        out += Chrome.header(ctx)
        out += "<main id=\"main\">"
        if !breadcrumbs.isEmpty { out += Self.breadcrumbTrail(breadcrumbs, ctx) }
        out += bodyHTML
        out += "</main>"
        out += Chrome.footer(ctx)
        out += "</body></html>"
        return out
    }

    /// The site navigation: which of its sections the current path is in (marked `aria-current`).
    static let sections: [(key: String, url: SiteURL)] = [
        ("nav.magazine", .magazine), ("nav.procedures", .procedures), ("nav.providers", .providers), ("nav.decide", .decide),
        ("nav.howWeRank", .howWeRank), ("nav.account", .account),
    ]

    static func current(_ path: String) -> Set<Int> {
        Set(sections.indices.filter { i in let p = sections[i].url.path; return path == p || path.hasPrefix(p + "/") })
    }

    static func header(_ t: Localizer, current: Set<Int>) -> Node<HTML.BodyContext> {
        return .header(.class("site-header"),
            .div(.class("wrap header-row"),
                .a(.class("brand"), .to(SiteURL.home.path),
                   .span(.class("brand-mark"), .attr("aria-hidden", "true"), .plain("+")),
                   .span(.plain(t("site.name")))),
                .nav(.attr("aria-label", t("nav.label")),
                    .ul(.forEach(sections.indices) { i in
                        .li(.a(.to(sections[i].url.path),
                               .if(current.contains(i), .attr("aria-current", "page")),
                               .plain(t(sections[i].key))))
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

    static func footer(_ t: Localizer) -> Node<HTML.BodyContext> {
        return .footer(.class("site-footer"),
            .div(.class("wrap footer-grid"),
                .div(.p(.strong(.plain(t("site.name")))), .p(.plain(t("footer.mission")))),
                .nav(.attr("aria-label", t("footer.explore")),
                    .ul(
                        .li(.a(.to(SiteURL.magazine.path), .plain(t("nav.magazine")))),
                        .li(.a(.to(SiteURL.procedures.path), .plain(t("nav.procedures")))),
                        .li(.a(.to(SiteURL.providers.path), .plain(t("nav.providers")))),
                        .li(.a(.to(SiteURL.facilitators.path), .plain(t("nav.facilitators")))),
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

    /// The trail above a page's heading, written as Plot wrote it (its nodes were an eighth of the document's time).
    static func breadcrumbTrail(_ crumbs: [(String, SiteURL?)], _ ctx: PageContext) -> String {
        HTMLWriter.render(reserving: 512) { w in
            w.element("nav", .cls("breadcrumbs wrap"), .attr("aria-label", ctx.t("nav.breadcrumbs"))) { w in
                w.element("ol") { w in
                    for (label, url) in crumbs {
                        w.element("li") { w in
                            if let url { w.link(url.path, label) } else { w.element("span", .attr("aria-current", "page"), text: label) }
                        }
                    }
                }
            }
        }
    }
}

/// The site header and footer as rendered HTML, made once per language and current section: they are the same on
/// every page but for the `aria-current` mark, and they hold no data of a visitor or a page.
enum Chrome {
    private struct Key: Hashable { let language: String; let current: Set<Int> }
    private static let made = NIOLockedValueBox([Key: String]())

    static func header(_ ctx: PageContext) -> String {
        let key = Key(language: ctx.t.language, current: Page.current(ctx.path))
        if let html = made.withLockedValue({ $0[key] }) { return html }
        let html = Page.header(ctx.t, current: key.current).render()
        made.withLockedValue { $0[key] = html }
        return html
    }

    static func footer(_ ctx: PageContext) -> String {
        let key = Key(language: ctx.t.language, current: [-1])
        if let html = made.withLockedValue({ $0[key] }) { return html }
        let html = Page.footer(ctx.t).render()
        made.withLockedValue { $0[key] = html }
        return html
    }
}

/// Shared pieces that several pages show.
enum Fragments {
    /// The medical disclaimer shown on every clinical page.
    static func disclaimer(_ t: Localizer) -> Node<HTML.BodyContext> { WrittenHTML { disclaimer(&$0, t) }.node }

    static func disclaimer(_ w: inout HTMLWriter, _ t: Localizer) {
        w.element("aside", .cls("disclaimer"), .attr("role", "note")) { w in
            w.element("h2", .cls("disclaimer-title"), text: t("disclaimer.title"))
            w.element("p", text: t("disclaimer.body"))
        }
    }

    /// "Medically reviewed by … on …".
    static func review(reviewer: String?, reviewerTitle: String?, date: Date?, _ t: Localizer) -> Node<HTML.BodyContext> {
        WrittenHTML { review(&$0, reviewer: reviewer, reviewerTitle: reviewerTitle, date: date, t) }.node
    }

    static func review(_ w: inout HTMLWriter, reviewer: String?, reviewerTitle: String?, date: Date?, _ t: Localizer) {
        guard let reviewer, let date else { return }
        let who = reviewerTitle.map { "\(reviewer), \($0)" } ?? reviewer
        w.element("p", .cls("review-line")) { w in
            w.element("span", .cls("badge badge-review"), text: t("review.badge"))
            w.text(" ")
            w.text(t("review.line", ["reviewer": who]))
            w.text(" ")
            w.element("time", .attr("datetime", ISODate.format(date)), text: t.date(date))
        }
    }

    /// "Not sure which approach suits you?" with links to the decision aids that cover a page's procedures.
    static func decisionAids(_ aids: [(id: String, title: String)], _ t: Localizer) -> Node<HTML.BodyContext> {
        WrittenHTML { decisionAids(&$0, aids, t) }.node
    }

    static func decisionAids(_ w: inout HTMLWriter, _ aids: [(id: String, title: String)], _ t: Localizer) {
        guard !aids.isEmpty else { return }
        w.element("aside", .cls("decide-callout card")) { w in
            w.element("h2", text: t("decide.callout.title"))
            w.element("p", text: t("decide.callout.body"))
            w.element("ul", .cls("plain-links")) { w in
                for aid in aids {
                    w.element("li") { w in w.element("a", .cls("button secondary"), .href(SiteURL.decideAid(.value(aid.id)).path), text: aid.title) }
                }
            }
        }
    }

    static func sampleBadge(_ t: Localizer) -> Node<HTML.BodyContext> { WrittenHTML { sampleBadge(&$0, t) }.node }

    static func sampleBadge(_ w: inout HTMLWriter, _ t: Localizer) {
        w.element("span", .cls("badge badge-sample"), .attr("title", t("sample.explain")), text: t("sample.badge"))
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
