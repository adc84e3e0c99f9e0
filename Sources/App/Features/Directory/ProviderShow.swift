import Foundation
import Plot
import Domain

/// `/providers/{slug}`: a practitioner's profile.
enum ProviderShow {
    static func render(_ p: ProviderProfile, ctx: PageContext) -> String {
        let t = ctx.t
        let description = p.bio.count > 155 ? String(p.bio.prefix(152)) + "…" : p.bio
        return Page(
            title: p.name, description: description, canonical: .provider(.value(p.slug)),
            jsonLD: [jsonLD(p, ctx)],
            breadcrumbs: [(t("nav.home"), .home), (t("nav.providers"), .providers), (p.name, nil)],
            body: .div(.class("wrap profile"),
                header(p, ctx),
                .div(.class("profile-grid"),
                    .div(.class("profile-main"),
                        .section(.h2(.text(t("provider.about"))), .p(.text(p.bio)),
                                 .if(!p.techniques.isEmpty, .group(.h3(.text(t("provider.techniques"))), .ul(.class("chips"), .forEach(p.techniques) { .li(.text($0)) })))),
                        offers(p, ctx),
                        credentials(p.credentials, ctx),
                        places(p.places, ctx),
                        .if(!p.featuredIn.isEmpty, .section(.h2(.text(t("provider.featuredIn"))),
                            .ul(.forEach(p.featuredIn) { a in .li(.a(.to(SiteURL.article(.value(a.slug)).path), .text(a.title))) })))
                    ),
                    .aside(.class("profile-side"), request(p, ctx), facts(p, ctx))
                )
            )
        ).render(ctx)
    }

    static func header(_ p: ProviderProfile, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        let place = p.places.first.map { "\($0.city), \(t.country($0.country))" }
        return .header(.class("profile-header"),
            .div(.class("avatar"), .attr("aria-hidden", "true"), .text(initials(p))),
            .div(
                .h1(.text(p.name)),
                .p(.class("lead"), .text(p.specialty), .if(place != nil, .text(" · \(place ?? "")"))),
                .p(.class("badges"),
                    verifiedBadge(p.badge, ctx),
                    .if(p.isSample, Fragments.sampleBadge(t)),
                    .if(p.acceptingNewPatients == true, .span(.class("badge badge-neutral"), .text(t("provider.accepting")))))
            )
        )
    }

    static func initials(_ p: ProviderProfile) -> String {
        String(p.givenName.prefix(1) + p.familyName.prefix(1)).uppercased()
    }

    /// The badge shows only for a verified, unexpired credential, with the date it was checked.
    static func verifiedBadge(_ c: CredentialView?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard let c, let checked = c.lastVerified else {
            return .span(.class("badge badge-unverified"), .text(ctx.t("credential.badge.none")))
        }
        return .span(.class("badge badge-verified"), .attr("title", c.title),
                     .text(ctx.t("credential.badge.verified", ["date": ctx.t.date(checked)])))
    }

    static func offers(_ p: ProviderProfile, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        guard !p.offers.isEmpty else { return .empty }
        return .section(.id("procedures"),
            .h2(.text(t("provider.procedures"))),
            .table(.class("data"),
                .caption(.text(t("provider.procedures.caption"))),
                .thead(.tr(.th(.text(t("table.procedure"))), .th(.text(t("table.where"))), .th(.text(t("table.price"))))),
                .tbody(.forEach(p.offers) { o in
                    .tr(.td(.a(.to(SiteURL.procedure(.value(o.procedureSlug)).path), .text(o.procedureName))),
                        .td(.a(.to(SiteURL.clinic(.value(o.organizationSlug)).path), .text(o.organizationName)), .text(", \(o.city)")),
                        .td(priceCell(o.price, t)))
                })
            ),
            .p(.class("fineprint"), .text(t("price.note", ["date": ExchangeRates.reference.asOf])))
        )
    }

    static func priceCell(_ price: PriceRangeView?, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard let price else { return .span(.class("muted"), .text(t("price.onRequest"))) }
        return .group(.text(price.formatted),
                      .if(price.formattedEUR != nil, .span(.class("muted block"), .text(t("price.approx", ["amount": price.formattedEUR ?? ""])))))
    }

    static func credentials(_ list: [CredentialView], _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        return .section(.id("credentials"),
            .h2(.text(t("credential.heading"))),
            .p(.class("fineprint"), .text(t("credential.explain")), .text(" "), .a(.to(SiteURL.howWeRank.path + "#verification"), .text(t("credential.howWeCheck")))),
            list.isEmpty ? .p(.class("muted"), .text(t("credential.none"))) :
            .ul(.class("credentials"), .forEach(list) { c in
                .li(.class(c.verified ? "credential verified" : "credential"),
                    .h3(.text(c.title)),
                    .p(.class("credential-status"),
                       .span(.class("status status-\(c.status)"), .text(t("credential.status.\(c.status)"))),
                       .text(" · "), .text(t("credential.kind.\(c.kind)"))),
                    .dl(
                        .dt(.text(t("credential.issuer"))), .dd(.text(c.issuer ?? t("credential.notStated"))),
                        .dt(.text(t("credential.number"))), .dd(.text(c.number ?? t("credential.notStated"))),
                        .dt(.text(t("credential.valid"))), .dd(.text(validity(c, t))),
                        .dt(.text(t("credential.lastVerified"))), .dd(.text(c.lastVerified.map { t.date($0) } ?? t("credential.neverVerified")))
                    ),
                    .if(c.registerURL != nil, .p(.a(.to(c.registerURL ?? ""), .attr("rel", "nofollow noopener"), .text(t("credential.register"))))),
                    .if(c.note != nil, .p(.class("fineprint"), .text(c.note ?? "")))
                )
            })
        )
    }

