import Foundation
import Domain

/// The demo content files in `Resources/Demo`, decoded.
struct DemoData {
    struct CategoryFile: Decodable { var slug: String; var name: String; var description: String }
    struct AuthorFile: Decodable { var slug: String; var name: String; var title: String; var bio: String; var isMedicalReviewer: Bool; var isSample: Bool }
    struct PriceSample: Decodable { var country: String; var min: String; var max: String; var currency: String }
    struct ProcedureFile: Decodable {
        var slug, name, category, procedureType, bodyLocation, summary, whatItIs, suits, notSuits, preparation: String
        var howPerformed, recovery, resultsOnset, resultsDuration, risks, alternatives, followup: String
        var durationMinutes: Int
        var stayDays: Int
        var reviewer: String?
        var reviewed: String?
        var priceSamples: [PriceSample]
    }
    struct CredentialFile: Decodable {
        var kind: String; var title: String; var issuer: String?; var number: String?
        var validFrom: String?; var validUntil: String?; var lastVerified: String?
        var status: String; var registerUrl: String?; var note: String?
    }
    struct LocationFile: Decodable {
        var key: String; var name: String; var street: String?; var city: String; var region: String?
        var postalCode: String?; var country: String; var latitude: Double?; var longitude: Double?
    }
    struct OrganizationFile: Decodable {
        var slug: String; var name: String; var kind: String; var description: String; var website: String?
        var partOf: String?; var isSample: Bool; var locations: [LocationFile]; var credentials: [CredentialFile]?
    }
    struct RoleFile: Decodable { var organization: String; var location: String; var title: String }
    struct OfferFile: Decodable { var procedure: String; var organization: String; var location: String; var min: String?; var max: String?; var currency: String? }
    struct PractitionerFile: Decodable {
        var slug: String; var prefix: String?; var givenName: String; var familyName: String; var suffix: String?
        var specialty: String; var bio: String; var practicingSince: Int?; var languages: [String]
        var signatureTechniques: [String]; var acceptingNewPatients: Bool?; var isSample: Bool
        var roles: [RoleFile]; var offers: [OfferFile]; var credentials: [CredentialFile]
    }
    struct ProvidersFile: Decodable { var organizations: [OrganizationFile]; var practitioners: [PractitionerFile] }
    struct AgreementFile: Decodable {
        var organization: String; var kind: String; var percent: String?; var fixedAmount: String?; var currency: String
        var paymentTermsDays: Int; var startsOn: String
    }
    struct FacilitatorFile: Decodable {
        var slug: String; var name: String; var countryCode: String; var summary: String; var about: String; var website: String?
        var foundedYear: Int?; var acceptingCases: Bool; var isSample: Bool
        var patientCountries: [String]; var destinations: [String]; var languages: [String]
        var credentials: [CredentialFile]; var agreements: [AgreementFile]
    }

    /// An article file: a `---` header of `key: value` lines, then Markdown.
    struct ArticleFile {
        var meta: [String: String]
        var body: String

        init(text: String) throws {
            let lines = text.components(separatedBy: "\n")
            guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
                  let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
                throw DemoError("an article has no --- header")
            }
            var meta: [String: String] = [:]
            for line in lines[1..<end] {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                meta[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            self.meta = meta
            body = lines[(end + 1)...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func required(_ key: String) throws -> String {
            guard let value = meta[key], !value.isEmpty else { throw DemoError("article '\(meta["slug"] ?? "?")' lacks '\(key)'") }
            return value
        }
    }

    var categories: [CategoryFile]
    var authors: [AuthorFile]
    var procedures: [ProcedureFile]
    var providers: ProvidersFile
    var articles: [ArticleFile]
    var facilitators: [FacilitatorFile] = []

    static func load() throws -> DemoData {
        guard let root = Bundle.module.url(forResource: "Demo", withExtension: nil, subdirectory: "Resources") else {
            throw DemoError("the demo data folder is missing from the bundle")
        }
        let decoder = JSONDecoder()
        func file<T: Decodable>(_ name: String, as: T.Type) throws -> T {
            do {
                return try decoder.decode(T.self, from: Data(contentsOf: root.appendingPathComponent(name)))
            } catch {
                throw DemoError("\(name): \(error)")
            }
        }
        let articleDir = root.appendingPathComponent("articles")
        let names = try FileManager.default.contentsOfDirectory(atPath: articleDir.path).filter { $0.hasSuffix(".md") }.sorted()
        let articles = try names.map { try ArticleFile(text: String(contentsOf: articleDir.appendingPathComponent($0), encoding: .utf8)) }
        return DemoData(
            categories: try file("categories.json", as: [CategoryFile].self),
            authors: try file("authors.json", as: [AuthorFile].self),
            procedures: try file("procedures.json", as: [ProcedureFile].self),
            providers: try file("providers.json", as: ProvidersFile.self),
            articles: articles,
            facilitators: try file("facilitators.json", as: [FacilitatorFile].self)
        )
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "Demo data: \(description)" }
}

/// Minor units (cents) of a decimal amount in a currency.
enum MinorUnits {
    /// Scaling by powers of ten moves the exponent: exact, and without `Decimal`'s long division (dividing by ten
    /// twice per amount was a tenth of an uncached guide page, which converts every price on it).
    static func from(_ amount: Decimal, _ currency: CurrencyCode) -> Int64 {
        let scaled = Decimal(sign: .plus, exponent: currency.minorUnits, significand: amount)
        return Int64(truncating: scaled.rounded(0) as NSDecimalNumber)
    }

    static func toDecimal(_ minor: Int64, _ currency: CurrencyCode) -> Decimal {
        Decimal(sign: .plus, exponent: -currency.minorUnits, significand: Decimal(minor))
    }
}
