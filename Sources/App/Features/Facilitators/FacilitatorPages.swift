import Foundation
import Plot
import Domain

/// `/facilitators`: the directory of facilitator organisations, with filters, facet counts and pagination.
enum FacilitatorIndex {
    static func render(query q: FacilitatorDirectoryQuery, result r: FacilitatorDirectoryResult, ctx: PageContext) -> String {
        let t = ctx.t
        let title = q.isEmpty ? t("facilitators.title") : t("facilitators.titleResults")
        let pageCount = max(1, (r.total + FacilitatorDirectoryQuery.perPage - 1) / FacilitatorDirectoryQuery.perPage)
        return Page(
            title: title, description: t("facilitators.description"), canonical: .facilitators, canonicalQuery: q.parameters,
            breadcrumbs: [(t("nav.home"), .home), (t("nav.facilitators"), nil)],
            noindex: !q.isEmpty,
            body: .div(.class("wrap search-page"),
                .h1(.plain(title)),
                .p(.class("lead"), .plain(t("facilitators.intro"))),
                .div(.class("search-layout"),
                    .aside(.class("filters"), form(q, r, ctx), facets(q, r, ctx)),
                    .section(.class("results"), .attr("aria-labelledby", "results-heading"),
                        .h2(.id("results-heading"), .class("results-count"), .plain(t.count("facilitators.count", r.total))),
                        .if(!q.isEmpty, .p(.a(.to(SiteURL.facilitators.path), .plain(t("search.clear"))))),
                        r.items.isEmpty
                            ? .div(.class("empty"), .p(.plain(t("facilitators.none"))), .p(.plain(t("facilitators.noneHint"))))
                            : .ol(.class("cards"), .forEach(r.items) { .li(card($0, t)) }),
                        Fragments.pagination(base: .facilitators, query: q.parameters, page: q.page, pageCount: pageCount, t),
                        explainer(t)
                    )
                )
            )
        ).render(ctx)
    }

    /// What a facilitator does and how a patient works with one: consent first, always.
    static func explainer(_ t: Localizer) -> Node<HTML.BodyContext> {
        .section(.class("card explainer"), .attr("aria-labelledby", "facilitators-how"),
            .h2(.id("facilitators-how"), .plain(t("facilitators.how.title"))),
            .p(.plain(t("facilitators.how.role"))),
            .p(.plain(t("facilitators.how.consent"))),
            .p(.class("fineprint"), .plain(t("facilitators.how.paid"))))
    }

    static func card(_ c: FacilitatorCard, _ t: Localizer) -> Node<HTML.BodyContext> {
        .article(.class("card provider-card"),
            .h3(.a(.to(SiteURL.facilitator(.value(c.slug)).path), .plain(c.name))),
            .p(.class("meta"), .plain(t("facilitators.basedIn", ["name": t.country(c.countryCode)]))),
            .p(.class("badges"),
                c.verified ? .span(.class("badge badge-verified"), .plain(t("credential.badge.short"))) : .span(.class("badge"), .plain(t("facilitators.notVerified"))),
                .if(!c.acceptingCases, .span(.class("badge"), .plain(t("facilitators.notAccepting")))),
                .if(c.isSample, Fragments.sampleBadge(t))),
            .p(.plain(c.summary)),
            facts(c, t))
    }

    /// Where its patients come from, where it arranges treatment, its languages and its partner count, as a list.
    static func facts(_ c: FacilitatorCard, _ t: Localizer) -> Node<HTML.BodyContext> {
        .dl(.class("facts"),
            .if(!c.patientCountries.isEmpty, .group(.dt(.plain(t("facilitators.patientsFrom"))),
                                                   .dd(.plain(c.patientCountries.map { t.country($0) }.joined(separator: ", "))))),
            .if(!c.destinations.isEmpty, .group(.dt(.plain(t("facilitators.destinations"))),
                                               .dd(.plain(c.destinations.map { t.country($0) }.joined(separator: ", "))))),
            .if(!c.languages.isEmpty, .group(.dt(.plain(t("facilitators.languages"))),
                                            .dd(.plain(c.languages.map { t.language($0) }.joined(separator: ", "))))),
            .dt(.plain(t("facilitators.partners"))),
            .dd(.plain(t.count("facilitators.partnerCount", c.partnerCount))))
    }

