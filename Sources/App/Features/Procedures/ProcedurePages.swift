import Foundation
import Plot
import Domain

/// `/procedures`: every guide, grouped by field.
enum ProcedureIndex {
    static func render(_ all: [ProcedureSummary], ctx: PageContext) -> String {
        let t = ctx.t
        var groups: [(String, String, [ProcedureSummary])] = []
        for p in all {
            if let i = groups.firstIndex(where: { $0.0 == p.categorySlug }) { groups[i].2.append(p) } else { groups.append((p.categorySlug, p.categoryName, [p])) }
        }
        return Page(
            title: t("procedures.title"), description: t("procedures.description"), canonical: .procedures,
            breadcrumbs: [(t("nav.home"), .home), (t("nav.procedures"), nil)],
            body: .div(.class("wrap"),
                .h1(.plain(t("procedures.title"))),
                .p(.class("lead"), .plain(t("procedures.intro"))),
                .forEach(groups) { _, name, items in
                    .section(.class("procedure-group"),
                        .h2(.plain(name)),
                        .ul(.class("procedure-grid"), .forEach(items) { p in
                            .li(.class("card"),
                                .h3(.a(.to(SiteURL.procedure(.value(p.slug)).path), .plain(p.name))),
                                .p(.class("eyebrow"), .plain(t("procedure.type.\(p.procedureType)"))),
                                .p(.plain(p.summary)))
                        }))
                }
            )
        ).render(ctx)
    }
}

/// `/procedures/{slug}`: a structured guide.
enum ProcedureShow {
    static func render(_ d: ProcedureDetail, aids: [(id: String, title: String)] = [], ctx: PageContext) -> String {
        let t = ctx.t
        let p = d.procedure
        // The HTML stored at publishing; a guide stored before that is rendered here.
        let html = d.sections ?? [:]
        func section(_ key: String, _ markdown: String) -> TrustedHTML {
            html[key].map { HTMLSanitizer.sanitise($0) } ?? HTMLSanitizer.render(markdown: markdown)
        }
        let sections: [(String, String, TrustedHTML)] = [
            ("what", t("procedure.whatItIs"), section("what_it_is", p.whatItIs)),
            ("suits", t("procedure.suits"), section("suits", p.suits)),
            ("not-suits", t("procedure.notSuits"), section("not_suits", p.notSuits)),
            ("preparation", t("procedure.preparation"), section("preparation", p.preparation)),
            ("how", t("procedure.howPerformed"), section("how_performed", p.howPerformed)),
            ("recovery", t("procedure.recovery"), section("recovery", p.recovery)),
            ("risks", t("procedure.risks"), section("risks", p.risks)),
            ("alternatives", t("procedure.alternatives"), section("alternatives", p.alternatives)),
        ]
        let body = HTMLWriter.render(reserving: sections.reduce(16_384) { $0 + $1.2.value.utf8.count }) { w in
            w.element("article", .cls("wrap guide")) { w in
                w.element("header", .cls("article-header")) { w in
                    w.element("p", .cls("eyebrow"), text: d.categoryName)
                    w.element("h1", text: p.name)
                    w.element("p", .cls("lead"), text: p.summary)
                    Fragments.review(&w, reviewer: d.reviewer?.name, reviewerTitle: d.reviewer?.title, date: p.reviewedAt, t)
                }
                w.element("div", .cls("profile-grid")) { w in
                    w.element("div", .cls("profile-main prose")) { w in
                        w.element("nav", .cls("toc"), .attr("aria-label", t("procedure.contents"))) { w in
                            w.element("ol") { w in
                                for (id, title, _) in sections { w.element("li") { w in w.link("#\(id)", title) } }
                                w.element("li") { w in w.link("#results", t("procedure.results")) }
                                w.element("li") { w in w.link("#prices", t("procedure.prices")) }
                                w.element("li") { w in w.link("#providers", t("procedure.providers")) }
                            }
                        }
                        func section(_ s: (String, String, TrustedHTML)) {
                            w.element("section", .id(s.0)) { w in
                                w.element("h2", text: s.1)
                                w.trusted(s.2)
                            }
                        }
                        for s in sections.prefix(6) { section(s) }
                        w.element("section", .id("results")) { w in
                            w.element("h2", text: t("procedure.results"))
                            w.element("dl") { w in
                                w.element("dt", text: t("procedure.resultsOnset"))
                                w.element("dd", text: p.resultsOnset)
                                w.element("dt", text: t("procedure.resultsDuration"))
                                w.element("dd", text: p.resultsDuration)
                            }
                        }
                        for s in sections.suffix(2) { section(s) }
                        w.element("section", .id("followup")) { w in
                            w.element("h2", text: t("procedure.followup"))
                            w.element("p", text: p.followup)
                        }
                        prices(&w, d, ctx)
                    }
                    w.element("aside", .cls("profile-side")) { w in
                        w.element("section", .cls("card facts")) { w in
                            w.element("h2", text: t("procedure.atAGlance"))
                            w.element("dl") { w in
                                w.element("dt", text: t("procedure.typeLabel"))
                                w.element("dd", text: t("procedure.type.\(p.procedureType)"))
                                w.element("dt", text: t("procedure.area"))
                                w.element("dd", text: p.bodyLocation)
                                w.element("dt", text: t("procedure.duration"))
                                w.element("dd", text: t.count("procedure.minutes", p.durationMinutes))
                                w.element("dt", text: t("procedure.stay"))
                                w.element("dd", text: t.count("procedure.days", p.stayDays))
                            }
                        }
                        if !d.articles.isEmpty {
                            w.element("section", .cls("card")) { w in
                                w.element("h2", text: t("procedure.readMore"))
                                w.element("ul") { w in
                                    for a in d.articles { w.element("li") { w in w.link(SiteURL.article(.value(a.slug)).path, a.title) } }
                                }
                            }
                        }
                    }
                }
                Fragments.decisionAids(&w, aids, t)
                providers(&w, d, ctx)
                Fragments.disclaimer(&w, t)
            }
        }
        return Page(
            title: p.name, description: p.summary, canonical: .procedure(.value(p.slug)), jsonLD: [jsonLD(d, ctx)],
            breadcrumbs: [(t("nav.home"), .home), (t("nav.procedures"), .procedures), (p.name, nil)],
            social: SocialCard(title: p.socialTitle, description: p.socialDescription, image: p.socialImage),
            written: body
        ).render(ctx)
    }

