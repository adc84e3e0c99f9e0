import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

// Shared helpers for the App tests: requests, JSON, the demo files and facts computed straight from the rows.

/// GET (or another method) and return the response.
func send(_ app: Application, _ method: HTTPMethod = .GET, _ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
    try await app.testing().sendRequest(method, path, headers: headers)
}

/// The body parsed as a JSON object.
func jsonObject(_ res: TestingHTTPResponse, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView))
    return try #require(object as? [String: Any], "not a JSON object: \(res.text.prefix(200))", sourceLocation: sourceLocation)
}

/// The repository root, found from this file's path.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A file of the demo data, read from the source tree (not from the database).
func demoFile(_ name: String) -> URL {
    repositoryRoot.appendingPathComponent("Sources/App/Resources/Demo").appendingPathComponent(name)
}

/// `providers.json`, read with JSONSerialization so the tests do not depend on the app's decoder.
func demoProviders() throws -> (organizations: [[String: Any]], practitioners: [[String: Any]]) {
    let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: demoFile("providers.json"))) as? [String: Any])
    return (try #require(root["organizations"] as? [[String: Any]]), try #require(root["practitioners"] as? [[String: Any]]))
}

func demoProcedures() throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: demoFile("procedures.json"))) as? [[String: Any]])
}

/// Whether a stored credential earns the badge at `now`, decided here from the row (not with `CredentialCheck`).
func credentialCounts(_ c: Credential, at now: Date) -> Bool {
    guard c.status == "verified", c.lastVerifiedAt != nil else { return false }
    if let from = c.validFrom, from > now { return false }
    if let until = c.validUntil, until < now { return false }
    return true
}

/// Ids of the practitioners holding at least one credential that counts at `now`.
func verifiedPractitionerIDs(_ db: any Database, at now: Date) async throws -> Set<Int> {
    let credentials = try await Credential.query(on: db).filter(\.$practitioner.$id != nil).all()
    return Set(credentials.filter { credentialCounts($0, at: now) }.compactMap { $0.$practitioner.id })
}

/// Result of `/api/v1/providers`.
struct SearchPage {
    var total: Int
    var page: Int
    var perPage: Int
    var items: [[String: Any]]
    var facets: [String: [String: Int]]
    var slugs: [String] { items.compactMap { $0["slug"] as? String } }
}

