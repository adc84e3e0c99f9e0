import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("JSON-LD structured data")
struct JSONLDTests {
    static let base = "https://careabroad.test"

    /// The page's JSON-LD blocks; every block must parse and carry the schema.org context.
    func blocks(_ app: Application, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [[String: Any]] {
        let res = try await send(app, .GET, path)
        #expect(res.status == .ok, "\(path) → \(res.status)", sourceLocation: sourceLocation)
        let blocks = try jsonLDBlocks(in: res.text)
        let opened = res.text.components(separatedBy: "<script type=\"application/ld+json\">").count - 1
        #expect(opened == blocks.count, "\(path): a JSON-LD block did not parse", sourceLocation: sourceLocation)
        for b in blocks {
            #expect(b["@context"] as? String == "https://schema.org", "\(path)", sourceLocation: sourceLocation)
        }
        return blocks
    }

    @Test("Home page: WebSite with a search action")
    func home() async throws {
        try await withTestApp { app in
            let blocks = try await blocks(app, "/")
            let site = try #require(blocks.first { $0["@type"] as? String == "WebSite" })
            #expect(site["name"] as? String == "CareAbroad")
            #expect(site["url"] as? String == Self.base + "/")
            let action = try #require(site["potentialAction"] as? [String: Any])
            #expect(action["@type"] as? String == "SearchAction")
            #expect((action["target"] as? String)?.hasPrefix(Self.base + "/providers?q=") == true)
        }
    }

    @Test("Every article: MedicalWebPage with its review data")
    func articles() async throws {
        try await withTestApp { app in
            let articles = try await Article.query(on: app.db).with(\.$reviewer).with(\.$author).all()
            #expect(articles.count == 10)
            for a in articles {
                let blocks = try await blocks(app, "/magazine/\(a.slug)")
                let page = try #require(blocks.first { $0["@type"] as? String == "MedicalWebPage" }, "\(a.slug)")
                #expect(page["headline"] as? String == a.title)
                #expect(page["name"] as? String == a.title)
                #expect(page["url"] as? String == "\(Self.base)/magazine/\(a.slug)")
                #expect(page["datePublished"] as? String == ISODate.format(a.publishedAt))
                #expect((page["author"] as? [String: Any])?["name"] as? String == a.author.name)
                if let reviewer = a.reviewer, let reviewed = a.reviewedAt {
                    #expect(page["lastReviewed"] as? String == ISODate.format(reviewed), "\(a.slug)")
                    let by = try #require(page["reviewedBy"] as? [String: Any], "\(a.slug)")
                    #expect(by["@type"] as? String == "Person")
                    #expect(by["name"] as? String == reviewer.name)
                    #expect(by["jobTitle"] as? String == reviewer.title)
                } else {
                    Issue.record("\(a.slug) has no reviewer or review date")
                }
                #expect((page["publisher"] as? [String: Any])?["name"] as? String == "CareAbroad")
                #expect(page["inLanguage"] as? String == "en")
            }
        }
    }

    @Test("Every procedure guide: MedicalProcedure with its reviewed page")
    func procedures() async throws {
        try await withTestApp { app in
            let procedures = try await Procedure.query(on: app.db).with(\.$reviewer).all()
            #expect(procedures.count == 18)
            // `procedureType` takes MedicalProcedureType values only; a surgical procedure is typed SurgicalProcedure instead.
            let types = ["minimally-invasive": "https://schema.org/PercutaneousProcedure", "non-invasive": "https://schema.org/NoninvasiveProcedure"]
            for p in procedures {
                let blocks = try await blocks(app, "/procedures/\(p.slug)")
                let wantedType = p.procedureType == "surgical" ? "SurgicalProcedure" : "MedicalProcedure"
                let procedure = try #require(blocks.first { $0["@type"] as? String == wantedType }, "\(p.slug)")
                #expect(procedure["name"] as? String == p.name)
                #expect(procedure["url"] as? String == "\(Self.base)/procedures/\(p.slug)")
                #expect(procedure["bodyLocation"] as? String == p.bodyLocation)
                #expect(procedure["procedureType"] as? String == types[p.procedureType], "\(p.slug)")
                #expect(!((procedure["howPerformed"] as? String) ?? "").isEmpty)
                #expect(!((procedure["howPerformed"] as? String) ?? "<").contains("<"))
                let page = try #require(procedure["subjectOf"] as? [String: Any])
                #expect(page["@type"] as? String == "MedicalWebPage")
                if let reviewer = p.reviewer, let date = p.reviewedAt {
                    #expect((page["reviewedBy"] as? [String: Any])?["name"] as? String == reviewer.name)
                    #expect(page["lastReviewed"] as? String == ISODate.format(date))
                } else {
                    Issue.record("\(p.slug) has no reviewer")
                }
            }
        }
    }

    @Test("Every provider: IndividualPhysician where they practise, with only verified credentials")
    func providers() async throws {
        try await withTestApp { app in
            let practitioners = try await Practitioner.query(on: app.db).all()
            #expect(practitioners.count == 52)
            let verified = try await verifiedPractitionerIDs(app.db, at: testNow)
            let roles = try await PractitionerRole.query(on: app.db).with(\.$organization).all()
            let languages = try await PractitionerLanguage.query(on: app.db).all()
            for p in practitioners {
                let blocks = try await blocks(app, "/providers/\(p.slug)")
                let physician = try #require(blocks.first { $0["@type"] as? String == "IndividualPhysician" }, "\(p.slug)")
                #expect(physician["name"] as? String == p.displayName)
                #expect(physician["url"] as? String == "\(Self.base)/providers/\(p.slug)")
                // schema.org's MedicalSpecialty values; the directory's own wording stays in knowsAbout.
                let specialties: Set<String> = ["PlasticSurgery", "Dermatology", "Dentistry", "Optometric", "Musculoskeletal", "Gynecologic", "Surgical"]
                let specialty = (physician["medicalSpecialty"] as? String ?? "").replacingOccurrences(of: "https://schema.org/", with: "")
                #expect(specialties.contains(specialty), "\(p.slug): \(specialty)")
                #expect(physician["knowsAbout"] as? String == p.specialty)
                // IndividualPhysician needs its own address.
                let address = try #require(physician["address"] as? [String: Any], "\(p.slug)")
                #expect(address["@type"] as? String == "PostalAddress" && address["addressCountry"] != nil)
                #expect(physician["isAcceptingNewPatients"] as? Bool == p.acceptingNewPatients)
                let places = try #require(physician["practicesAt"] as? [[String: Any]], "\(p.slug)")
                let myRoles = roles.filter { $0.$practitioner.id == p.id }
                #expect(places.count == myRoles.count, "\(p.slug)")
                #expect(!places.isEmpty)
                for r in myRoles {
                    let place = places.first { $0["name"] as? String == r.organization.name }
                    #expect(place != nil, "\(p.slug) lacks \(r.organization.name)")
                    #expect(place?["@type"] as? String == (r.organization.kind == "hospital" ? "Hospital" : "MedicalClinic"))
                    #expect(place?["url"] as? String == "\(Self.base)/clinics/\(r.organization.slug)")
                }
                let spoken = Set(languages.filter { $0.$practitioner.id == p.id }.map(\.languageCode))
                #expect(Set(physician["knowsLanguage"] as? [String] ?? []) == spoken, "\(p.slug)")
                // Only credentials that count today are published.
                let credentials = physician["hasCredential"] as? [[String: Any]] ?? []
                #expect(credentials.isEmpty == !verified.contains(p.id!), "\(p.slug)")
            }
        }
    }

    @Test("Every clinic: MedicalClinic or Hospital with address and staff")
    func clinics() async throws {
        try await withTestApp { app in
            let organizations = try await Organization.query(on: app.db).all()
            #expect(organizations.count == 26)
            let roles = try await PractitionerRole.query(on: app.db).with(\.$practitioner).all()
            for o in organizations {
                let blocks = try await blocks(app, "/clinics/\(o.slug)")
                let expectedType = o.kind == "hospital" ? "Hospital" : "MedicalClinic"
                let clinic = try #require(blocks.first { $0["@type"] as? String == expectedType }, "\(o.slug) should be \(expectedType)")
                #expect(clinic["name"] as? String == o.name)
                #expect(clinic["url"] as? String == "\(Self.base)/clinics/\(o.slug)")
                let address = try #require(clinic["address"] as? [String: Any], "\(o.slug)")
                #expect(address["@type"] as? String == "PostalAddress")
                #expect(!((address["addressCountry"] as? String) ?? "").isEmpty)
                let staff = Set(roles.filter { $0.$organization.id == o.id }.map(\.practitioner.displayName))
                #expect((clinic["employee"] as? [[String: Any]] ?? []).allSatisfy { $0["@type"] as? String == "Person" }, "\(o.slug)")
                let employees = Set((clinic["employee"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
                #expect(employees == staff, "\(o.slug)")
            }
        }
    }

    @Test("Listing pages carry no structured data that fails to parse")
    func listings() async throws {
        try await withTestApp { app in
            for path in ["/magazine", "/procedures", "/providers", "/how-we-rank", "/magazine/category/eye", "/providers?q=nanofat"] {
                _ = try await blocks(app, path)
            }
        }
    }

    @Test("The JSON writer's strings, string maps and lists parse back to what was written, controls and non-ASCII included")
    func writerRoundTrip() throws {
        let tricky = "quote \" backslash \\ slash / tab \t newline \n return \r bell \u{07} nul \u{00} é 東京 👩🏽‍⚕️ e\u{301}\"\u{301}"
        var out = ""
        JSONLD.write(["s": .string(tricky), "map": ["b": .string(tricky), "a": "x"], "list": [.string(tricky), "y"], "n": 3, "yes": true, "any": ["k": 1],
                      "d": .double(2.5), "whole": .double(4), "nan": .double(.nan)], into: &out)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(parsed["s"] as? String == tricky)
        #expect(parsed["map"] as? [String: String] == ["b": tricky, "a": "x"])
        #expect(parsed["list"] as? [String] == [tricky, "y"])
        #expect(parsed["n"] as? Int == 3)
        #expect(parsed["yes"] as? Bool == true)
        #expect((parsed["any"] as? [String: Any])?["k"] as? Int == 1)
        #expect(parsed["d"] as? Double == 2.5)
        #expect(out.contains("\"whole\":4,") && out.contains("\"nan\":null"))
        #expect(out.contains("\\u0007") && out.contains("\\u0000"))
        // Keys are sorted, so the same object is written the same way every time.
        #expect(out.hasPrefix("{\"any\":{\"k\":1},\"d\":2.5,\"list\":["))
    }
}