    static func form(_ q: FacilitatorDirectoryQuery, _ r: FacilitatorDirectoryResult, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        /// The choices of a menu: the values the directory holds, and the chosen one even when nothing matches it.
        func choices(_ facets: [FacilitatorDirectoryResult.Facet], _ selected: String?, label: (String) -> String) -> [(String, String)] {
            var codes = facets.map(\.code)
            if let selected, !codes.contains(selected) { codes.append(selected) }
            return codes.map { ($0, label($0)) }.sorted { $0.1 < $1.1 }
        }
        func menu(_ name: String, _ label: String, _ options: [(String, String)], _ selected: String?) -> Node<HTML.FormContext> {
            .div(.class("field"),
                .label(.attr("for", name), .plain(label)),
                .select(.id(name), .attr("name", name),
                    .choice("", t("filter.any"), selected: selected == nil),
                    .forEach(options) { value, text in .choice(value, text, selected: selected == value) }))
        }
        return .form(.class("filter-form"), .attr("action", SiteURL.facilitators.path), .method(.get),
            .div(.class("field"),
                .label(.attr("for", "q"), .plain(t("facilitators.search"))),
                .input(.type(.search), .id("q"), .name("q"), .attr("value", q.text ?? ""), .attr("maxlength", "\(FacilitatorDirectoryQuery.maxTextLength)"))),
            menu("from", t("facilitators.patientsFrom"), choices(r.patientCountries, q.patientCountry) { t.country($0) }, q.patientCountry),
            menu("to", t("facilitators.destinations"), choices(r.destinations, q.destination) { t.country($0) }, q.destination),
            menu("language", t("facilitators.languages"), choices(r.languages, q.language) { t.language($0) }, q.language),
            .div(.class("field check"),
                .input(.type(.checkbox), .id("verified"), .name("verified"), .attr("value", "1"), .flag("checked", q.verifiedOnly)),
                .label(.attr("for", "verified"), .plain(t("facilitators.verifiedOnly")))),
            .button(.type(.submit), .class("button"), .plain(t("filter.apply"))))
    }

    static func facets(_ q: FacilitatorDirectoryQuery, _ r: FacilitatorDirectoryResult, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        func link(_ name: String, _ value: String?) -> String {
            var params = q.parameters.filter { $0.0 != name }
            if let value { params.append((name, value)) }
            return SiteURL.facilitators.path(query: params)
        }
        func group(_ title: String, _ name: String, _ facets: [FacilitatorDirectoryResult.Facet], selected: String?,
                   label: (String) -> String) -> Node<HTML.BodyContext> {
            guard !facets.isEmpty else { return .empty }
            return .section(.class("facet"),
                .h3(.plain(title)),
                .ul(.forEach(facets.prefix(12)) { f in
                    .li(f.code == selected
                        ? .group(.strong(.plain("\(label(f.code)) (\(Localizer.grouped(f.count)))")), .plain(" "),
                                 .a(.class("remove"), .to(link(name, nil)), .attr("aria-label", t("filter.remove", ["value": label(f.code)])), .plain("×")))
                        : .a(.to(link(name, f.code)), .plain(label(f.code)), .span(.class("count"), .plain(" (\(Localizer.grouped(f.count)))"))))
                }))
        }
        return .div(.class("facets"), .attr("aria-label", t("filter.refine")),
            .if(r.verifiedCount > 0 && !q.verifiedOnly,
                .p(.a(.to(link("verified", "1")), .plain(t("facilitators.verifiedCount", ["count": Localizer.grouped(r.verifiedCount)]))))),
            group(t("facilitators.patientsFrom"), "from", r.patientCountries, selected: q.patientCountry) { t.country($0) },
            group(t("facilitators.destinations"), "to", r.destinations, selected: q.destination) { t.country($0) },
            group(t("facilitators.languages"), "language", r.languages, selected: q.language) { t.language($0) })
    }
}

