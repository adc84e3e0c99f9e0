import Foundation
import Plot
import Domain

/// `/providers/{slug}`: a practitioner's profile.
enum ProviderShow {
    static func render(_ p: ProviderProfile, ctx: PageContext) -> String {
        let t = ctx.t
        let description = p.bio.count > 155 ? String(p.bio.prefix(152)) + "…" : p.bio
        let body = HTMLWriter.render(reserving: 12_288) { w in
            w.element("div", .cls("wrap profile")) { w in
                suspendedNotice(&w, p.isSuspended, p.suspendedReason, t)
                header(&w, p, ctx)
                w.element("div", .cls("profile-grid")) { w in
                    w.element("div", .cls("profile-main")) { w in
                        w.element("section") { w in
                            w.element("h2", text: t("provider.about"))
                            w.element("p", text: p.bio)
                            if !p.techniques.isEmpty {
                                w.element("h3", text: t("provider.techniques"))
                                w.element("ul", .cls("chips")) { w in for technique in p.techniques { w.element("li", text: technique) } }
                            }
                        }
                        gallery(&w, p.photos, t)
                        offers(&w, p, ctx)
                        credentials(&w, p.credentials, ctx)
                        places(&w, p.places, ctx)
                        if !p.featuredIn.isEmpty {
                            w.element("section") { w in
                                w.element("h2", text: t("provider.featuredIn"))
                                w.element("ul") { w in
                                    for a in p.featuredIn { w.element("li") { w in w.link(SiteURL.article(.value(a.slug)).path, a.title) } }
                                }
                            }
                        }
                    }
                    w.element("aside", .cls("profile-side")) { w in
                        if !p.isSuspended { request(&w, p, ctx) }
                        facts(&w, p, ctx)
                    }
                }
            }
        }
        return Page(
            title: p.name, description: description, canonical: .provider(.value(p.slug)),
            jsonLD: [jsonLD(p, ctx)],
            breadcrumbs: [(t("nav.home"), .home), (t("nav.providers"), .providers), (p.name, nil)],
            written: body
        ).render(ctx)
    }

    static func header(_ w: inout HTMLWriter, _ p: ProviderProfile, _ ctx: PageContext) {
        let t = ctx.t
        let place = p.places.first.map { "\($0.city), \(t.country($0.country))" }
        w.element("header", .cls("profile-header")) { w in
            w.element("div", .cls("avatar"), .attr("aria-hidden", "true"), text: initials(p))
            w.element("div") { w in
                w.element("h1", text: p.name)
                w.element("p", .cls("lead")) { w in
                    w.text(p.specialty)
                    if let place { w.text(" · \(place)") }
                }
                w.element("p", .cls("badges")) { w in
                    verifiedBadge(&w, p.badge, ctx)
                    if p.isSample { Fragments.sampleBadge(&w, t) }
                    if p.acceptingNewPatients == true { w.element("span", .cls("badge badge-neutral"), text: t("provider.accepting")) }
                }
            }
        }
    }

    static func initials(_ p: ProviderProfile) -> String {
        String(p.givenName.prefix(1) + p.familyName.prefix(1)).uppercased()
    }

    /// The badge shows only for a verified, unexpired credential, with the date it was checked.
    static func verifiedBadge(_ w: inout HTMLWriter, _ c: CredentialView?, _ ctx: PageContext) {
        guard let c, let checked = c.lastVerified else {
            w.element("span", .cls("badge badge-unverified"), text: ctx.t("credential.badge.none"))
            return
        }
        w.element("span", .cls("badge badge-verified"), .attr("title", c.title), text: ctx.t("credential.badge.verified", ["date": ctx.t.date(checked)]))
    }

