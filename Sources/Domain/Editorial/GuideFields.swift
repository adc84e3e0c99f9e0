import Foundation

/// What an editor writes for a procedure guide: one revision's structured fields, checked at the field. The
/// sections are Markdown; the typical prices are rows by country (sample figures, labelled as such on the page).
public struct GuideFields: EditorialContent {
    public struct PriceRow: Sendable, Equatable, Codable, Hashable {
        public var country: String
        public var min: Decimal
        public var max: Decimal
        public var currency: String

        public init(country: String, min: Decimal, max: Decimal, currency: String) {
            self.country = country; self.min = min; self.max = max; self.currency = currency
        }
    }

    public enum ProcedureType: String, Sendable, CaseIterable, Codable {
        case surgical
        case minimallyInvasive = "minimally-invasive"
        case nonInvasive = "non-invasive"
    }

    public var name: String
    public var slug: String
    public var category: String
    public var procedureType: String
    public var bodyLocation: String
    public var summary: String
    public var whatItIs: String
    public var suits: String
    public var notSuits: String
    public var preparation: String
    public var howPerformed: String
    public var recovery: String
    public var resultsOnset: String
    public var resultsDuration: String
    public var risks: String
    public var alternatives: String
    public var followup: String
    public var durationMinutes: Int
    public var stayDays: Int
    public var prices: [PriceRow]
    public var socialTitle: String
    public var socialDescription: String
    public var socialImage: String?

    public static let maxName = 120
    public static let maxSummary = 400
    public static let maxSection = 12_000
    public static let maxShort = 300
    public static let maxPriceRows = 20

    /// The Markdown sections, by form field name.
    public static let sectionFields = ["what_it_is", "suits", "not_suits", "preparation", "how_performed", "recovery", "risks", "alternatives"]

    /// A change to any of these after approval is a clinical change (reviewed again).
    public static let clinicalFields: Set<String> = Set(sectionFields + ["results_onset", "results_duration", "followup", "duration_minutes", "stay_days",
                                                                         "procedure_type", "body_location"])

    public var sections: [String: String] {
        ["what_it_is": whatItIs, "suits": suits, "not_suits": notSuits, "preparation": preparation, "how_performed": howPerformed,
         "recovery": recovery, "risks": risks, "alternatives": alternatives]
    }

    public var comparable: [String: String] {
        var out = sections
        out["name"] = name; out["slug"] = slug; out["category"] = category; out["procedure_type"] = procedureType; out["body_location"] = bodyLocation
        out["summary"] = summary; out["results_onset"] = resultsOnset; out["results_duration"] = resultsDuration; out["followup"] = followup
        out["duration_minutes"] = String(durationMinutes); out["stay_days"] = String(stayDays)
        out["prices"] = prices.map { "\($0.country) \($0.min)–\($0.max) \($0.currency)" }.joined(separator: "\n")
        out["social_title"] = socialTitle; out["social_description"] = socialDescription; out["social_image"] = socialImage ?? ""
        return out
    }

