import Foundation
import Plot
import Domain

/// `/clinics/{slug}`: a clinic or hospital.
enum ClinicShow {
    static func render(_ c: ClinicProfile, ctx: PageContext) -> String {
        let t = ctx.t
        return Page(
            title: c.name, description: c.summary, canonical: .clinic(.value(c.slug)), jsonLD: [jsonLD(c, ctx)],
            breadcrumbs: [(t("nav.home"), .home), (t("nav.providers"), .providers), (c.name, nil)],
            body: .div(.class("wrap profile"),
                ProviderShow.suspendedNotice(c.isSuspended, c.suspendedReason, t),
                .header(.class("profile-header"),
                    .div(.class("avatar clinic"), .attr("aria-hidden", "true"), .plain(String(c.name.prefix(1)))),
                    .div(.h1(.plain(c.name)),
                         .p(.class("lead"), .plain(t("clinic.kind.\(c.kind)")),
                            .if(c.locations.first != nil, .plain(" · \(c.locations.first?.city ?? ""), \(t.country(c.locations.first?.country ?? ""))"))),
                         .p(.class("badges"),
                            c.credentials.contains(where: \.verified) ? .span(.class("badge badge-verified"), .plain(t("clinic.accredited"))) : .empty,
                            .if(c.isSample, Fragments.sampleBadge(t))),
                         .if(!c.isSuspended, .p(.a(.class("button"), .to(SiteURL.consult(.value(c.slug)).path), .plain(t("consult.cta"))))))),
                .div(.class("profile-grid"),
                    .div(.class("profile-main"),
                        .section(.h2(.plain(t("clinic.about"))), .p(.plain(c.summary)),
                            .if(c.parent != nil, .p(.plain(t("clinic.partOf")), .plain(" "), .a(.to(SiteURL.clinic(.value(c.parent?.slug ?? "")).path), .plain(c.parent?.name ?? "")))),
                            .if(!c.children.isEmpty, .p(.plain(t("clinic.includes")), .plain(" "), .group(c.children.enumerated().map { i, ch in
                                .group(.if(i > 0, .plain(", ")), .a(.to(SiteURL.clinic(.value(ch.slug)).path), .plain(ch.name)))
                            })))),
                        .if(!c.practitioners.isEmpty, .section(.h2(.plain(t("clinic.team"))),
                            .ul(.class("cards compact"), .forEach(c.practitioners) { .li(ProviderIndex.card($0, ctx)) }))),
                        ProviderShow.gallery(c.photos, t),
                        offers(c, ctx),
                        ProviderShow.credentials(c.credentials, ctx)
                    ),
                    .aside(.class("profile-side"),
                        .section(.class("card"), .h2(.plain(t("clinic.locations"))),
                            .ul(.class("places"), .forEach(c.locations) { l in
                                .li(.strong(.plain(l.locationName)), .element(named: "address", nodes: [.plain(ProviderShow.address(l, t))]),
                    ProviderShow.hours(l.hours, t))
                            }),
                            .if(c.website != nil, .p(.a(.to(c.website ?? ""), .attr("rel", "nofollow noopener"), .plain(t("clinic.website"))))))
                    )
                )
            )
        ).render(ctx)
    }

    static func offers(_ c: ClinicProfile, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        guard !c.offers.isEmpty else { return .empty }
        return .section(.h2(.plain(t("clinic.procedures"))),
            .table(.class("data"),
                .thead(.tr(.th(.plain(t("table.procedure"))), .th(.plain(t("table.by"))), .th(.plain(t("table.price"))))),
                .tbody(.forEach(c.offers) { o in
                    .tr(.td(.a(.to(SiteURL.procedure(.value(o.procedureSlug)).path), .plain(o.procedureName))),
                        .td(o.practitionerSlug.map { .a(.to(SiteURL.provider(.value($0)).path), .plain(o.practitionerName ?? "")) } ?? .plain(t("table.clinicTeam"))),
                        .td(ProviderShow.priceCell(o.price, t)))
                })),
            .p(.class("fineprint"), .plain(t("price.note", ["date": ExchangeRates.reference.asOf]))),
            ProviderShow.factsUpdated(c.factsUpdatedAt, c.factsChanged, t))
    }

    static func jsonLD(_ c: ClinicProfile, _ ctx: PageContext) -> TrustedHTML {
        let url = ctx.absolute(.clinic(.value(c.slug)))
        var object: [String: JSONValue] = [
            "@type": c.kind == "hospital" ? "Hospital" : "MedicalClinic",
            "@id": .string(url),
            "name": .string(c.name), "description": .string(c.summary), "url": .string(url),
        ]
        if let l = c.locations.first {
            var address: [String: JSONValue] = ["@type": "PostalAddress", "addressLocality": .string(l.city), "addressCountry": .string(l.country)]
            if let s = l.street { address["streetAddress"] = .string(s) }
            if let p = l.postalCode { address["postalCode"] = .string(p) }
            object["address"] = .object(address)
            if let lat = l.latitude, let lon = l.longitude { object["geo"] = ["@type": "GeoCoordinates", "latitude": .double(lat), "longitude": .double(lon)] }
        }
        if let parent = c.parent {
            object["parentOrganization"] = ["@type": "Organization", "name": .string(parent.name), "url": .string(ctx.absolute(.clinic(.value(parent.slug))))]
        }
        if !c.practitioners.isEmpty {
            object["employee"] = .array(c.practitioners.map { ["@type": "Person", "name": .string($0.name), "url": .string(ctx.absolute(.provider(.value($0.slug))))] })
        }
        if !c.offers.isEmpty {
            object["availableService"] = .array(Array(Set(c.offers.map(\.procedureName))).sorted().map { ["@type": "MedicalProcedure", "name": .string($0)] })
        }
        return JSONLD.script(object)
    }
}
