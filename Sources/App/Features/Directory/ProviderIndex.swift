import Foundation
import Plot
import Domain

/// `/providers`: search with filters, facet counts and pagination.
enum ProviderIndex {
    static func render(query q: ProviderSearchQuery, result r: ProviderSearchResult, procedures: [(String, String)], ctx: PageContext) -> String {
        let t = ctx.t
        let procedureNames = Dictionary(procedures, uniquingKeysWith: { a, _ in a })
        let title = q.isEmpty ? t("search.title") : t("search.titleResults")
        let pageCount = q.paging.pageCount(total: r.total)
        let pieces = CardPieces(t)
        return Page(
            title: title, description: t("search.description"), canonical: .providers, canonicalQuery: q.parameters,
            breadcrumbs: [(t("nav.home"), .home), (t("nav.providers"), nil)],
            noindex: !q.isEmpty,
            body: .div(.class("wrap search-page"),
                .h1(.plain(title)),
                .p(.class("lead"), .plain(t("search.intro")), .plain(" "), .a(.to(SiteURL.howWeRank.path), .plain(t("search.howWeRank")))),
                .div(.class("search-layout"),
                    .aside(.class("filters"), form(q, procedures, ctx), facets(q, r, procedureNames, ctx)),
                    .section(.class("results"), .attr("aria-labelledby", "results-heading"),
                        .h2(.id("results-heading"), .class("results-count"), .plain(t.count("search.count", r.total))),
                        .if(!q.isEmpty, .p(.a(.to(SiteURL.providers.path), .plain(t("search.clear"))))),
                        r.items.isEmpty
                            ? .div(.class("empty"), .p(.plain(t("search.none"))), .p(.plain(t("search.noneHint"))))
                            : .ol(.class("cards"), .forEach(r.items) { .li(card($0, ctx, pieces: pieces)) }),
                        Fragments.pagination(base: .providers, query: q.parameters + (q.paging.perPage != 20 ? [("limit", "\(q.paging.perPage)")] : []),
                                             page: q.paging.page, pageCount: pageCount, t),
                        .p(.class("fineprint"), .plain(t("search.noPaid")), .plain(" "), .a(.to(SiteURL.howWeRank.path), .plain(t("search.howWeRank"))))
                    )
                )
            )
        ).render(ctx)
    }

    /// A result card; on a procedure guide (`consultFor`) it also offers the consultation request for that procedure.
    static func card(_ c: ProviderCard, _ ctx: PageContext, consultFor procedure: String? = nil, pieces: CardPieces? = nil) -> Node<HTML.BodyContext> {
        WrittenHTML { card(&$0, c, ctx, consultFor: procedure, pieces: pieces) }.node
    }

    /// What every card of a list writes the same way, worked out once for the list: the badges, the sentences around
    /// their values, and the consultation link's label and query. (Per card, these lookups, fills and escapes were
    /// most of a card's cost, and a guide writes six.)
    struct CardPieces {
        let verified: WrittenHTML, sample: WrittenHTML, speaks: [String], priceFrom: [String]
        let consult: (label: String, query: String)?

        init(_ t: Localizer, consultFor procedure: String? = nil) {
            verified = WrittenHTML { $0.element("span", .cls("badge badge-verified"), text: t("credential.badge.short")) }
            sample = WrittenHTML { Fragments.sampleBadge(&$0, t) }
            speaks = t.parts("provider.speaks", around: "languages")
            priceFrom = t.parts("price.from", around: "amount")
            consult = procedure.map { (t("consult.cta"), "?" + SiteURL.queryString([("procedure", $0)])) }
        }
    }

    static func card(_ w: inout HTMLWriter, _ c: ProviderCard, _ ctx: PageContext, consultFor procedure: String? = nil, pieces: CardPieces? = nil) {
        let t = ctx.t
        let pieces = pieces ?? CardPieces(t, consultFor: procedure)
        w.element("article", .cls("card provider-card")) { w in
            w.element("h3") { w in w.link(SiteURL.provider(.value(c.slug)).path, c.name) }
            w.element("p", .cls("muted")) { w in
                w.text(c.specialty)
                // " · city, country" (the parts there are, joined), each part escaped as the whole was.
                let country = c.country.map { t.country($0) }
                if !(c.city ?? "").isEmpty || !(country ?? "").isEmpty || (c.city != nil && country != nil) { w.text(" · ") }
                if let city = c.city { w.text(city) }
                if let country { w.text(c.city != nil ? ", " + country : country) }
            }
            w.element("p", .cls("badges")) { w in
                if c.verified { w.written(pieces.verified) }
                if c.isSample { w.written(pieces.sample) }
            }
            if !c.procedures.isEmpty {
                w.element("p") { w in
                    for (n, name) in c.procedures.prefix(4).enumerated() { w.text(n > 0 ? " · " + name : name) }
                }
            }
            if !c.languages.isEmpty {
                w.element("p", .cls("muted")) { w in
                    for (n, part) in pieces.speaks.enumerated() {
                        if n > 0 { for (m, code) in c.languages.enumerated() { w.text(m > 0 ? ", " + t.language(code) : t.language(code)) } }
                        w.text(part)
                    }
                }
            }
            if let price = c.priceFrom {
                let amount = c.priceFromMinor.map { Money.formatted(minor: $0, price.currency) } ?? price.formatted
                w.element("p", .cls("price")) { w in
                    for (n, part) in pieces.priceFrom.enumerated() {
                        if n > 0 { w.text(amount) }
                        w.text(part)
                    }
                }
            }
            if procedure != nil, let consult = pieces.consult {
                w.element("p") { w in
                    w.element("a", .cls("button secondary"), .href(SiteURL.consult(.value(c.slug)).path + consult.query), text: consult.label)
                }
            }
        }
    }

