import Foundation

/// What a visitor asked the facilitator directory (`/facilitators`): words of the name or summary, the country the
/// patient lives in, the country of treatment, a language, verified organisations only, and the page.
public struct FacilitatorDirectoryQuery: Equatable, Sendable {
    public static let perPage = 20
    public static let maxTextLength = 100

    public var text: String?
    /// ISO 3166 code of the patient's country (`from`).
    public var patientCountry: String?
    /// ISO 3166 code of the country of treatment (`to`).
    public var destination: String?
    /// ISO 639 code (`language`).
    public var language: String?
    public var verifiedOnly: Bool
    public var page: Int

    public init(text: String? = nil, patientCountry: String? = nil, destination: String? = nil, language: String? = nil,
                verifiedOnly: Bool = false, page: Int = 1) {
        self.text = text
        self.patientCountry = patientCountry
        self.destination = destination
        self.language = language
        self.verifiedOnly = verifiedOnly
        self.page = page
    }

    /// Reads `q`, `from`, `to`, `language`, `verified` and `page`; refused values throw (answered with 400).
    public init(_ query: QueryParameters) throws(ParameterError) {
        let words = try query.text("q", maxLength: Self.maxTextLength)?.trimmingCharacters(in: .whitespacesAndNewlines)
        text = (words?.isEmpty ?? true) ? nil : words
        patientCountry = try query.countryCode("from")
        destination = try query.countryCode("to")
        language = try query.languageCode("language")
        verifiedOnly = try query.flag("verified")
        page = try query.integer("page", in: 1...Paging.maxPage) ?? 1
    }

    public var isEmpty: Bool { text == nil && patientCountry == nil && destination == nil && language == nil && !verifiedOnly }

    /// The query string that asks the same again (without the page).
    public var parameters: [(String, String)] {
        var result: [(String, String)] = []
        if let text { result.append(("q", text)) }
        if let patientCountry { result.append(("from", patientCountry)) }
        if let destination { result.append(("to", destination)) }
        if let language { result.append(("language", language)) }
        if verifiedOnly { result.append(("verified", "1")) }
        return result
    }

    public var offset: Int { (page - 1) * Self.perPage }
}