/// `/facilitators/{slug}`: who the organisation is, where it works, the providers it works with and its credentials.
enum FacilitatorShow {
    static func render(_ f: FacilitatorProfile, ctx: PageContext) -> String {
        let t = ctx.t
        let c = f.card
        return Page(
            title: c.name, description: c.summary, canonical: .facilitator(.value(c.slug)), jsonLD: [jsonLD(f, ctx)],
            breadcrumbs: [(t("nav.home"), .home), (t("nav.facilitators"), .facilitators), (c.name, nil)],
            body: .div(.class("wrap profile"),
                ProviderShow.suspendedNotice(f.isSuspended, f.suspendedReason, t),
                .header(.class("profile-header"),
                    .div(.class("avatar clinic"), .attr("aria-hidden", "true"), .plain(String(c.name.prefix(1)))),
                    .div(.h1(.plain(c.name)),
                         .p(.class("lead"), .plain(t("facilitators.kind")), .plain(" · "), .plain(t("facilitators.basedIn", ["name": t.country(c.countryCode)]))),
                         .p(.class("badges"),
                            c.verified ? .span(.class("badge badge-verified"), .plain(t("credential.badge.short"))) : .span(.class("badge"), .plain(t("facilitators.notVerified"))),
                            .if(!c.acceptingCases, .span(.class("badge"), .plain(t("facilitators.notAccepting")))),
                            .if(c.isSample, Fragments.sampleBadge(t))),
                         .if(c.acceptingCases, .p(.a(.class("button"), .to(SiteURL.cases.path), .plain(t("facilitators.invite"))),
                                                 .span(.class("hint"), .plain(" " + t("facilitators.invite.hint"))))))),
                .div(.class("profile-grid"),
                    .div(.class("profile-main"),
                        .section(.h2(.plain(t("facilitators.about"))),
                            .p(.class("lead"), .plain(c.summary)),
                            .forEach(paragraphs(f.about)) { .p(.plain($0)) }),
                        .section(.h2(.plain(t("facilitators.partners"))),
                            f.partners.isEmpty
                                ? .p(.class("muted"), .plain(t("facilitators.partners.none")))
                                : .ul(.class("partners"), .forEach(f.partners) { p in
                                    .li(.a(.to(p.link.path), .plain(p.name)),
                                        .if(p.city != nil || p.country != nil,
                                            .plain(" · " + [p.city, p.country.map { t.country($0) }].compactMap { $0 }.joined(separator: ", "))),
                                        .if(p.verified, .group(.plain(" "), .span(.class("badge badge-verified"), .plain(t("credential.badge.short"))))),
                                        .if(p.isSample, .group(.plain(" "), Fragments.sampleBadge(t))))
                                }),
                            .p(.class("fineprint"), .plain(t("facilitators.partners.explain")))),
                        ProviderShow.credentials(f.credentials, ctx),
                        FacilitatorIndex.explainer(t)),
                    .aside(.class("profile-side"),
                        .section(.class("card"), .h2(.plain(t("facilitators.atAGlance"))),
                            FacilitatorIndex.facts(c, t),
                            .if(f.foundedYear != nil, .p(.plain(t("facilitators.founded", ["year": String(f.foundedYear ?? 0)])))),
                            .if(f.website != nil, .p(.a(.to(f.website ?? ""), .attr("rel", "nofollow noopener"), .plain(t("clinic.website"))))),
                            .if(f.updatedAt != nil, .p(.class("fineprint"), .plain(t("facilitators.updated", ["date": f.updatedAt.map { t.date($0) } ?? ""]))))))
                )
            )
        ).render(ctx)
    }

    /// The organisation's own text, split into paragraphs at blank lines (it is plain text, escaped as such).
    static func paragraphs(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    static func jsonLD(_ f: FacilitatorProfile, _ ctx: PageContext) -> TrustedHTML {
        let c = f.card
        let url = ctx.absolute(.facilitator(.value(c.slug)))
        var object: [String: JSONValue] = [
            "@type": "Organization", "@id": .string(url), "name": .string(c.name), "description": .string(c.summary), "url": .string(url),
            "address": ["@type": "PostalAddress", "addressCountry": .string(c.countryCode)],
        ]
        if !c.languages.isEmpty { object["knowsLanguage"] = .array(c.languages.map { .string($0) }) }
        if !c.patientCountries.isEmpty { object["areaServed"] = .array(c.patientCountries.map { ["@type": "Country", "name": .string(ctx.t.country($0))] }) }
        if let year = f.foundedYear { object["foundingDate"] = .string(String(year)) }
        if let website = f.website { object["sameAs"] = .string(website) }
        return JSONLD.script(object)
    }
}
