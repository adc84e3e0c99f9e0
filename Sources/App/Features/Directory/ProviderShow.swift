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
                suspendedNotice(p.isSuspended, p.suspendedReason, t),
                header(p, ctx),
                .div(.class("profile-grid"),
                    .div(.class("profile-main"),
                        .section(.h2(.plain(t("provider.about"))), .p(.plain(p.bio)),
                                 .if(!p.techniques.isEmpty, .group(.h3(.plain(t("provider.techniques"))), .ul(.class("chips"), .forEach(p.techniques) { .li(.plain($0)) })))),
                        gallery(p.photos, t),
                        offers(p, ctx),
                        credentials(p.credentials, ctx),
                        places(p.places, ctx),
                        .if(!p.featuredIn.isEmpty, .section(.h2(.plain(t("provider.featuredIn"))),
                            .ul(.forEach(p.featuredIn) { a in .li(.a(.to(SiteURL.article(.value(a.slug)).path), .plain(a.title))) })))
                    ),
                    .aside(.class("profile-side"), p.isSuspended ? .empty : request(p, ctx), facts(p, ctx))
                )
            )
        ).render(ctx)
    }

    static func header(_ p: ProviderProfile, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        let place = p.places.first.map { "\($0.city), \(t.country($0.country))" }
        return .header(.class("profile-header"),
            .div(.class("avatar"), .attr("aria-hidden", "true"), .plain(initials(p))),
            .div(
                .h1(.plain(p.name)),
                .p(.class("lead"), .plain(p.specialty), .if(place != nil, .plain(" · \(place ?? "")"))),
                .p(.class("badges"),
                    verifiedBadge(p.badge, ctx),
                    .if(p.isSample, Fragments.sampleBadge(t)),
                    .if(p.acceptingNewPatients == true, .span(.class("badge badge-neutral"), .plain(t("provider.accepting")))))
            )
        )
    }

    static func initials(_ p: ProviderProfile) -> String {
        String(p.givenName.prefix(1) + p.familyName.prefix(1)).uppercased()
    }

    /// The badge shows only for a verified, unexpired credential, with the date it was checked.
    static func verifiedBadge(_ c: CredentialView?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard let c, let checked = c.lastVerified else {
            return .span(.class("badge badge-unverified"), .plain(ctx.t("credential.badge.none")))
        }
        return .span(.class("badge badge-verified"), .attr("title", c.title),
                     .plain(ctx.t("credential.badge.verified", ["date": ctx.t.date(checked)])))
    }

    static func offers(_ p: ProviderProfile, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        guard !p.offers.isEmpty else { return .empty }
        return .section(.id("procedures"),
            .h2(.plain(t("provider.procedures"))),
            .table(.class("data"),
                .caption(.plain(t("provider.procedures.caption"))),
                .thead(.tr(.th(.plain(t("table.procedure"))), .th(.plain(t("table.where"))), .th(.plain(t("table.price"))))),
                .tbody(.forEach(p.offers) { o in
                    .tr(.td(.a(.to(SiteURL.procedure(.value(o.procedureSlug)).path), .plain(o.procedureName))),
                        .td(.a(.to(SiteURL.clinic(.value(o.organizationSlug)).path), .plain(o.organizationName)), .plain(", \(o.city)")),
                        .td(priceCell(o.price, t)))
                })
            ),
            .p(.class("fineprint"), .plain(t("price.note", ["date": ExchangeRates.reference.asOf]))),
            factsUpdated(p.factsUpdatedAt, p.factsChanged, t)
        )
    }

    /// The practice's photos, in responsive sizes with their alt text.
    static func gallery(_ photos: [MediaAsset], _ t: Localizer) -> Node<HTML.BodyContext> {
        guard !photos.isEmpty else { return .empty }
        return .section(.class("gallery"), .h2(.plain(t("provider.photos"))),
            .ul(.class("media-grid"), .forEach(photos) { a in
                .li(.img(.src(SiteURL.media(id: .value(a.id), width: .value("640")).path),
                         .attr("srcset", [320, 640, 1024].map { "\(SiteURL.media(id: .value(a.id), width: .value("\($0)")).path) \($0)w" }.joined(separator: ", ")),
                         .attr("sizes", "(max-width: 760px) 50vw, 320px"), .alt(a.alt), .attr("loading", "lazy"),
                         .attr("width", "\(min(a.width, 640))"), .attr("height", "\(a.width > 0 ? min(a.width, 640) * a.height / a.width : 0)")))
            }))
    }

    /// The notice on a suspended listing's page: it takes no requests, and why.
    static func suspendedNotice(_ suspended: Bool, _ reason: String?, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard suspended else { return .empty }
        return .div(.class("notice warning"), .attr("role", "note"),
            .p(.strong(.plain(t("listing.suspended.title")))),
            .p(.plain(t("listing.suspended.body"))),
            .if(reason != nil, .p(.plain(reason ?? ""))))
    }

    /// "Prices updated on 30 November 2026": shown when facts a patient relies on changed.
    static func factsUpdated(_ date: Date?, _ facts: [ProfileFact], _ t: Localizer) -> Node<HTML.BodyContext> {
        guard let date, !facts.isEmpty else { return .empty }
        let names = facts.map { t("provider.fact.\($0.rawValue)") }
        let joined = names.count > 1 ? names.dropLast().joined(separator: ", ") + " " + t("list.and") + " " + names.last! : names[0]
        return .p(.class("updated-facts"), .plain(t("provider.factsUpdated", ["facts": joined, "date": t.date(date)])))
    }

    /// Weekly opening hours, one line per day ("Monday: 09:00–12:00, 14:00–17:00").
    static func hours(_ hours: [WeeklyHours], _ t: Localizer) -> Node<HTML.BodyContext> {
        guard !hours.isEmpty else { return .empty }
        let days = Dictionary(grouping: hours, by: \.weekday)
        return .dl(.class("opening-hours"), .attr("aria-label", t("provider.hours")), .forEach(days.keys.sorted()) { d in
            .group(.dt(.plain(t("weekday.\(d)"))),
                   .dd(.plain(days[d]!.sorted { $0.start < $1.start }.map { "\($0.start)–\($0.end)" }.joined(separator: ", "))))
        })
    }

    static func priceCell(_ price: PriceRangeView?, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard let price else { return .span(.class("muted"), .plain(t("price.onRequest"))) }
        return .group(.plain(price.formatted),
                      .if(price.formattedEUR != nil, .span(.class("muted block"), .plain(t("price.approx", ["amount": price.formattedEUR ?? ""])))))
    }

    static func credentials(_ list: [CredentialView], _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        return .section(.id("credentials"),
            .h2(.plain(t("credential.heading"))),
            .p(.class("fineprint"), .plain(t("credential.explain")), .plain(" "), .a(.to(SiteURL.howWeRank.path + "#verification"), .plain(t("credential.howWeCheck")))),
            list.isEmpty ? .p(.class("muted"), .plain(t("credential.none"))) :
            .ul(.class("credentials"), .forEach(list) { c in
                .li(.class(c.verified ? "credential verified" : "credential"),
                    .h3(.plain(c.title)),
                    .p(.class("credential-status"),
                       .span(.class("status status-\(c.status)"), .plain(t("credential.status.\(c.status)"))),
                       .plain(" · "), .plain(t("credential.kind.\(c.kind)"))),
                    .dl(
                        .dt(.plain(t("credential.issuer"))), .dd(.plain(c.issuer ?? t("credential.notStated"))),
                        .dt(.plain(t("credential.number"))), .dd(.plain(c.number ?? t("credential.notStated"))),
                        .dt(.plain(t("credential.valid"))), .dd(.plain(validity(c, t))),
                        .dt(.plain(t("credential.lastVerified"))), .dd(.plain(c.lastVerified.map { t.date($0) } ?? t("credential.neverVerified")))
                    ),
                    .if(c.registerURL != nil, .p(.a(.to(c.registerURL ?? ""), .attr("rel", "nofollow noopener"), .plain(t("credential.register"))))),
                    .if(c.note != nil, .p(.class("fineprint"), .plain(c.note ?? "")))
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
        return .section(.id("locations"), .h2(.plain(t("provider.practicesAt"))),
            .ul(.class("places"), .forEach(places) { pl in
                .li(.a(.to(SiteURL.clinic(.value(pl.organizationSlug)).path), .strong(.plain(pl.organizationName))),
                    .if(pl.role != nil, .plain(" · \(pl.role ?? "")")),
                    .element(named: "address", nodes: [.plain(pl.locationName + ", " + address(pl, t))]),
                    hours(pl.hours, t))
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
            .h2(.plain(t("consult.cta"))),
            .p(.plain(t("consult.intro", ["name": p.name]))),
            .ol(.li(.plain(t("consult.step1"))), .li(.plain(t("consult.step2"))), .li(.plain(t("consult.step3")))),
            .a(.class("button"), .to(SiteURL.consult(.value(p.slug)).path), .plain(t("consult.cta"))),
            .p(.class("fineprint"), .plain(t("consult.privacy")))
        )
    }

    static func facts(_ p: ProviderProfile, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        let years = p.yearsInPractice(now: ctx.now)
        return .section(.class("card facts"),
            .h2(.plain(t("provider.facts"))),
            .dl(
                .dt(.plain(t("provider.languages"))),
                .dd(.plain(p.languages.isEmpty ? t("provider.notStated") : p.languages.map { t.language($0) }.joined(separator: ", "))),
                .dt(.plain(t("provider.experience"))),
                .dd(.plain(years.map { t.count("provider.years", $0) } ?? t("provider.notStated"))),
                .dt(.plain(t("provider.newPatients"))),
                .dd(.plain(p.acceptingNewPatients.map { $0 ? t("common.yes") : t("common.no") } ?? t("provider.notStated")))
            ),
            .p(.class("fineprint"), .a(.to(SiteURL.providerClaim(.value(p.slug)).path), .plain(t("provider.claim"))))
        )
    }

    static func jsonLD(_ p: ProviderProfile, _ ctx: PageContext) -> TrustedHTML {
        var object: [String: Any] = [
            "@type": "IndividualPhysician",
            "@id": ctx.absolute(.provider(.value(p.slug))),
            "name": p.name,
            "url": ctx.absolute(.provider(.value(p.slug))),
            "description": p.bio,
            "medicalSpecialty": JSONLD.medicalSpecialty(p.specialty).map { "https://schema.org/\($0)" } ?? "https://schema.org/Surgical",
            "knowsAbout": p.specialty,
        ]
        // A physician's own address (schema.org requires one): where they see patients first.
        if let first = p.places.first {
            var address: [String: Any] = ["@type": "PostalAddress", "addressLocality": first.city, "addressCountry": first.country]
            if let street = first.street { address["streetAddress"] = street }
            if let postal = first.postalCode { address["postalCode"] = postal }
            object["address"] = address
        }
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