    static func prices(_ w: inout HTMLWriter, _ d: ProcedureDetail, _ ctx: PageContext) {
        let t = ctx.t
        w.element("section", .id("prices")) { w in
            w.element("h2", text: t("procedure.prices"))
            w.element("p", .cls("notice")) { w in
                w.element("span", .cls("badge badge-sample"), text: t("sample.badge"))
                w.text(" ")
                w.text(t("procedure.pricesNote"))
            }
            if d.prices.isEmpty {
                w.element("p", text: t("procedure.noPrices"))
            } else {
                w.dataTable(caption: t("procedure.pricesCaption"), columns: [t("table.country"), t("table.typicalRange"), t("table.inEuros")]) { w in
                    for row in d.prices {
                        w.element("tr") { w in
                            w.element("td", text: t.country(row.country))
                            let formatted = row.price.formatted
                            w.element("td", text: formatted)
                            w.element("td", text: row.price.formattedEUR ?? formatted)
                        }
                    }
                }
            }
            w.element("p", .cls("fineprint"), text: t("price.note", ["date": ExchangeRates.reference.asOf]))
        }
    }

    static func providers(_ w: inout HTMLWriter, _ d: ProcedureDetail, _ ctx: PageContext) {
        let t = ctx.t
        let slug = d.procedure.slug
        w.element("section", .id("providers"), .cls("guide-providers")) { w in
            w.element("h2", text: t("procedure.providers"))
            if d.providers.items.isEmpty {
                w.element("p", text: t("procedure.noProviders"))
            } else {
                w.element("ul", .cls("cards")) { w in
                    let pieces = ProviderIndex.CardPieces(t, consultFor: slug)
                    for card in d.providers.items { w.element("li") { w in ProviderIndex.card(&w, card, ctx, consultFor: slug, pieces: pieces) } }
                }
            }
            w.element("p") { w in
                w.element("a", .cls("button secondary"), .href(SiteURL.providers.path(query: [("procedure", slug)])),
                          text: t.count("procedure.allProviders", d.providers.total))
            }
        }
    }

    static func jsonLD(_ d: ProcedureDetail, _ ctx: PageContext) -> TrustedHTML {
        let p = d.procedure
        let stored = d.sections
        // `procedureType` takes a MedicalProcedureType value; a surgical procedure is a type of its own instead.
        let types = ["minimally-invasive": "https://schema.org/PercutaneousProcedure", "non-invasive": "https://schema.org/NoninvasiveProcedure"]
        let url = ctx.absolute(.procedure(.value(p.slug)))
        var object: [String: JSONValue] = [
            "@type": p.procedureType == "surgical" ? "SurgicalProcedure" : "MedicalProcedure",
            "@id": .string(url),
            "url": .string(url),
            "name": .string(p.name), "description": .string(p.summary),
            "bodyLocation": .string(p.bodyLocation),
            "preparation": .string(stored?["preparation_text"] ?? HTMLSanitizer.plainText(markdown: p.preparation).trimmingCharacters(in: .whitespacesAndNewlines)),
            "howPerformed": .string(stored?["how_performed_text"] ?? HTMLSanitizer.plainText(markdown: p.howPerformed).trimmingCharacters(in: .whitespacesAndNewlines)),
            "followup": .string(p.followup),
            "medicineSystem": "https://schema.org/WesternConventional",
        ]
        if let type = types[p.procedureType] { object["procedureType"] = .string(type) }
        var page: [String: JSONValue] = ["@type": "MedicalWebPage", "url": .string(url), "mainEntity": ["@id": .string(url)]]
        if let r = d.reviewer { page["reviewedBy"] = ["@type": "Person", "name": .string(r.name), "jobTitle": .string(r.title)] }
        if let date = p.reviewedAt { page["lastReviewed"] = .string(ISODate.format(date)) }
        object["subjectOf"] = .object(page)
        return JSONLD.script(object)
    }
}
