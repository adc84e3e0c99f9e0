import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("JSON API")
struct APITests {
    static let base = "https://careabroad.test"

    @Test("Articles: paged envelope, newest first")
    func articles() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/api/v1/articles")
            #expect(res.status == .ok)
            #expect(res.headers.contentType?.subType == "json")
            let body = try jsonObject(res)
            #expect(body["total"] as? Int == 10)
            #expect(body["page"] as? Int == 1)
            #expect(body["perPage"] as? Int == 20)
            let items = try #require(body["items"] as? [[String: Any]])
            #expect(items.count == 10)
            let dates = items.compactMap { $0["datePublished"] as? String }
            #expect(dates == dates.sorted(by: >))
            #expect(items.allSatisfy { $0["bodyHTML"] == nil })
            let first = try #require(items.first)
            #expect(first["slug"] as? String == "natural-lip-rejuvenation-microfat-nanofat")
            #expect(first["url"] as? String == "\(Self.base)/magazine/natural-lip-rejuvenation-microfat-nanofat")
            #expect(first["category"] as? String == "plastic-surgery")
            #expect(first["lastReviewed"] as? String == "2026-11-02")

            let paged = try jsonObject(try await send(app, .GET, "/api/v1/articles?limit=3&page=4"))
            #expect(paged["total"] as? Int == 10)
            #expect((paged["items"] as? [Any])?.count == 1)
            #expect(paged["perPage"] as? Int == 3)

