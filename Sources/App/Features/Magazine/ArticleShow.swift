import Foundation
import Plot
import Domain

/// `/magazine/{slug}`: one article, its review, the disclaimer and the featured provider.
enum ArticleShow {
    static func render(_ a: ArticleDetail, aids: [(id: String, title: String)] = [], ctx: PageContext) -> String {
        let t = ctx.t
        let c = a.card
        let body = HTMLWriter.render(reserving: a.bodyHTML.value.utf8.count + 8_192) { w in
            w.element("article", .cls("wrap narrow article")) { w in
                w.element("header", .cls("article-header")) { w in
                    w.element("p", .cls("eyebrow")) { w in w.link(SiteURL.category(.value(c.categorySlug)).path, c.categoryName) }
                    w.element("h1", text: c.title)
                    w.element("p", .cls("lead"), text: c.summary)
                    w.element("p", .cls("meta")) { w in
                        w.text(t("article.by", ["author": a.author.name]))
                        w.text(" · ")
                        w.element("time", .attr("datetime", ISODate.format(c.publishedAt)), text: t.date(c.publishedAt))
                        w.text(" · ")
                        w.text(t.count("article.minutes", c.readingMinutes))
                    }
                    Fragments.review(&w, reviewer: a.reviewer?.name, reviewerTitle: a.reviewer?.title, date: c.reviewedAt, t)
                }
                w.element("div", .cls("prose")) { w in w.trusted(a.bodyHTML) }
                if !a.procedures.isEmpty {
                    w.element("section", .cls("related-guides")) { w in
                        w.element("h2", text: t("article.guides"))
                        w.element("ul", .cls("chips")) { w in
                            for p in a.procedures { w.element("li") { w in w.link(SiteURL.procedure(.value(p.slug)).path, p.name) } }
                        }
                    }
                }
                Fragments.decisionAids(&w, aids, t)
                featured(&w, a.featured, ctx)
                if a.isClinical { Fragments.disclaimer(&w, t) }
                w.element("section", .cls("about-author")) { w in
                    w.element("h2", text: t("article.aboutTeam"))
                    w.element("p", text: t("article.writtenBy", ["author": "\(a.author.name), \(a.author.title)"]))
                    if let r = a.reviewer { w.element("p", text: t("article.reviewedBy", ["reviewer": "\(r.name), \(r.title)"])) }
                    if a.author.isSample || (a.reviewer?.isSample ?? false) { w.element("p", .cls("fineprint"), text: t("sample.people")) }
                }
                if !a.related.isEmpty {
                    w.element("section", .cls("related")) { w in
                        w.element("h2", text: t("article.related"))
                        w.element("ul", .cls("article-grid")) { w in
                            for r in a.related { w.element("li") { w in MagazineIndex.card(&w, r, ctx) } }
                        }
                    }
                }
            }
        }
        return Page(
            title: c.title, description: c.summary, canonical: .article(.value(c.slug)), jsonLD: [jsonLD(a, ctx)],
            breadcrumbs: [(t("nav.home"), .home), (t("nav.magazine"), .magazine), (c.categoryName, .category(.value(c.categorySlug))), (c.title, nil)],
            social: a.social, written: body
        ).render(ctx)
    }

    static func featured(_ w: inout HTMLWriter, _ f: FeaturedProvider?, _ ctx: PageContext) {
        guard let f else { return }
        let t = ctx.t
        let place = f.place.map { p -> String in
            let parts = p.split(separator: "|").map(String.init)
            return parts.count == 2 ? "\(parts[0]), \(t.country(parts[1]))" : p
        }
        w.element("aside", .cls("featured-provider card"), .attr("aria-labelledby", "featured-heading")) { w in
            w.element("p", .cls("eyebrow"), text: t("featured.eyebrow"))
            w.element("h2", .id("featured-heading"), text: f.name)
            w.element("p", .cls("muted")) { w in
                w.text(f.specialty)
                if let place { w.text(" · \(place)") }
            }
            w.element("p", .cls("badges")) { w in
                if let verified = f.verifiedOn {
                    w.element("span", .cls("badge badge-verified"), text: t("credential.badge.verified", ["date": t.date(verified)]))
                } else {
                    w.element("span", .cls("badge badge-unverified"), text: t("credential.badge.none"))
                }
                if f.isSample { Fragments.sampleBadge(&w, t) }
            }
            w.element("p", text: f.bio)
            w.element("p", .cls("actions")) { w in
                w.element("a", .cls("button"), .href(SiteURL.consult(.value(f.slug)).path), text: t("consult.cta"))
                w.element("a", .cls("button secondary"), .href(SiteURL.provider(.value(f.slug)).path), text: t("featured.profile"))
            }
            w.element("p", .cls("fineprint"), text: t("featured.noEndorsement"))
        }
    }

    static func jsonLD(_ a: ArticleDetail, _ ctx: PageContext) -> TrustedHTML {
        let c = a.card
        let url = ctx.absolute(.article(.value(c.slug)))
        var object: [String: JSONValue] = [
            "@type": "MedicalWebPage",
            "@id": .string(url),
            "url": .string(url),
            "headline": .string(c.title), "name": .string(c.title), "description": .string(c.summary),
            "datePublished": .string(ISODate.format(c.publishedAt)),
            "author": ["@type": "Person", "name": .string(a.author.name)],
            "publisher": ["@type": "Organization", "name": .string(ctx.t("site.name")), "url": .string(ctx.absolute(.home))],
            "about": ["@type": "Thing", "name": .string(c.categoryName)],
            "inLanguage": .string(ctx.t.language),
        ]
        if let r = a.reviewer { object["reviewedBy"] = ["@type": "Person", "name": .string(r.name), "jobTitle": .string(r.title)] }
        if let d = c.reviewedAt { object["lastReviewed"] = .string(ISODate.format(d)) }
        if !a.procedures.isEmpty {
            object["mentions"] = .array(a.procedures.map { ["@type": "MedicalProcedure", "name": .string($0.name), "url": .string(ctx.absolute(.procedure(.value($0.slug))))] })
        }
        return JSONLD.script(object)
    }
}