    static func offers(_ w: inout HTMLWriter, _ p: ProviderProfile, _ ctx: PageContext) {
        let t = ctx.t
        guard !p.offers.isEmpty else { return }
        w.element("section", .id("procedures")) { w in
            w.element("h2", text: t("provider.procedures"))
            w.dataTable(caption: t("provider.procedures.caption"), columns: [t("table.procedure"), t("table.where"), t("table.price")]) { w in
                for o in p.offers {
                    w.element("tr") { w in
                        w.element("td") { w in w.link(SiteURL.procedure(.value(o.procedureSlug)).path, o.procedureName) }
                        w.element("td") { w in
                            w.link(SiteURL.clinic(.value(o.organizationSlug)).path, o.organizationName)
                            w.text(", \(o.city)")
                        }
                        w.element("td") { w in priceCell(&w, o.price, t) }
                    }
                }
            }
            w.element("p", .cls("fineprint"), text: t("price.note", ["date": ExchangeRates.reference.asOf]))
            factsUpdated(&w, p.factsUpdatedAt, p.factsChanged, t)
        }
    }

    /// The practice's photos, in responsive sizes with their alt text.
    static func gallery(_ photos: [MediaAsset], _ t: Localizer) -> Node<HTML.BodyContext> { WrittenHTML { gallery(&$0, photos, t) }.node }

    static func gallery(_ w: inout HTMLWriter, _ photos: [MediaAsset], _ t: Localizer) {
        guard !photos.isEmpty else { return }
        w.element("section", .cls("gallery")) { w in
            w.element("h2", text: t("provider.photos"))
            w.element("ul", .cls("media-grid")) { w in
                for a in photos {
                    w.element("li") { w in
                        w.empty("img", .attr("src", SiteURL.media(id: .value(a.id), width: .value("640")).path),
                                .attr("srcset", [320, 640, 1024].map { "\(SiteURL.media(id: .value(a.id), width: .value("\($0)")).path) \($0)w" }.joined(separator: ", ")),
                                .attr("sizes", "(max-width: 760px) 50vw, 320px"), .attr("alt", a.alt), .attr("loading", "lazy"),
                                .attr("width", "\(min(a.width, 640))"), .attr("height", "\(a.width > 0 ? min(a.width, 640) * a.height / a.width : 0)"))
                    }
                }
            }
        }
    }

    /// The notice on a suspended listing's page: it takes no requests, and why.
    static func suspendedNotice(_ suspended: Bool, _ reason: String?, _ t: Localizer) -> Node<HTML.BodyContext> {
        WrittenHTML { suspendedNotice(&$0, suspended, reason, t) }.node
    }

    static func suspendedNotice(_ w: inout HTMLWriter, _ suspended: Bool, _ reason: String?, _ t: Localizer) {
        guard suspended else { return }
        w.element("div", .cls("notice warning"), .attr("role", "note")) { w in
            w.element("p") { w in w.element("strong", text: t("listing.suspended.title")) }
            w.element("p", text: t("listing.suspended.body"))
            if let reason { w.element("p", text: reason) }
        }
    }

    /// "Prices updated on 30 November 2026": shown when facts a patient relies on changed.
    static func factsUpdated(_ date: Date?, _ facts: [ProfileFact], _ t: Localizer) -> Node<HTML.BodyContext> {
        WrittenHTML { factsUpdated(&$0, date, facts, t) }.node
    }

    static func factsUpdated(_ w: inout HTMLWriter, _ date: Date?, _ facts: [ProfileFact], _ t: Localizer) {
        guard let date, !facts.isEmpty else { return }
        let names = facts.map { t("provider.fact.\($0.rawValue)") }
        let joined = names.count > 1 ? names.dropLast().joined(separator: ", ") + " " + t("list.and") + " " + names.last! : names[0]
        w.element("p", .cls("updated-facts"), text: t("provider.factsUpdated", ["facts": joined, "date": t.date(date)]))
    }

    /// Weekly opening hours, one line per day ("Monday: 09:00–12:00, 14:00–17:00").
    static func hours(_ hours: [WeeklyHours], _ t: Localizer) -> Node<HTML.BodyContext> { WrittenHTML { Self.hours(&$0, hours, t) }.node }

    static func hours(_ w: inout HTMLWriter, _ hours: [WeeklyHours], _ t: Localizer) {
        guard !hours.isEmpty else { return }
        let days = Dictionary(grouping: hours, by: \.weekday)
        w.element("dl", .cls("opening-hours"), .attr("aria-label", t("provider.hours"))) { w in
            for d in days.keys.sorted() {
                w.element("dt", text: t("weekday.\(d)"))
                w.element("dd", text: days[d]!.sorted { $0.start < $1.start }.map { "\($0.start)–\($0.end)" }.joined(separator: ", "))
            }
        }
    }

