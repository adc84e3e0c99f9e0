import Foundation

/// A validated provider search: free text, filters, price range and paging.
public struct ProviderSearchQuery: Equatable, Sendable {
    public var text: String?
    public var procedure: String?
    public var country: String?
    public var city: String?
    public var language: String?
    public var verifiedOnly: Bool
    public var minPrice: Decimal?
    public var maxPrice: Decimal?
    public var currency: CurrencyCode
    public var paging: Paging

    public init(text: String? = nil, procedure: String? = nil, country: String? = nil, city: String? = nil,
                language: String? = nil, verifiedOnly: Bool = false, minPrice: Decimal? = nil,
                maxPrice: Decimal? = nil, currency: CurrencyCode = .eur, paging: Paging = Paging()) {
        self.text = text
        self.procedure = procedure
        self.country = country
        self.city = city
        self.language = language
        self.verifiedOnly = verifiedOnly
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.currency = currency
        self.paging = paging
    }

    /// Reads `q`, `procedure`, `country`, `city`, `language`, `verified`, `min_price`, `max_price`,
    /// `currency`, `page` and `limit`.
    /// `rates` decides which currencies prices can be compared in.
    public init(_ query: QueryParameters, rates: ExchangeRates = .reference) throws(ParameterError) {
        text = try query.text("q", maxLength: SearchText.maxQueryLength)
        procedure = try Self.slug(query, "procedure")
        country = try query.countryCode("country")
        city = try Self.slug(query, "city")
        language = try query.languageCode("language")
        verifiedOnly = try query.flag("verified")
        minPrice = try query.amount("min_price")
        maxPrice = try query.amount("max_price")
        if let lo = minPrice, let hi = maxPrice, lo > hi { throw ParameterError("min_price", .minAboveMax) }
        if let code = try query.text("currency", maxLength: 3) {
            guard let value = CurrencyCode(code) else { throw ParameterError("currency", .unknownCurrency) }
            guard rates.perEuro[value] != nil else { throw ParameterError("currency", .unsupportedCurrency) }
            currency = value
        } else {
            currency = .eur
        }
        paging = try Paging(query)
    }

    private static func slug(_ query: QueryParameters, _ name: String) throws(ParameterError) -> String? {
        guard let value = try query.text(name, maxLength: 120) else { return nil }
        guard Slug.isValid(value) else { throw ParameterError(name, .unknownValue) }
        return value
    }

    /// Query words used for matching.
    public var terms: [String] { text.map(SearchText.queryTerms) ?? [] }

    /// True when nothing narrows the directory.
    public var isEmpty: Bool {
        terms.isEmpty && procedure == nil && country == nil && city == nil && language == nil && !verifiedOnly
            && minPrice == nil && maxPrice == nil
    }

    /// The query as URL parameters (without paging), in a stable order, for links and canonical URLs.
    public var parameters: [(String, String)] {
        var result: [(String, String)] = []
        if let text { result.append(("q", text)) }
        if let procedure { result.append(("procedure", procedure)) }
        if let country { result.append(("country", country)) }
        if let city { result.append(("city", city)) }
        if let language { result.append(("language", language)) }
        if verifiedOnly { result.append(("verified", "1")) }
        if let minPrice { result.append(("min_price", "\(minPrice)")) }
        if let maxPrice { result.append(("max_price", "\(maxPrice)")) }
        if minPrice != nil || maxPrice != nil || currency != .eur { result.append(("currency", currency.code)) }
        return result
    }
}

/// URL slugs: lower-case ASCII letters, digits and single hyphens.
public enum Slug {
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 120, text.first != "-", text.last != "-" else { return false }
        return text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    /// A slug made from any text ("São Paulo" → "sao-paulo").
    public static func make(_ text: String) -> String {
        SearchText.tokens(text).map { $0.filter(\.isASCII) }.filter { !$0.isEmpty }.joined(separator: "-")
    }
}