    /// Reads the guide editor. Price rows are `price_country`, `price_min`, `price_max`, `price_currency` (empty rows
    /// skipped; problems at `prices[i].field`).
    public static func read(_ input: FormInput, categories: Set<String>, countries: Set<String>) -> Result<GuideFields, FormError> {
        var r = FormReader(input)
        let name = r.text("name", max: maxName, required: true)
        let rawSlug = input.text("slug") ?? name.map(Slug.make) ?? ""
        if rawSlug.isEmpty { r.fail("slug", .required) } else if !Slug.isValid(rawSlug) { r.fail("slug", .unknownValue) }
        var category = ""
        if let c = input.text("category") { if categories.contains(c) { category = c } else { r.fail("category", .unknownValue) } } else { r.fail("category", .required) }
        let type = r.choice("procedure_type", ProcedureType.self, required: true)
        let body = r.text("body_location", max: maxShort, required: true)
        let summary = r.text("summary", max: maxSummary, required: true)
        var sections: [String: String] = [:]
        for f in sectionFields { sections[f] = r.text(f, max: maxSection, required: true) ?? "" }
        let onset = r.text("results_onset", max: maxShort, required: true)
        let duration = r.text("results_duration", max: maxShort, required: true)
        let followup = r.text("followup", max: maxSection, required: true)
        let minutes = r.integer("duration_minutes", in: 1...2_880, required: true)
        let stay = r.integer("stay_days", in: 0...90, required: true)
        func cell(_ n: String, _ i: Int) -> String { let l = input.all(n); return i < l.count ? l[i].trimmingCharacters(in: .whitespaces) : "" }
        var prices: [PriceRow] = []
        let rows = input.all("price_country").count
        if rows > maxPriceRows { r.fail("prices", .tooMany(max: maxPriceRows)) }
        for i in 0..<min(rows, maxPriceRows) {
            let country = cell("price_country", i).uppercased()
            if country.isEmpty { continue }
            let at = "prices[\(i)]"
            guard countries.contains(country) else { r.fail("\(at).country", .unknownValue); continue }
            guard let currency = CurrencyCode(cell("price_currency", i)) else { r.fail("\(at).currency", .unknownCurrency); continue }
            guard let lo = Money.parseAmount(cell("price_min", i)), lo > 0 else { r.fail("\(at).min", .notANumber); continue }
            guard let hi = Money.parseAmount(cell("price_max", i)) else { r.fail("\(at).max", .notANumber); continue }
            guard hi >= lo else { r.fail("\(at).max", .minAboveMax); continue }
            guard !prices.contains(where: { $0.country == country }) else { r.fail("\(at).country", .duplicate); continue }
            prices.append(PriceRow(country: country, min: lo, max: hi, currency: currency.code))
        }
        let socialTitle = r.text("social_title", max: ArticleFields.maxSocialTitle) ?? ""
        let socialDescription = r.text("social_description", max: ArticleFields.maxSocialDescription) ?? ""
        let socialImage = input.text("social_image")
        if let id = socialImage, UUID(uuidString: id) == nil || id != id.lowercased() { r.fail("social_image", .unknownValue) }
        guard r.problems.isEmpty, let name, let type, let body, let summary, let onset, let duration, let followup, let minutes, let stay else {
            return .failure(FormError(r.problems))
        }
        return .success(GuideFields(name: name, slug: rawSlug, category: category, procedureType: type.rawValue, bodyLocation: body, summary: summary,
                                    whatItIs: sections["what_it_is"]!, suits: sections["suits"]!, notSuits: sections["not_suits"]!,
                                    preparation: sections["preparation"]!, howPerformed: sections["how_performed"]!, recovery: sections["recovery"]!,
                                    resultsOnset: onset, resultsDuration: duration, risks: sections["risks"]!, alternatives: sections["alternatives"]!,
                                    followup: followup, durationMinutes: minutes, stayDays: stay, prices: prices, socialTitle: socialTitle,
                                    socialDescription: socialDescription, socialImage: socialImage))
    }

    public var formInput: FormInput {
        var input = FormInput()
        for (k, v) in sections { input[k] = v }
        input["name"] = name; input["slug"] = slug; input["category"] = category; input["procedure_type"] = procedureType
        input["body_location"] = bodyLocation; input["summary"] = summary; input["results_onset"] = resultsOnset
        input["results_duration"] = resultsDuration; input["followup"] = followup; input["duration_minutes"] = String(durationMinutes)
        input["stay_days"] = String(stayDays)
        input.set("price_country", prices.map(\.country)); input.set("price_min", prices.map { "\($0.min)" })
        input.set("price_max", prices.map { "\($0.max)" }); input.set("price_currency", prices.map(\.currency))
        input["social_title"] = socialTitle; input["social_description"] = socialDescription; input["social_image"] = socialImage ?? ""
        return input
    }
}