    static func priceCell(_ price: PriceRangeView?, _ t: Localizer) -> Node<HTML.BodyContext> { WrittenHTML { priceCell(&$0, price, t) }.node }

    static func priceCell(_ w: inout HTMLWriter, _ price: PriceRangeView?, _ t: Localizer) {
        guard let price else {
            w.element("span", .cls("muted"), text: t("price.onRequest"))
            return
        }
        w.text(price.formatted)
        if let eur = price.formattedEUR { w.element("span", .cls("muted block"), text: t("price.approx", ["amount": eur])) }
    }

    static func credentials(_ list: [CredentialView], _ ctx: PageContext) -> Node<HTML.BodyContext> { WrittenHTML { credentials(&$0, list, ctx) }.node }

    static func credentials(_ w: inout HTMLWriter, _ list: [CredentialView], _ ctx: PageContext) {
        let t = ctx.t
        w.element("section", .id("credentials")) { w in
            w.element("h2", text: t("credential.heading"))
            w.element("p", .cls("fineprint")) { w in
                w.text(t("credential.explain"))
                w.text(" ")
                w.link(SiteURL.howWeRank.path + "#verification", t("credential.howWeCheck"))
            }
            if list.isEmpty {
                w.element("p", .cls("muted"), text: t("credential.none"))
                return
            }
            w.element("ul", .cls("credentials")) { w in
                for c in list {
                    w.element("li", .cls(c.verified ? "credential verified" : "credential")) { w in
                        w.element("h3", text: c.title)
                        w.element("p", .cls("credential-status")) { w in
                            w.element("span", .cls("status status-\(c.status)"), text: t("credential.status.\(c.status)"))
                            w.text(" · ")
                            w.text(t("credential.kind.\(c.kind)"))
                        }
                        w.element("dl") { w in
                            w.element("dt", text: t("credential.issuer"))
                            w.element("dd", text: c.issuer ?? t("credential.notStated"))
                            w.element("dt", text: t("credential.number"))
                            w.element("dd", text: c.number ?? t("credential.notStated"))
                            w.element("dt", text: t("credential.valid"))
                            w.element("dd", text: validity(c, t))
                            w.element("dt", text: t("credential.lastVerified"))
                            w.element("dd", text: c.lastVerified.map { t.date($0) } ?? t("credential.neverVerified"))
                        }
                        if let url = c.registerURL {
                            w.element("p") { w in w.element("a", .href(url), .attr("rel", "nofollow noopener"), text: t("credential.register")) }
                        }
                        if let note = c.note { w.element("p", .cls("fineprint"), text: note) }
                    }
                }
            }
        }
    }

    static func validity(_ c: CredentialView, _ t: Localizer) -> String {
        switch (c.validFrom, c.validUntil) {
        case let (from?, until?): return t("credential.validRange", ["from": t.date(from), "until": t.date(until)])
        case let (from?, nil): return t("credential.validFrom", ["from": t.date(from)])
        case let (nil, until?): return t("credential.validUntil", ["until": t.date(until)])
        default: return t("credential.notStated")
        }
    }

    static func places(_ w: inout HTMLWriter, _ places: [PlaceView], _ ctx: PageContext) {
        let t = ctx.t
        guard !places.isEmpty else { return }
        w.element("section", .id("locations")) { w in
            w.element("h2", text: t("provider.practicesAt"))
            w.element("ul", .cls("places")) { w in
                for pl in places {
                    w.element("li") { w in
                        w.element("a", .href(SiteURL.clinic(.value(pl.organizationSlug)).path)) { w in w.element("strong", text: pl.organizationName) }
                        if let role = pl.role { w.text(" · \(role)") }
                        w.element("address", text: pl.locationName + ", " + address(pl, t))
                        hours(&w, pl.hours, t)
                    }
                }
            }
        }
    }

    static func address(_ pl: PlaceView, _ t: Localizer) -> String {
        [pl.street, [pl.postalCode, pl.city].compactMap { $0 }.joined(separator: " "), pl.region, t.country(pl.country)]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
    }

