import Foundation
import Vapor
import Fluent
import Domain

/// Atom feed of the magazine and the XML sitemap. Written as text with escaping: both formats are small and fixed.
enum FeedController {
    @Sendable static func atom(req: Request) async throws -> Response {
        let ctx = req.pageContext
        let t = ctx.t
        let page = try await MagazineQueries.list(text: nil, categoryID: nil, paging: Paging(page: 1, perPage: 30), on: req.db)
        let x = HTMLEscaping.attribute
        let updated = page.items.map { $0.reviewedAt ?? $0.publishedAt }.max() ?? Date(timeIntervalSince1970: 0)
        var xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom">
          <title>\(x(t("feed.title")))</title>
          <subtitle>\(x(t("feed.subtitle")))</subtitle>
          <id>\(x(ctx.absolute(.magazine)))</id>
          <link rel="alternate" type="text/html" href="\(x(ctx.absolute(.magazine)))"/>
          <link rel="self" type="application/atom+xml" href="\(x(ctx.absolute(.feed)))"/>
          <updated>\(ISODate.timestamp(updated))</updated>

        """
        for a in page.items {
            let url = ctx.absolute(.article(.value(a.slug)))
            xml += """
              <entry>
                <title>\(x(a.title))</title>
                <id>\(x(url))</id>
                <link rel="alternate" type="text/html" href="\(x(url))"/>
                <published>\(ISODate.timestamp(a.publishedAt))</published>
                <updated>\(ISODate.timestamp(a.reviewedAt ?? a.publishedAt))</updated>
                <author><name>\(x(a.authorName))</name></author>
                <category term="\(x(a.categorySlug))" label="\(x(a.categoryName))"/>
                <summary>\(x(a.summary))</summary>
              </entry>

            """
        }
        xml += "</feed>\n"
        let response = Response(status: .ok, body: .init(string: xml))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "atom+xml", parameters: ["charset": "utf-8"])
        return response
    }

    @Sendable static func sitemap(req: Request) async throws -> Response {
        let ctx = req.pageContext
        let x = HTMLEscaping.attribute
        var entries: [(String, Date?)] = [(ctx.absolute(.home), nil), (ctx.absolute(.magazine), nil), (ctx.absolute(.procedures), nil),
                                          (ctx.absolute(.providers), nil), (ctx.absolute(.howWeRank), nil),
                                          (ctx.absolute(.terms), nil), (ctx.absolute(.privacy), nil)]
        for c in try await Category.query(on: req.db).sort(\.$position).all() { entries.append((ctx.absolute(.category(.value(c.slug))), nil)) }
        for a in try await Article.query(on: req.db).sort(\.$publishedAt, .descending).all() {
            entries.append((ctx.absolute(.article(.value(a.slug))), a.reviewedAt ?? a.publishedAt))
        }
        for p in try await Procedure.query(on: req.db).sort(\.$slug).all() { entries.append((ctx.absolute(.procedure(.value(p.slug))), p.reviewedAt)) }
        // A sitemap file holds at most 50,000 addresses; the largest directories are reached through search.
        let providerLimit = 40_000
        for p in try await Practitioner.query(on: req.db).filter(\.$suspendedAt == nil).sort(\.$profileScore, .descending).sort(\.$id).limit(providerLimit).all() {
            entries.append((ctx.absolute(.provider(.value(p.slug))), p.updatedAt))
        }
        for o in try await Organization.query(on: req.db).sort(\.$id).limit(5_000).all() {
            entries.append((ctx.absolute(.clinic(.value(o.slug))), o.updatedAt))
        }
        entries.append((ctx.absolute(.facilitators), nil))
        for f in try await Facilitator.query(on: req.db).filter(\.$suspendedAt == nil).sort(\.$id).limit(5_000).all() {
            entries.append((ctx.absolute(.facilitator(.value(f.slug))), f.updatedAt))
        }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        for (url, date) in entries {
            xml += "  <url><loc>\(x(url))</loc>\(date.map { "<lastmod>\(ISODate.format($0))</lastmod>" } ?? "")</url>\n"
        }
        xml += "</urlset>\n"
        let response = Response(status: .ok, body: .init(string: xml))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "xml", parameters: ["charset": "utf-8"])
        return response
    }
}