            let dental = try jsonObject(try await send(app, .GET, "/api/v1/articles?category=dental"))
            #expect(dental["total"] as? Int == 1)
            let search = try jsonObject(try await send(app, .GET, "/api/v1/articles?q=implants"))
            let slugs = (search["items"] as? [[String: Any]] ?? []).compactMap { $0["slug"] as? String }
            #expect(slugs.contains("dental-implants-abroad-what-to-know"))
        }
    }

    @Test("One article: sanitised HTML body, reviewer, procedures, featured provider")
    func article() async throws {
        try await withTestApp { app in
            for a in try await Article.query(on: app.db).all() {
                let res = try await send(app, .GET, "/api/v1/articles/\(a.slug)")
                #expect(res.status == .ok)
                let body = try jsonObject(res)
                let html = try #require(body["bodyHTML"] as? String, "\(a.slug)")
                #expect(!html.isEmpty)
                #expect(!html.lowercased().contains("<script"))
                #expect(!html.lowercased().contains("javascript:"))
                #expect(body["title"] as? String == a.title)
                #expect(body["reviewer"] is String, "\(a.slug)")
                #expect(body["readingMinutes"] as? Int == a.readingMinutes)
            }
            let lip = try jsonObject(try await send(app, .GET, "/api/v1/articles/natural-lip-rejuvenation-microfat-nanofat"))
            #expect(lip["featuredProvider"] as? String == "patrick-tonnard-md-phd")
            #expect(lip["reviewer"] as? String == "Dr Helen Marsh")
            #expect(Set(lip["procedures"] as? [String] ?? []) == ["microfat-lip-grafting", "nanofat-grafting", "nanofat-microneedling",
                                                                   "hyaluronic-acid-lip-filler", "filler-dissolution-hyaluronidase"])
        }
    }

    @Test("Procedures: all 18")
    func procedures() async throws {
        try await withTestApp { app in
            let body = try jsonObject(try await send(app, .GET, "/api/v1/procedures"))
            #expect(body["total"] as? Int == 18)
            let items = try #require(body["items"] as? [[String: Any]])
            #expect(items.count == 18)
            let slugs = Set(items.compactMap { $0["slug"] as? String })
            let fromFile = Set(try demoProcedures().compactMap { $0["slug"] as? String })
            #expect(slugs == fromFile)
            #expect(items.allSatisfy { $0["sections"] == nil })
            let paged = try jsonObject(try await send(app, .GET, "/api/v1/procedures?limit=5&page=4"))
            #expect((paged["items"] as? [Any])?.count == 3)
            #expect(paged["total"] as? Int == 18)
        }
    }

    @Test("One procedure: sections and sample typical prices")
    func procedure() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/api/v1/procedures/dental-implants")
            #expect(res.status == .ok)
            let body = try jsonObject(res)
            #expect(body["name"] as? String == "Dental implants")
            #expect(body["category"] as? String == "dental")
            #expect(body["procedureType"] as? String == "surgical")
            let sections = try #require(body["sections"] as? [String: String])
            #expect(Set(sections.keys) == ["whatItIs", "suits", "notSuits", "preparation", "howPerformed", "recovery", "risks", "alternatives", "followup"])
            #expect(sections.values.allSatisfy { !$0.isEmpty })
            let prices = try #require(body["typicalPrices"] as? [[String: Any]])
            #expect(prices.count == 5)
            #expect(prices.allSatisfy { $0["sample"] as? Bool == true })
            let hungary = try #require(prices.first { $0["country"] as? String == "HU" })
            #expect(hungary["min"] as? String == "250000")
            #expect(hungary["max"] as? String == "450000")
            #expect(hungary["currency"] as? String == "HUF")
            #expect(body["reviewer"] as? String == "Dr. Samuel Adeyemi")
            #expect(body["lastReviewed"] as? String == "2026-07-09")
        }
    }

    @Test("Providers: envelope with facets")
    func providers() async throws {
        try await withTestApp { app in
            let page = try await apiSearch(app, "")
            #expect(page.total == 52)
            #expect(page.items.count == 20)
            #expect(page.perPage == 20)
            #expect(Set(page.facets.keys) == ["procedure", "country", "city", "language"])
            #expect(page.facets["country"]?["TR"] == 6)
            #expect(page.facets["country"]?["BE"] == 1)
            #expect(page.facets["city"]?["istanbul"] == 6)
            #expect(page.facets["city"]?["sao-paulo"] == 2)
            #expect(page.facets["language"]?["en"] == 51)
            for item in page.items {
                #expect((item["url"] as? String)?.hasPrefix("\(Self.base)/providers/") == true)
                #expect(item["verified"] is Bool)
                #expect(item["sample"] is Bool)
            }
        }
    }

    @Test("Providers in Türkiye offering dental implants")
    func providersFiltered() async throws {
        try await withTestApp { app in
            let page = try await apiSearch(app, "country=TR&procedure=dental-implants")
            #expect(Set(page.slugs) == ["dr-selin-aydin", "dr-burak-demirtas"])
            #expect(page.total == 2)
            for item in page.items {
                #expect(item["country"] as? String == "TR")
                #expect((item["procedures"] as? [String])?.contains("Dental implants") == true)
            }
            // Verified first: Dr Aydın has verified credentials, Dr Demirtaş's check is pending.
            #expect(page.slugs == ["dr-selin-aydin", "dr-burak-demirtas"])
            #expect(page.facets["procedure"]?["dental-implants"] == 2)
            // The starting price is for the filtered procedure, in the asked currency.
            let aydin = try #require(page.items.first)
            let price = try #require(aydin["priceFrom"] as? [String: Any])
            #expect(price["currency"] as? String == "EUR")
            #expect(price["min"] as? String == "450")
        }
    }

    @Test("One provider: credentials with verified flags that agree with the status")
    func provider() async throws {
        try await withTestApp { app in
            let body = try jsonObject(try await send(app, .GET, "/api/v1/providers/dr-selin-aydin"))
            #expect(body["verified"] as? Bool == true)
            #expect(body["sample"] as? Bool == true)
            #expect(body["name"] as? String == "Dr. Selin Aydın, DDS")
            let credentials = try #require(body["credentials"] as? [[String: Any]])
            #expect(credentials.count == 3)
            #expect(credentials.filter { $0["verified"] as? Bool == true }.count == 2)
            let membership = try #require(credentials.first { $0["kind"] as? String == "society-membership" })
            #expect(membership["verified"] as? Bool == false)
            #expect(membership["status"] as? String == "unverified")
            #expect(Set(body["procedures"] as? [String] ?? []) == ["dental-implants", "porcelain-veneers"])
            #expect((body["locations"] as? [[String: Any]])?.first?["city"] as? String == "Istanbul")

            let tonnard = try jsonObject(try await send(app, .GET, "/api/v1/providers/patrick-tonnard-md-phd"))
            #expect(tonnard["verified"] as? Bool == false)
            #expect(tonnard["sample"] as? Bool == false)
            #expect((tonnard["credentials"] as? [[String: Any]])?.first?["status"] as? String == "unverified")

            let kocak = try jsonObject(try await send(app, .GET, "/api/v1/providers/dr-hande-kocak"))
            let licence = try #require((kocak["credentials"] as? [[String: Any]])?.first { $0["kind"] as? String == "licence" })
            #expect(licence["status"] as? String == "expired")
            #expect(licence["verified"] as? Bool == false)
            #expect(licence["validUntil"] as? String == "2025-09-09")
        }
    }

    @Test("Every provider's credentials: the verified flag matches the rows and the shown status")
    func everyProviderCredential() async throws {
        try await withTestApp { app in
            let verified = try await verifiedPractitionerIDs(app.db, at: testNow)
            for p in try await Practitioner.query(on: app.db).all() {
                let body = try jsonObject(try await send(app, .GET, "/api/v1/providers/\(p.slug)"))
                #expect(body["verified"] as? Bool == verified.contains(p.id!), "\(p.slug)")
                for c in body["credentials"] as? [[String: Any]] ?? [] {
                    let flag = c["verified"] as? Bool ?? false
                    #expect((c["status"] as? String == "verified") == flag, "\(p.slug): \(c["title"] ?? "")")
                }
            }
        }
    }

    @Test("Unknown slugs answer 404 problem+json")
    func notFound() async throws {
        try await withTestApp { app in
            for path in ["/api/v1/articles/no-such-article", "/api/v1/procedures/no-such-procedure", "/api/v1/providers/no-such-provider",
                         "/api/v1/providers/Not_A_Slug", "/api/v1/nothing-here"] {
                let res = try await send(app, .GET, path)
                #expect(res.status == .notFound, "\(path)")
                #expect(res.headers.contentType?.type == "application")
                #expect(res.headers.contentType?.subType == "problem+json")
                let body = try jsonObject(res)
                #expect(body["type"] as? String == "about:blank")
                #expect(body["title"] as? String == "Not Found")
                #expect(body["status"] as? Int == 404)
                #expect((body["detail"] as? String)?.isEmpty == false)
                #expect(body["instance"] as? String == path)
            }
        }
    }
}
