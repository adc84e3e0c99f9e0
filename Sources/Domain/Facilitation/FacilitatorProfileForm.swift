import Foundation

/// What a facilitator organisation says about itself on its public profile, checked.
public struct FacilitatorProfileForm: Sendable, Equatable {
    public static let maxSummary = 300
    public static let maxAbout = 4_000
    public static let maxCodes = 30

    public var summary: String
    public var about: String
    public var website: String?
    public var foundedYear: Int?
    public var acceptingCases: Bool
    public var patientCountries: [String]
    public var destinations: [String]
    public var languages: [String]

    public init(summary: String, about: String, website: String?, foundedYear: Int?, acceptingCases: Bool,
                patientCountries: [String], destinations: [String], languages: [String]) {
        self.summary = summary
        self.about = about
        self.website = website
        self.foundedYear = foundedYear
        self.acceptingCases = acceptingCases
        self.patientCountries = patientCountries
        self.destinations = destinations
        self.languages = languages
    }

    /// Reads `summary`, `about`, `website` (an http or https address), `founded_year`, `accepting` (a checkbox),
    /// and the codes of `patient_countries`, `destinations` (out of `knownCountries`) and `languages` (out of
    /// `knownLanguages`), each list kept in the order given, without repeats.
    public static func read(_ input: FormInput, knownCountries: Set<String>, knownLanguages: Set<String>, currentYear: Int)
        -> Result<FacilitatorProfileForm, FormError> {
        var r = FormReader(input)
        let summary = r.text("summary", max: maxSummary, required: true)
        let about = r.text("about", max: maxAbout) ?? ""
        let website = r.text("website", max: RegisterLink.maxLength)
        if let website, !RegisterLink.isValid(website) { r.fail("website", .unknownValue) }
        let founded = r.integer("founded_year", in: 1900...currentYear)
        func codes(_ name: String, known: Set<String>, upper: Bool) -> [String] {
            var seen = Set<String>()
            let list = input.all(name).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .map { upper ? $0.uppercased() : $0.lowercased() }.filter { seen.insert($0).inserted }
            if list.count > maxCodes { r.fail(name, .tooMany(max: maxCodes)) }
            else if list.contains(where: { !known.contains($0) }) { r.fail(name, .unknownValue) }
            return list
        }
        let patientCountries = codes("patient_countries", known: knownCountries, upper: true)
        let destinations = codes("destinations", known: knownCountries, upper: true)
        let languages = codes("languages", known: knownLanguages, upper: false)
        if languages.isEmpty { r.fail("languages", .required) }
        guard r.problems.isEmpty, let summary else { return .failure(FormError(r.problems)) }
        return .success(FacilitatorProfileForm(summary: summary, about: about, website: website, foundedYear: founded,
                                               acceptingCases: r.checked("accepting"), patientCountries: patientCountries,
                                               destinations: destinations, languages: languages))
    }

    public var formInput: FormInput {
        var input = FormInput()
        input["summary"] = summary
        input["about"] = about
        input["website"] = website ?? ""
        input["founded_year"] = foundedYear.map(String.init) ?? ""
        input["accepting"] = acceptingCases ? "yes" : ""
        input.set("patient_countries", patientCountries)
        input.set("destinations", destinations)
        input.set("languages", languages)
        return input
    }
}