    static func validity(_ c: CredentialView, _ t: Localizer) -> String {
        switch (c.validFrom, c.validUntil) {
        case let (from?, until?): return t("credential.validRange", ["from": t.date(from), "until": t.date(until)])
        case let (from?, nil): return t("credential.validFrom", ["from": t.date(from)])
        case let (nil, until?): return t("credential.validUntil", ["until": t.date(until)])
        default: return t("credential.notStated")
        }
    }

    static func places(_ places: [PlaceView], _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        guard !places.isEmpty else { return .empty }
        return .section(.id("locations"), .h2(.text(t("provider.practicesAt"))),
            .ul(.class("places"), .forEach(places) { pl in
                .li(.a(.to(SiteURL.clinic(.value(pl.organizationSlug)).path), .strong(.text(pl.organizationName))),
                    .if(pl.role != nil, .text(" · \(pl.role ?? "")")),
                    .element(named: "address", nodes: [.text(address(pl, t))]))
            })
        )
    }

    static func address(_ pl: PlaceView, _ t: Localizer) -> String {
        [pl.street, [pl.postalCode, pl.city].compactMap { $0 }.joined(separator: " "), pl.region, t.country(pl.country)]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
    }

    static func request(_ p: ProviderProfile, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        return .section(.id("request-consultation"), .class("card request"),
            .h2(.text(t("consult.cta"))),
            .p(.text(t("consult.intro", ["name": p.name]))),
            .ol(.li(.text(t("consult.step1"))), .li(.text(t("consult.step2"))), .li(.text(t("consult.step3")))),
            .a(.class("button"), .to(SiteURL.consult(.value(p.slug)).path), .text(t("consult.cta"))),
            .p(.class("fineprint"), .text(t("consult.privacy")))
        )
    }

    static func facts(_ p: ProviderProfile, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        let years = p.yearsInPractice(now: ctx.now)
        return .section(.class("card facts"),
            .h2(.text(t("provider.facts"))),
            .dl(
                .dt(.text(t("provider.languages"))),
                .dd(.text(p.languages.isEmpty ? t("provider.notStated") : p.languages.map { t.language($0) }.joined(separator: ", "))),
                .dt(.text(t("provider.experience"))),
                .dd(.text(years.map { t.count("provider.years", $0) } ?? t("provider.notStated"))),
                .dt(.text(t("provider.newPatients"))),
                .dd(.text(p.acceptingNewPatients.map { $0 ? t("common.yes") : t("common.no") } ?? t("provider.notStated")))
            )
        )
    }

    static func jsonLD(_ p: ProviderProfile, _ ctx: PageContext) -> TrustedHTML {
        var object: [String: Any] = [
            "@type": "IndividualPhysician",
            "@id": ctx.absolute(.provider(.value(p.slug))),
            "name": p.name,
            "url": ctx.absolute(.provider(.value(p.slug))),
            "description": p.bio,
            "medicalSpecialty": p.specialty,
        ]
        if let accepting = p.acceptingNewPatients { object["isAcceptingNewPatients"] = accepting }
        if !p.languages.isEmpty { object["knowsLanguage"] = p.languages }
        object["practicesAt"] = p.places.map { pl -> [String: Any] in
            ["@type": pl.organizationKind == "hospital" ? "Hospital" : "MedicalClinic", "name": pl.organizationName,
             "url": ctx.absolute(.clinic(.value(pl.organizationSlug))),
             "address": ["@type": "PostalAddress", "addressLocality": pl.city, "addressCountry": pl.country]]
        }
        let creds = p.credentials.filter(\.verified).map { c -> [String: Any] in
            var d: [String: Any] = ["@type": "EducationalOccupationalCredential", "name": c.title, "credentialCategory": c.kind]
            if let issuer = c.issuer { d["recognizedBy"] = ["@type": "Organization", "name": issuer] }
            if let until = c.validUntil { d["expires"] = ISODate.format(until) }
            return d
        }
        if !creds.isEmpty { object["hasCredential"] = creds }
        if !p.offers.isEmpty {
            object["availableService"] = Array(Set(p.offers.map(\.procedureName))).sorted().map { ["@type": "MedicalProcedure", "name": $0] }
        }
        return JSONLD.script(object)
    }
}
