import Foundation
import Plot
import Domain

/// `/magazine/{slug}`: one article, its review, the disclaimer and the featured provider.
enum ArticleShow {
    static func render(_ a: ArticleDetail, aids: [(id: String, title: String)] = [], ctx: PageContext) -> String {
        let t = ctx.t
        let c = a.card
        return Page(
            title: c.title, description: c.summary, canonical: .article(.value(c.slug)), jsonLD: [jsonLD(a, ctx)],
            breadcrumbs: [(t("nav.home"), .home), (t("nav.magazine"), .magazine), (c.categoryName, .category(.value(c.categorySlug))), (c.title, nil)],
            social: a.social,
            body: .article(.class("wrap narrow article"),
                .header(.class("article-header"),
                    .p(.class("eyebrow"), .a(.to(SiteURL.category(.value(c.categorySlug)).path), .plain(c.categoryName))),
                    .h1(.plain(c.title)),
                    .p(.class("lead"), .plain(c.summary)),
                    .p(.class("meta"),
                       .plain(t("article.by", ["author": a.author.name])), .plain(" · "),
                       .time(.datetime(ISODate.format(c.publishedAt)), .plain(t.date(c.publishedAt))), .plain(" · "),
                       .plain(t.count("article.minutes", c.readingMinutes))),
                    Fragments.review(reviewer: a.reviewer?.name, reviewerTitle: a.reviewer?.title, date: c.reviewedAt, t)
                ),
                .div(.class("prose"), .trusted(a.bodyHTML)),
                .if(!a.procedures.isEmpty, .section(.class("related-guides"),
                    .h2(.plain(t("article.guides"))),
                    .ul(.class("chips"), .forEach(a.procedures) { p in .li(.a(.to(SiteURL.procedure(.value(p.slug)).path), .plain(p.name))) }))),
                Fragments.decisionAids(aids, t),
                featured(a.featured, ctx),
                .if(a.isClinical, Fragments.disclaimer(t)),
                .section(.class("about-author"),
                    .h2(.plain(t("article.aboutTeam"))),
                    .p(.plain(t("article.writtenBy", ["author": "\(a.author.name), \(a.author.title)"]))),
                    .if(a.reviewer != nil, .p(.plain(t("article.reviewedBy", ["reviewer": "\(a.reviewer?.name ?? ""), \(a.reviewer?.title ?? "")"])))),
                    .if(a.author.isSample || (a.reviewer?.isSample ?? false), .p(.class("fineprint"), .plain(t("sample.people"))))),
                .if(!a.related.isEmpty, .section(.class("related"),
                    .h2(.plain(t("article.related"))),
                    .ul(.class("article-grid"), .forEach(a.related) { .li(MagazineIndex.card($0, ctx)) })))
            )
        ).render(ctx)
    }

    static func featured(_ f: FeaturedProvider?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard let f else { return .empty }
        let t = ctx.t
        let place = f.place.map { p -> String in
            let parts = p.split(separator: "|").map(String.init)
            return parts.count == 2 ? "\(parts[0]), \(t.country(parts[1]))" : p
        }
        return .aside(.class("featured-provider card"), .attr("aria-labelledby", "featured-heading"),
            .p(.class("eyebrow"), .plain(t("featured.eyebrow"))),
            .h2(.id("featured-heading"), .plain(f.name)),
            .p(.class("muted"), .plain(f.specialty), .if(place != nil, .plain(" · \(place ?? "")"))),
            .p(.class("badges"),
               f.verifiedOn.map { .span(.class("badge badge-verified"), .plain(t("credential.badge.verified", ["date": t.date($0)]))) }
                 ?? .span(.class("badge badge-unverified"), .plain(t("credential.badge.none"))),
               .if(f.isSample, Fragments.sampleBadge(t))),
            .p(.plain(f.bio)),
            .p(.class("actions"),
               .a(.class("button"), .to(SiteURL.consult(.value(f.slug)).path), .plain(t("consult.cta"))),
               .a(.class("button secondary"), .to(SiteURL.provider(.value(f.slug)).path), .plain(t("featured.profile")))),
            .p(.class("fineprint"), .plain(t("featured.noEndorsement")))
        )
    }

    static func jsonLD(_ a: ArticleDetail, _ ctx: PageContext) -> TrustedHTML {
        let c = a.card
        var object: [String: Any] = [
            "@type": "MedicalWebPage",
            "@id": ctx.absolute(.article(.value(c.slug))),
            "url": ctx.absolute(.article(.value(c.slug))),
            "headline": c.title, "name": c.title, "description": c.summary,
            "datePublished": ISODate.format(c.publishedAt),
            "author": ["@type": "Person", "name": a.author.name],
            "publisher": ["@type": "Organization", "name": ctx.t("site.name"), "url": ctx.absolute(.home)],
            "about": ["@type": "Thing", "name": c.categoryName],
            "inLanguage": ctx.t.language,
        ]
        if let r = a.reviewer { object["reviewedBy"] = ["@type": "Person", "name": r.name, "jobTitle": r.title] }
        if let d = c.reviewedAt { object["lastReviewed"] = ISODate.format(d) }
        if !a.procedures.isEmpty { object["mentions"] = a.procedures.map { ["@type": "MedicalProcedure", "name": $0.name, "url": ctx.absolute(.procedure(.value($0.slug)))] } }
        return JSONLD.script(object)
    }
}
