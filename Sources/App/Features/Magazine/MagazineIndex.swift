import Foundation
import Plot
import Domain

/// `/magazine` and `/magazine/category/{slug}`: article lists with search and pagination.
enum MagazineIndex {
    struct Model {
        var page: ArticlePage
        var paging: Paging
        var text: String?
        var category: (slug: String, name: String, summary: String)?
        var categories: [(String, String)]
    }

    static func render(_ m: Model, ctx: PageContext) -> String {
        let t = ctx.t
        let base: SiteURL = m.category.map { .category(.value($0.slug)) } ?? .magazine
        let title = m.category?.name ?? (m.text != nil ? t("magazine.searchTitle") : t("magazine.title"))
        let query: [(String, String)] = m.text.map { [("q", $0)] } ?? []
        let searchValue = m.text ?? ""
        var crumbs: [(String, SiteURL?)] = [(t("nav.home"), .home)]
        crumbs += m.category == nil ? [(t("nav.magazine"), nil)] : [(t("nav.magazine"), .magazine), (title, nil)]
        return Page(
            title: title, description: m.category?.summary ?? t("magazine.description"), canonical: base,
            canonicalQuery: m.paging.page > 1 ? [("page", "\(m.paging.page)")] : [],
            breadcrumbs: crumbs, noindex: m.text != nil,
            body: .div(.class("wrap"),
                .h1(.plain(title)),
                .p(.class("lead"), .plain(m.category?.summary ?? t("magazine.intro"))),
                .form(.class("inline-search"), .attr("action", SiteURL.magazine.path), .method(.get), .attr("role", "search"),
                    .label(.attr("for", "magazine-q"), .plain(t("magazine.searchLabel"))),
                    .input(.type(.search), .id("magazine-q"), .name("q"), .attr("value", searchValue), .attr("maxlength", "\(SearchText.maxQueryLength)")),
                    .button(.type(.submit), .plain(t("search.submit")))),
                .nav(.class("category-nav"), .attr("aria-label", t("magazine.categories")),
                    .ul(.li(.a(.to(SiteURL.magazine.path), .if(m.category == nil && m.text == nil, .attr("aria-current", "page")), .plain(t("magazine.all")))),
                        .forEach(m.categories) { slug, name in
                            .li(.a(.to(SiteURL.category(.value(slug)).path), .if(m.category?.slug == slug, .attr("aria-current", "page")), .plain(name)))
                        })),
                .if(m.text != nil, .p(.class("results-count"), .plain(t.count("magazine.count", m.page.total)))),
                m.page.items.isEmpty
                    ? .p(.class("empty"), .plain(t("magazine.none")))
                    : .ul(.class("article-grid"), .forEach(m.page.items) { .li(card($0, ctx)) }),
                Fragments.pagination(base: base, query: query, page: m.paging.page, pageCount: m.paging.pageCount(total: m.page.total), t)
            )
        ).render(ctx)
    }

    static func card(_ a: ArticleCard, _ ctx: PageContext) -> Node<HTML.BodyContext> { WrittenHTML { card(&$0, a, ctx) }.node }

    static func card(_ w: inout HTMLWriter, _ a: ArticleCard, _ ctx: PageContext) {
        let t = ctx.t
        w.element("article", .cls("card article-card")) { w in
            w.element("p", .cls("eyebrow")) { w in w.link(SiteURL.category(.value(a.categorySlug)).path, a.categoryName) }
            w.element("h3") { w in w.link(SiteURL.article(.value(a.slug)).path, a.title) }
            w.element("p", text: a.summary)
            w.element("p", .cls("meta")) { w in
                w.element("time", .attr("datetime", ISODate.format(a.publishedAt)), text: t.date(a.publishedAt))
                w.text(" · ")
                w.text(t.count("article.minutes", a.readingMinutes))
            }
        }
    }
}
