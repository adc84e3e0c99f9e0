import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Public pages")
struct PageTests {
    static let lipArticle = "natural-lip-rejuvenation-microfat-nanofat"
    static let tonnard = "patrick-tonnard-md-phd"

    @Test("Home page: heading, latest articles, guides, verified providers")
    func home() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/")
            #expect(res.status == .ok)
            #expect(res.headers.contentType == .html)
            let html = res.text
            #expect(html.contains("Care abroad you can check for yourself"))
            #expect(html.contains("From the magazine"))
            // The four newest articles, newest first.
            let newest = try await Article.query(on: app.db).sort(\.$publishedAt, .descending).limit(4).all()
            var last = html.startIndex
            for a in newest {
                let link = try #require(html.range(of: "href=\"/magazine/\(a.slug)\""), "home lacks \(a.slug)")
                #expect(link.lowerBound > last)
                last = link.lowerBound
            }
            #expect(html.contains("All 18 guides"))
            #expect(html.contains("Search all 52 providers"))
            let verified = try await verifiedPractitionerIDs(app.db, at: testNow).count
            #expect(html.contains("\(verified) providers with a verified, current credential"))
            #expect(html.contains("Medical disclaimer"))
        }
    }

    @Test("Magazine: nine articles on the first page, the tenth on the second")
    func magazinePaging() async throws {
        try await withTestApp { app in
            let first = try await send(app, .GET, "/magazine")
            #expect(first.status == .ok)
            #expect(first.text.components(separatedBy: "class=\"card article-card\"").count - 1 == 9)
            #expect(first.text.contains("Page 1 of 2"))
            #expect(first.text.contains("href=\"/magazine?page=2\""))
            let oldest = try #require(try await Article.query(on: app.db).sort(\.$publishedAt, .ascending).first())
            #expect(!first.text.contains("href=\"/magazine/\(oldest.slug)\""))

            let second = try await send(app, .GET, "/magazine?page=2")
            #expect(second.status == .ok)
            #expect(second.text.components(separatedBy: "class=\"card article-card\"").count - 1 == 1)
            #expect(second.text.contains("href=\"/magazine/\(oldest.slug)\""))
            #expect(second.text.contains("Page 2 of 2"))
            #expect(second.text.contains("<link rel=\"canonical\" href=\"https://careabroad.test/magazine?page=2\"/>"))

            let beyond = try await send(app, .GET, "/magazine?page=3")
            #expect(beyond.status == .ok)
            #expect(beyond.text.contains("No article matches."))
        }
    }

    @Test("Magazine search finds the dental implants article")
    func magazineSearch() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/magazine?q=implants")
            #expect(res.status == .ok)
            #expect(res.text.contains("href=\"/magazine/dental-implants-abroad-what-to-know\""))
            #expect(res.text.contains("Magazine search"))
            #expect(res.text.contains("<meta name=\"robots\" content=\"noindex\"/>"))
            let none = try await send(app, .GET, "/magazine?q=xyzzyplugh")
            #expect(none.status == .ok)
            #expect(none.text.contains("0 articles found"))
            #expect(none.text.contains("No article matches."))
            // Accents fold: "São" style input still matches plain words.
            let folded = try await send(app, .GET, "/magazine?q=%C3%8DMPLANTS")
            #expect(folded.text.contains("href=\"/magazine/dental-implants-abroad-what-to-know\""))
        }
    }

    @Test("The lip article: title, review, disclaimer, featured provider and reading time")
    func lipArticle() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/magazine/\(Self.lipArticle)")
            #expect(res.status == .ok)
            let html = res.text
            #expect(html.contains("<h1>Softer, natural-looking lips using your own fat: microfat, nanofat and where filler fits</h1>"))
            #expect(html.contains("Medically reviewed"))
            #expect(html.contains("by Dr Helen Marsh, MD, FRCS (Plast), last reviewed"))
            #expect(html.contains("<time datetime=\"2026-11-02\">2 November 2026</time>"))
            #expect(html.contains("By Maya Lindgren"))
            #expect(html.contains("<h2 class=\"disclaimer-title\">Medical disclaimer</h2>"))

            // Featured provider block.
            let start = try #require(html.range(of: "<aside class=\"featured-provider card\""))
            let end = try #require(html[start.upperBound...].range(of: "</aside>"))
            let block = String(html[start.lowerBound..<end.upperBound])
            #expect(block.contains("Dr. Patrick Tonnard, MD, PhD"))
            #expect(block.contains("href=\"/providers/\(Self.tonnard)\""))
            #expect(block.contains("href=\"/consult/\(Self.tonnard)\""))
            #expect(block.contains("No verified credential yet"))
            #expect(!block.contains("badge-verified"))
            #expect(block.contains("Ghent, Belgium"))

            // Reading time, counted here from the Markdown file at 220 words a minute.
            let source = try String(contentsOf: demoFile("articles/\(Self.lipArticle).md"), encoding: .utf8)
            let parts = source.components(separatedBy: "\n---\n")
            let body = parts.dropFirst().joined(separator: "\n---\n")
            let words = body.split(whereSeparator: { $0.isWhitespace }).count
            let minutes = Int((Double(words) / 220).rounded(.up))
            #expect(minutes > 1)
            #expect(html.contains("\(minutes) minute read"))

            // Related guides link to the procedures the article names.
            for slug in ["microfat-lip-grafting", "nanofat-grafting", "nanofat-microneedling", "hyaluronic-acid-lip-filler", "filler-dissolution-hyaluronidase"] {
                #expect(html.contains("href=\"/procedures/\(slug)\""))
            }
            #expect(html.contains("<link rel=\"canonical\" href=\"https://careabroad.test/magazine/\(Self.lipArticle)\"/>"))
        }
    }

    @Test("Non-clinical articles carry no medical disclaimer; clinical ones do")
    func disclaimers() async throws {
        try await withTestApp { app in
            for article in try await Article.query(on: app.db).all() {
                let res = try await send(app, .GET, "/magazine/\(article.slug)")
                #expect(res.status == .ok)
                #expect(res.text.contains("disclaimer-title") == article.isClinical, "\(article.slug)")
                #expect(res.text.contains("\(article.readingMinutes) minute read"), "\(article.slug)")
            }
        }
    }

    @Test("Category page lists only that category's articles")
    func category() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/magazine/category/dental")
            #expect(res.status == .ok)
            #expect(res.text.contains("<h1>Dental</h1>"))
            #expect(res.text.contains("href=\"/magazine/dental-implants-abroad-what-to-know\""))
            let dental = try #require(try await Category.query(on: app.db).filter(\.$slug == "dental").first())
            let count = try await Article.query(on: app.db).filter(\.$category.$id == dental.id!).count()
            #expect(res.text.components(separatedBy: "class=\"card article-card\"").count - 1 == count)
            #expect(!res.text.contains("href=\"/magazine/lasik-who-is-a-candidate\""))
        }
    }

    @Test("Procedure index lists all 18 guides")
    func procedureIndex() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/procedures")
            #expect(res.status == .ok)
            let procedures = try await Procedure.query(on: app.db).all()
            #expect(procedures.count == 18)
            for p in procedures {
                #expect(res.text.contains("<a href=\"/procedures/\(p.slug)\">\(p.name)</a>"), "\(p.slug)")
            }
            #expect(res.text.contains("Surgical"))
            #expect(res.text.contains("Minimally invasive"))
        }
    }

    @Test("Procedure guides show their sections, sample prices, reviewer and disclaimer")
    func procedurePage() async throws {
        try await withTestApp { app in
            for slug in ["dental-implants", "microfat-lip-grafting", "ivf", "lasik", "hair-transplant", "macs-lift-facelift"] {
                let res = try await send(app, .GET, "/procedures/\(slug)")
                #expect(res.status == .ok)
                let html = res.text
                for heading in ["What it is", "Who it may suit", "Who it may not suit", "Before the procedure", "How it is done", "Recovery",
                                "Results", "Risks and side effects", "Alternatives", "Follow-up at home", "Typical prices by country",
                                "Providers who offer it"] {
                    #expect(html.contains("<h2>\(heading)</h2>"), "\(slug) lacks \(heading)")
                }
                #expect(html.contains("Sample data"))
                #expect(html.contains("These ranges are illustrative demo figures, not quotes."))
                #expect(html.contains("Medical disclaimer"))
                #expect(html.contains("Medically reviewed"))
                // Reviewer and price rows as given in the demo files.
                let file = try #require(try demoProcedures().first { $0["slug"] as? String == slug })
                let reviewerSlug = try #require(file["reviewer"] as? String)
                let authors = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: demoFile("authors.json"))) as? [[String: Any]])
                let reviewer = try #require(authors.first { $0["slug"] as? String == reviewerSlug }?["name"] as? String)
                #expect(html.contains("by \(reviewer),"), "\(slug) lacks reviewer \(reviewer)")
                let samples = try #require(file["priceSamples"] as? [[String: String]])
                let t = app.localizer
                for s in samples {
                    let currency = try #require(CurrencyCode(s["currency"]!))
                    let range = try #require(PriceRange(min: Decimal(string: s["min"]!)!, max: Decimal(string: s["max"]!)!, currency: currency))
                    #expect(html.contains("<td>\(t.country(s["country"]!))</td><td>\(range.formatted)</td>"), "\(slug): \(s)")
                }
                // The providers button counts every practitioner offering it.
                let procedure = try #require(try await Procedure.query(on: app.db).filter(\.$slug == slug).first())
                let offering = Set(try await Offer.query(on: app.db).filter(\.$procedure.$id == procedure.id!).all().compactMap { $0.$practitioner.id })
                #expect(html.contains(offering.count == 1 ? "See the 1 provider" : "See all \(offering.count) providers"))
            }
        }
    }

    @Test("Provider search page without filters lists everyone")
    func providerIndex() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/providers")
            #expect(res.status == .ok)
            #expect(res.text.contains("Find a surgeon or clinic"))
            #expect(res.text.contains("52 providers found"))
            #expect(res.text.components(separatedBy: "class=\"card provider-card\"").count - 1 == 20)
            #expect(res.text.contains("Page 1 of 3"))
            #expect(res.text.contains("No provider can pay to appear higher"))
        }
    }

    @Test("Dr Tonnard's profile: no verified badge, his clinics, not sample data")
    func tonnardProfile() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/providers/\(Self.tonnard)")
            #expect(res.status == .ok)
            let html = res.text
            #expect(html.contains("<h1>Dr. Patrick Tonnard, MD, PhD</h1>"))
            #expect(html.contains("No verified credential yet"))
            #expect(!html.contains("badge-verified"))
            #expect(!html.contains("Verified credential · checked"))
            #expect(!html.contains("badge-sample"))
            #expect(html.contains("Coupure Center for Plastic Surgery"))
            #expect(html.contains("Aesthetic Medical Center 2 (EMC²)"))
            #expect(html.contains("href=\"/clinics/coupure-center-for-plastic-surgery\""))
            #expect(html.contains("Not verified"))
            #expect(html.contains("Not checked yet"))
            #expect(html.contains("Plastic and reconstructive surgery · Ghent, Belgium"))
            #expect(html.contains("MACS-lift facelift"))
            #expect(html.contains("On request"))
            #expect(html.contains("href=\"/magazine/\(Self.lipArticle)\""))
        }
    }

    @Test("Verified fictional providers show the badge with the latest check date")
    func verifiedProfiles() async throws {
        try await withTestApp { app in
            let practitioners = try demoProviders().practitioners
            var checked = 0
            for p in practitioners {
                let slug = try #require(p["slug"] as? String)
                let credentials = p["credentials"] as? [[String: Any]] ?? []
                // Verified, dated and in force on 25 November 2026, decided from the file.
                let counting = credentials.filter { c in
                    guard c["status"] as? String == "verified", c["lastVerified"] is String else { return false }
                    if let from = c["validFrom"] as? String, from > "2026-11-25" { return false }
                    if let until = c["validUntil"] as? String, until < "2026-11-25" { return false }
                    return true
                }
                let res = try await send(app, .GET, "/providers/\(slug)")
                #expect(res.status == .ok)
                if let latest = counting.compactMap({ $0["lastVerified"] as? String }).max() {
                    let date = app.localizer.date(ISODate.parse(latest)!)
                    #expect(res.text.contains("Verified credential · checked \(date)"), "\(slug) should show the badge checked \(date)")
                    #expect(res.text.contains("class=\"badge badge-verified\""), "\(slug)")
                    checked += 1
                } else {
                    #expect(res.text.contains("No verified credential yet"), "\(slug)")
                    #expect(!res.text.contains("class=\"badge badge-verified\""), "\(slug)")
                }
                #expect(res.text.contains("badge-sample") == (p["isSample"] as? Bool ?? true), "\(slug)")
            }
            #expect(checked >= 30)
        }
    }

    @Test("A fictional verified provider: Dr Selin Aydın")
    func selinAydin() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/providers/dr-selin-aydin")
            #expect(res.status == .ok)
            #expect(res.text.contains("Verified credential · checked 15 August 2026"))
            #expect(res.text.contains("Sample data"))
            #expect(res.text.contains("Lale Dental Atelier"))
            #expect(res.text.contains("450 – 900 EUR"))
            #expect(res.text.contains("German, English, Turkish"))
        }
    }

    @Test("Providers whose licence expired in 2025 show 'Expired' and no badge")
    func expiredLicences() async throws {
        try await withTestApp { app in
            let practitioners = try demoProviders().practitioners
            var found: [String] = []
            for p in practitioners {
                let credentials = p["credentials"] as? [[String: Any]] ?? []
                let expired2025 = credentials.contains { ($0["validUntil"] as? String)?.hasPrefix("2025-") == true && $0["status"] as? String == "verified" }
                let otherValid = credentials.contains { c in
                    c["status"] as? String == "verified" && c["lastVerified"] != nil && ((c["validUntil"] as? String).map { $0 >= "2026-11-25" } ?? true)
                }
                guard expired2025, !otherValid, let slug = p["slug"] as? String else { continue }
                found.append(slug)
                let res = try await send(app, .GET, "/providers/\(slug)")
                #expect(res.status == .ok)
                #expect(res.text.contains("<span class=\"status status-expired\">Expired</span>"), "\(slug)")
                #expect(res.text.contains("No verified credential yet"), "\(slug)")
                #expect(!res.text.contains("badge-verified"), "\(slug)")
                let api = try jsonObject(try await send(app, .GET, "/api/v1/providers/\(slug)"))
                #expect(api["verified"] as? Bool == false, "\(slug)")
            }
            #expect(found.contains("dr-hande-kocak"))
            #expect(found.count >= 3)
        }
    }

    @Test("Clinic page: kind, accreditation, practitioners and prices")
    func clinic() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/clinics/kardelen-marmara-hospital")
            #expect(res.status == .ok)
            let html = res.text
            #expect(html.contains("<h1>Kardelen Marmara Hospital</h1>"))
            #expect(html.contains("Hospital · Istanbul, Türkiye"))
            #expect(html.contains("Accredited facility"))
            #expect(html.contains("<h2>Practitioners</h2>"))
            // Every practitioner with a role there, from the demo file.
            let file = try demoProviders().practitioners
            let team = file.filter { ($0["roles"] as? [[String: Any]] ?? []).contains { $0["organization"] as? String == "kardelen-marmara-hospital" } }
            #expect(team.count == 3)
            for p in team {
                #expect(html.contains("href=\"/providers/\(p["slug"] as! String)\""))
            }
            #expect(html.contains("12,000 – 19,000 TRY"))
            #expect(html.contains("about 323 – 511 EUR"))
        }
    }

    @Test("Clinic hierarchy and lapsed accreditation")
    func clinicParentsAndExpiry() async throws {
        try await withTestApp { app in
            let child = try await send(app, .GET, "/clinics/clinica-articular-los-arcos")
            #expect(child.status == .ok)
            #expect(child.text.contains("Part of"))
            #expect(child.text.contains("href=\"/clinics/hospital-los-arcos-guadalajara\""))
            let parent = try await send(app, .GET, "/clinics/hospital-los-arcos-guadalajara")
            #expect(parent.text.contains("Includes"))
            #expect(parent.text.contains("href=\"/clinics/clinica-articular-los-arcos\""))
            // Its only licence ended on 31 May 2026.
            let lapsed = try await send(app, .GET, "/clinics/pasaret-dental-clinic")
            #expect(lapsed.status == .ok)
            #expect(!lapsed.text.contains("Accredited facility"))
            #expect(lapsed.text.contains("status-expired"))
            // Dr Tonnard's clinic is real: no sample badge.
            let coupure = try await send(app, .GET, "/clinics/coupure-center-for-plastic-surgery")
            #expect(coupure.status == .ok)
            #expect(!coupure.text.contains("badge-sample"))
            #expect(coupure.text.contains("href=\"/providers/\(Self.tonnard)\""))
        }
    }

    @Test("How we rank: published rules and no paid placement")
    func howWeRank() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/how-we-rank")
            #expect(res.status == .ok)
            #expect(res.text.contains("No paid placement"))
            #expect(res.text.contains("How we rank providers"))
            for i in 1...5 {
                #expect(res.text.contains(app.localizer("rank.rule\(i)")))
                #expect(res.text.contains(HTMLEscaping.text(app.localizer("verify.check\(i)"))) || res.text.contains(app.localizer("verify.check\(i)")))
            }
            #expect(res.text.contains("id=\"verification\""))
        }
    }

    @Test("Atom feed: valid XML with one entry per article")
    func feed() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/feed.xml")
            #expect(res.status == .ok)
            #expect(res.headers.contentType?.subType == "atom+xml")
            let parsed = try XMLSummary(data: Data(res.body.readableBytesView))
            #expect(parsed.root == "feed")
            #expect(parsed.count("entry") == 10)
            let articles = try await Article.query(on: app.db).all()
            for a in articles {
                #expect(parsed.text("id").contains("https://careabroad.test/magazine/\(a.slug)"))
            }
            #expect(parsed.text("title").contains("CareAbroad Magazine"))
            #expect(parsed.text("title").contains("Softer, natural-looking lips using your own fat: microfat, nanofat and where filler fits"))
        }
    }

    @Test("Sitemap: valid XML listing every public address on the configured origin")
    func sitemap() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/sitemap.xml")
            #expect(res.status == .ok)
            let parsed = try XMLSummary(data: Data(res.body.readableBytesView))
            #expect(parsed.root == "urlset")
            let locs = Set(parsed.text("loc"))
            let base = "https://careabroad.test"
            #expect(locs.allSatisfy { $0.hasPrefix(base + "/") })
            for path in ["/", "/magazine", "/procedures", "/providers", "/how-we-rank", "/terms", "/privacy"] { #expect(locs.contains(base + path)) }
            for a in try await Article.query(on: app.db).all() { #expect(locs.contains("\(base)/magazine/\(a.slug)")) }
            for c in try await Category.query(on: app.db).all() { #expect(locs.contains("\(base)/magazine/category/\(c.slug)")) }
            for p in try await Procedure.query(on: app.db).all() { #expect(locs.contains("\(base)/procedures/\(p.slug)")) }
            for p in try await Practitioner.query(on: app.db).all() { #expect(locs.contains("\(base)/providers/\(p.slug)")) }
            for o in try await Organization.query(on: app.db).all() { #expect(locs.contains("\(base)/clinics/\(o.slug)")) }
            #expect(locs.contains("\(base)/facilitators"))
            for f in try await Facilitator.query(on: app.db).all() { #expect(locs.contains("\(base)/facilitators/\(f.slug)")) }
            // Pages, categories, articles, guides, practitioners, clinics, the facilitator directory and its two profiles.
            #expect(parsed.count("url") == 7 + 8 + 10 + 18 + 52 + 26 + 1 + 2)
            #expect(parsed.text("lastmod").allSatisfy { ISODate.parse($0) != nil })
        }
    }

    @Test("Every site link on the main pages leads to a page (the account link sends a visitor to sign in)")
    func internalLinks() async throws {
        try await withTestApp { app in
            let seeds = ["/", "/magazine", "/magazine?page=2", "/magazine/category/plastic-surgery", "/procedures", "/procedures/dental-implants",
                         "/providers", "/providers?q=nanofat", "/providers?country=TR&verified=1", "/providers/dr-selin-aydin",
                         "/providers/patrick-tonnard-md-phd", "/clinics/kardelen-marmara-hospital", "/clinics/hospital-los-arcos-guadalajara",
                         "/magazine/natural-lip-rejuvenation-microfat-nanofat", "/how-we-rank", "/no-such-page"]
            var links = Set<String>()
            for seed in seeds {
                let res = try await send(app, .GET, seed)
                for href in hrefs(in: res.text) where href.hasPrefix("/") && !href.hasPrefix("//") {
                    let path = String(href.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]).replacingOccurrences(of: "&amp;", with: "&")
                    if !path.isEmpty { links.insert(path) }
                }
            }
            #expect(links.count > 100)
            #expect(links.contains { $0.hasPrefix("/consult/") })
            for link in links.sorted() {
                let res = try await send(app, .GET, link)
                if link == "/account" {
                    #expect(res.status == .seeOther && res.headers.first(name: .location)?.hasPrefix("/account/sign-in") == true)
                } else {
                    #expect(res.status == .ok, "\(link) → \(res.status)")
                }
            }
        }
    }

    @Test("robots.txt, health checks and the stylesheet")
    func plainResources() async throws {
        try await withTestApp { app in
            let robots = try await send(app, .GET, "/robots.txt")
            #expect(robots.status == .ok)
            #expect(robots.text.contains("Sitemap: https://careabroad.test/sitemap.xml"))
            #expect(robots.text.contains("Disallow: /api/"))
            #expect(robots.text.contains("User-agent: *"))

            let health = try await send(app, .GET, "/healthz")
            #expect(health.status == .ok)
            #expect(health.text == "ok\n")
            #expect(health.headers.first(name: .cacheControl) == "no-store")
            let ready = try await send(app, .GET, "/readyz")
            #expect(ready.status == .ok)
            #expect(ready.text == "ready\n")

            let css = try await send(app, .GET, "/styles.css")
            #expect(css.status == .ok)
            #expect(css.headers.contentType?.type == "text" && css.headers.contentType?.subType == "css")
            #expect(css.body.readableBytes > 1000)
            let etag = try #require(css.headers.first(name: .eTag))
            let again = try await send(app, .GET, "/styles.css", headers: ["If-None-Match": etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
        }
    }
}

/// Element names and texts of an XML document, read with `XMLParser` (a parse error throws).
final class XMLSummary: NSObject, XMLParserDelegate {
    private(set) var root: String?
    private var names: [String] = []
    private var texts: [String: [String]] = [:]
    private var stack: [(String, String)] = []
    private var failure: (any Error)?

    struct ParseFailed: Error { let underlying: String }

    init(data: Data) throws {
        super.init()
        let parser = XMLParser(data: data)
        parser.delegate = self
        if !parser.parse() {
            throw ParseFailed(underlying: String(describing: parser.parserError ?? failure))
        }
    }

    func count(_ name: String) -> Int { names.filter { $0 == name }.count }
    func text(_ name: String) -> [String] { texts[name] ?? [] }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if root == nil { root = elementName }
        names.append(elementName)
        stack.append((elementName, ""))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].1 += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let (name, text) = stack.popLast() else { return }
        texts[name, default: []].append(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        failure = parseError
    }
}

@Suite("Facts about the real surgeon")
struct RealSurgeonFactsTests {
    @Test("Whether Dr. Tonnard accepts new patients is not stated by the source, so the profile claims nothing")
    func acceptingNotStated() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/providers/patrick-tonnard-md-phd") { res in
                #expect(res.status == .ok)
                #expect(!res.text.contains("badge badge-neutral\">Accepting new patients"))
                #expect(res.text.contains("<dt>Accepting new patients</dt><dd>Not stated</dd>"))
                let blocks = try jsonLDBlocks(in: res.text)
                let physician = try #require(blocks.first { $0["@type"] as? String == "IndividualPhysician" })
                #expect(physician["isAcceptingNewPatients"] == nil)
            }
        }
    }
}