/// Runs a provider search through the JSON API; `query` is a raw query string without `?`.
func apiSearch(_ app: Application, _ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> SearchPage {
    let res = try await send(app, .GET, "/api/v1/providers" + (query.isEmpty ? "" : "?" + query))
    #expect(res.status == .ok, "GET /api/v1/providers?\(query) → \(res.status): \(res.text.prefix(300))", sourceLocation: sourceLocation)
    let object = try jsonObject(res, sourceLocation: sourceLocation)
    let rawFacets = object["facets"] as? [String: [String: Any]] ?? [:]
    var facets: [String: [String: Int]] = [:]
    for (name, values) in rawFacets {
        facets[name] = values.compactMapValues { ($0 as? NSNumber)?.intValue }
    }
    return SearchPage(total: (object["total"] as? NSNumber)?.intValue ?? -1, page: (object["page"] as? NSNumber)?.intValue ?? -1,
                      perPage: (object["perPage"] as? NSNumber)?.intValue ?? -1,
                      items: object["items"] as? [[String: Any]] ?? [], facets: facets)
}

/// Every matching slug of a search (all pages of at most 100).
func apiSearchAll(_ app: Application, _ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> (total: Int, slugs: [String]) {
    var slugs: [String] = []
    var page = 1
    var total = 0
    repeat {
        let sep = query.isEmpty ? "" : "&"
        let result = try await apiSearch(app, query + sep + "limit=100&page=\(page)", sourceLocation: sourceLocation)
        total = result.total
        slugs += result.slugs
        page += 1
        if result.items.isEmpty { break }
    } while slugs.count < total && page < 20
    return (total, slugs)
}

/// Slugs of practitioners by id.
func practitionerSlugs(_ db: any Database) async throws -> [Int: String] {
    var map: [Int: String] = [:]
    for p in try await Practitioner.query(on: db).all() { map[p.id!] = p.slug }
    return map
}

/// Every start tag (`<name attr…>`) in an HTML fragment, without the brackets.
func startTags(in html: String) -> [String] {
    var tags: [String] = []
    var rest = html[...]
    while let open = rest.firstIndex(of: "<") {
        let after = rest.index(after: open)
        guard after < rest.endIndex else { break }
        guard let close = rest[after...].firstIndex(of: ">") else { break }
        let inner = rest[after..<close]
        if let first = inner.first, first.isLetter {
            tags.append(String(inner))
        }
        rest = rest[rest.index(after: close)...]
    }
    return tags
}

/// The lower-cased name of a tag from `startTags`.
func tagName(_ tag: String) -> String {
    String(tag.prefix { $0.isLetter || $0.isNumber }).lowercased()
}

/// The attributes of a start tag from `startTags`, as (lower-cased name, value) pairs; quoted values may hold spaces and `=`.
func attributes(_ tag: String) -> [(name: String, value: String)] {
    var result: [(name: String, value: String)] = []
    let chars = Array(tag)
    var i = 0
    while i < chars.count, !chars[i].isWhitespace, chars[i] != "/" { i += 1 } // the tag name
    while i < chars.count {
        while i < chars.count, chars[i].isWhitespace || chars[i] == "/" { i += 1 }
        guard i < chars.count else { break }
        var name = ""
        while i < chars.count, !chars[i].isWhitespace, chars[i] != "=", chars[i] != "/" { name.append(chars[i]); i += 1 }
        var value = ""
        if i < chars.count, chars[i] == "=" {
            i += 1
            if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
                let quote = chars[i]
                i += 1
                while i < chars.count, chars[i] != quote { value.append(chars[i]); i += 1 }
                i += 1
            } else {
                while i < chars.count, !chars[i].isWhitespace { value.append(chars[i]); i += 1 }
            }
        }
        if !name.isEmpty { result.append((name.lowercased(), value)) }
    }
    return result
}

/// Values of `href` attributes of the start tags in an HTML text (text that merely looks like markup is ignored).
func hrefs(in html: String) -> [String] {
    startTags(in: html).flatMap { attributes($0).filter { $0.name == "href" }.map(\.value) }
}

/// Inserts a practitioner (with a role at the first location of `organizationSlug`) and indexes it.
@discardableResult
func insertPractitioner(_ app: Application, slug: String, prefix: String? = "Dr.", given: String, family: String, displayName: String? = nil,
                        specialty: String = "Plastic surgery", bio: String = "A test profile.", organizationSlug: String = "coupure-center-for-plastic-surgery",
                        languages: [String] = ["en"], procedures: [String] = [], credentials: [(status: String, from: String?, until: String?, checked: String?)] = [],
                        isSample: Bool = true) async throws -> Practitioner {
    let db = app.db
    let p = Practitioner()
    p.slug = slug; p.prefix = prefix; p.givenName = given; p.familyName = family
    p.displayName = displayName ?? [prefix, "\(given) \(family)"].compactMap { $0 }.joined(separator: " ")
    p.specialty = specialty; p.bio = bio; p.practicingSince = 2010; p.acceptingNewPatients = true
    p.signatureTechniques = ""; p.isSample = isSample; p.searchText = ""; p.profileScore = 0
    try await p.create(on: db)
    let id = try #require(p.id)
    let org = try #require(try await Organization.query(on: db).filter(\.$slug == organizationSlug).first())
    let location = try #require(try await Location.query(on: db).filter(\.$organization.$id == org.id!).first())
    let role = PractitionerRole()
    role.$practitioner.id = id; role.$organization.id = org.id!; role.$location.id = location.id!; role.title = "Surgeon"
    try await role.create(on: db)
    for l in languages { try await PractitionerLanguage(practitionerID: id, languageCode: l).create(on: db) }
    for slug in procedures {
        let procedure = try #require(try await Procedure.query(on: db).filter(\.$slug == slug).first())
        let offer = Offer()
        offer.$practitioner.id = id; offer.$organization.id = org.id!; offer.$location.id = location.id!; offer.$procedure.id = procedure.id!
        try await offer.create(on: db)
    }
    for c in credentials {
        let m = Credential()
        m.$practitioner.id = id; m.kind = "licence"; m.title = "Licence to practise (test)"; m.issuer = "Test council"; m.number = "T-1"
        m.validFrom = c.from.flatMap(ISODate.parse); m.validUntil = c.until.flatMap(ISODate.parse); m.lastVerifiedAt = c.checked.flatMap(ISODate.parse)
        m.status = c.status; m.version = 0
        try await m.create(on: db)
    }
    try await ProviderIndexer.reindex([id], on: db, t: app.localizer, now: testNow)
    return p
}

/// Percent-encodes a query value (everything but ASCII letters, digits and `-._~`).
func urlEncode(_ text: String) -> String {
    var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
}