    static func request(_ w: inout HTMLWriter, _ p: ProviderProfile, _ ctx: PageContext) {
        let t = ctx.t
        w.element("section", .id("request-consultation"), .cls("card request")) { w in
            w.element("h2", text: t("consult.cta"))
            w.element("p", text: t("consult.intro", ["name": p.name]))
            w.element("ol") { w in
                w.element("li", text: t("consult.step1"))
                w.element("li", text: t("consult.step2"))
                w.element("li", text: t("consult.step3"))
            }
            w.element("a", .cls("button"), .href(SiteURL.consult(.value(p.slug)).path), text: t("consult.cta"))
            w.element("p", .cls("fineprint"), text: t("consult.privacy"))
        }
    }

    static func facts(_ w: inout HTMLWriter, _ p: ProviderProfile, _ ctx: PageContext) {
        let t = ctx.t
        let years = p.yearsInPractice(now: ctx.now)
        w.element("section", .cls("card facts")) { w in
            w.element("h2", text: t("provider.facts"))
            w.element("dl") { w in
                w.element("dt", text: t("provider.languages"))
                w.element("dd", text: p.languages.isEmpty ? t("provider.notStated") : p.languages.map { t.language($0) }.joined(separator: ", "))
                w.element("dt", text: t("provider.experience"))
                w.element("dd", text: years.map { t.count("provider.years", $0) } ?? t("provider.notStated"))
                w.element("dt", text: t("provider.newPatients"))
                w.element("dd", text: p.acceptingNewPatients.map { $0 ? t("common.yes") : t("common.no") } ?? t("provider.notStated"))
            }
            w.element("p", .cls("fineprint")) { w in w.link(SiteURL.providerClaim(.value(p.slug)).path, t("provider.claim")) }
        }
    }

    static func jsonLD(_ p: ProviderProfile, _ ctx: PageContext) -> TrustedHTML {
        let url = ctx.absolute(.provider(.value(p.slug)))
        var object: [String: JSONValue] = [
            "@type": "IndividualPhysician",
            "@id": .string(url),
            "name": .string(p.name),
            "url": .string(url),
            "description": .string(p.bio),
            "medicalSpecialty": .string(JSONLD.medicalSpecialty(p.specialty).map { "https://schema.org/\($0)" } ?? "https://schema.org/Surgical"),
            "knowsAbout": .string(p.specialty),
        ]
        // A physician's own address (schema.org requires one): where they see patients first.
        if let first = p.places.first {
            var address: [String: JSONValue] = ["@type": "PostalAddress", "addressLocality": .string(first.city), "addressCountry": .string(first.country)]
            if let street = first.street { address["streetAddress"] = .string(street) }
            if let postal = first.postalCode { address["postalCode"] = .string(postal) }
            object["address"] = .object(address)
        }
        if let accepting = p.acceptingNewPatients { object["isAcceptingNewPatients"] = .bool(accepting) }
        if !p.languages.isEmpty { object["knowsLanguage"] = .strings(p.languages) }
        object["practicesAt"] = .array(p.places.map { pl -> JSONValue in
            ["@type": pl.organizationKind == "hospital" ? "Hospital" : "MedicalClinic", "name": .string(pl.organizationName),
             "url": .string(ctx.absolute(.clinic(.value(pl.organizationSlug)))),
             "address": ["@type": "PostalAddress", "addressLocality": .string(pl.city), "addressCountry": .string(pl.country)]]
        })
        let creds = p.credentials.filter(\.verified).map { c -> JSONValue in
            var d: [String: JSONValue] = ["@type": "EducationalOccupationalCredential", "name": .string(c.title), "credentialCategory": .string(c.kind)]
            if let issuer = c.issuer { d["recognizedBy"] = ["@type": "Organization", "name": .string(issuer)] }
            if let until = c.validUntil { d["expires"] = .string(ISODate.format(until)) }
            return .object(d)
        }
        if !creds.isEmpty { object["hasCredential"] = .array(creds) }
        if !p.offers.isEmpty {
            object["availableService"] = .array(Array(Set(p.offers.map(\.procedureName))).sorted().map { ["@type": "MedicalProcedure", "name": .string($0)] })
        }
        return JSONLD.script(object)
    }
}