    static func form(_ q: ProviderSearchQuery, _ procedures: [(String, String)], _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        let minText: String = q.minPrice.map { "\($0)" } ?? ""
        let maxText: String = q.maxPrice.map { "\($0)" } ?? ""
        let text: String = q.text ?? ""
        let country: String = q.country ?? ""
        let language: String = q.language ?? ""
        let codes: [String] = ExchangeRates.reference.perEuro.keys.map(\.code).sorted()
        return .form(.class("filter-form"), .attr("action", SiteURL.providers.path), .method(.get),
            .div(.class("field"),
                .label(.attr("for", "q"), .plain(t("search.label"))),
                .input(.type(.search), .id("q"), .name("q"), .attr("value", text), .attr("maxlength", "\(SearchText.maxQueryLength)"), .attr("placeholder", t("search.placeholder")))),
            .div(.class("field"),
                .label(.attr("for", "procedure"), .plain(t("filter.procedure"))),
                .select(.id("procedure"), .attr("name", "procedure"),
                    .choice("", t("filter.any"), selected: q.procedure == nil),
                    .forEach(procedures) { slug, name in .choice(slug, name, selected: q.procedure == slug) })),
            .div(.class("field"),
                .label(.attr("for", "country"), .plain(t("filter.country"))),
                .input(.type(.text), .id("country"), .name("country"), .attr("value", country), .attr("maxlength", "2"), .attr("placeholder", t("filter.countryHint")), .attr("autocomplete", "off"))),
            .div(.class("field"),
                .label(.attr("for", "language"), .plain(t("filter.language"))),
                .input(.type(.text), .id("language"), .name("language"), .attr("value", language), .attr("maxlength", "3"), .attr("placeholder", t("filter.languageHint")))),
            .fieldset(.class("field price"),
                .element(named: "legend", text: t("filter.price")),
                .div(.class("price-row"),
                    .label(.attr("for", "min_price"), .class("visually-hidden"), .plain(t("filter.minPrice"))),
                    .input(.type(.text), .id("min_price"), .name("min_price"), .attr("inputmode", "decimal"), .attr("value", minText), .attr("placeholder", t("filter.min"))),
                    .label(.attr("for", "max_price"), .class("visually-hidden"), .plain(t("filter.maxPrice"))),
                    .input(.type(.text), .id("max_price"), .name("max_price"), .attr("inputmode", "decimal"), .attr("value", maxText), .attr("placeholder", t("filter.max"))),
                    .label(.attr("for", "currency"), .class("visually-hidden"), .plain(t("filter.currency"))),
                    .select(.id("currency"), .attr("name", "currency"),
                        .forEach(codes) { (code: String) -> Node<HTML.SelectContext> in .choice(code, code, selected: q.currency.code == code) })
                )),
            .div(.class("field check"),
                .input(.type(.checkbox), .id("verified"), .name("verified"), .attr("value", "1"), .flag("checked", q.verifiedOnly)),
                .label(.attr("for", "verified"), .plain(t("filter.verified")))),
            .if(q.city != nil, .input(.type(.hidden), .name("city"), .attr("value", q.city ?? ""))),
            .button(.type(.submit), .class("button"), .plain(t("filter.apply")))
        )
    }

    static func facets(_ q: ProviderSearchQuery, _ r: ProviderSearchResult, _ names: [String: String], _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        func link(_ name: String, _ value: String?) -> String {
            var params = q.parameters.filter { $0.0 != name }
            if let value { params.append((name, value)) }
            return SiteURL.providers.path(query: params)
        }
        func group(_ title: String, _ name: String, _ facets: [ProviderSearchResult.Facet], selected: String?, label: (String) -> String) -> Node<HTML.BodyContext> {
            guard !facets.isEmpty else { return .empty }
            return .section(.class("facet"),
                .h3(.plain(title)),
                .ul(.forEach(facets.prefix(12)) { f in
                    .li(f.value == selected
                        ? .group(.strong(.plain("\(label(f.value)) (\(Localizer.grouped(f.count)))")), .plain(" "), .a(.class("remove"), .to(link(name, nil)), .attr("aria-label", t("filter.remove", ["value": label(f.value)])), .plain("×")))
                        : .a(.to(link(name, f.value)), .plain(label(f.value)), .span(.class("count"), .plain(" (\(Localizer.grouped(f.count)))"))))
                }))
        }
        return .div(.class("facets"), .attr("aria-label", t("filter.refine")),
            .if(r.verifiedCount > 0 && !q.verifiedOnly, .p(.a(.to(link("verified", "1")), .plain(t("filter.verifiedCount", ["count": Localizer.grouped(r.verifiedCount)]))))),
            group(t("filter.procedure"), "procedure", r.procedures, selected: q.procedure) { names[$0] ?? $0 },
            group(t("filter.country"), "country", r.countries, selected: q.country) { t.country($0) },
            group(t("filter.city"), "city", r.cities, selected: q.city) { cityName($0) },
            group(t("filter.language"), "language", r.languages, selected: q.language) { t.language($0) }
        )
    }

    /// City facets carry slugs; show them as words.
    static func cityName(_ slug: String) -> String {
        slug.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}
