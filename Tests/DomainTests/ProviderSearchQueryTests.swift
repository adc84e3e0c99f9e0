import Foundation
import Testing
import Domain

@Suite("Provider search query")
struct ProviderSearchQueryTests {
    func parse(_ raw: String) throws -> ProviderSearchQuery {
        try ProviderSearchQuery(QueryParameters(raw: raw))
    }

    @Test("Every parameter is read")
    func fullQuery() throws {
        let q = try parse("q=nanofat+lips&procedure=nanofat-grafting&country=be&city=ghent&language=FR&verified=1&min_price=100&max_price=2500.50&currency=usd&page=2&limit=5")
        #expect(q.text == "nanofat lips")
        #expect(q.terms == ["nanofat", "lips"])
        #expect(q.procedure == "nanofat-grafting")
        #expect(q.country == "BE")
        #expect(q.city == "ghent")
        #expect(q.language == "fr")
        #expect(q.verifiedOnly)
        #expect(q.minPrice == 100)
        #expect(q.maxPrice == Decimal(string: "2500.50"))
        #expect(q.currency == .usd)
        #expect(q.paging == Paging(page: 2, perPage: 5))
        #expect(!q.isEmpty)
    }

    @Test("No parameters: an empty query with defaults")
    func defaults() throws {
        let q = try parse("")
        #expect(q == ProviderSearchQuery())
        #expect(q.isEmpty)
        #expect(q.currency == .eur)
        #expect(q.paging == Paging(page: 1, perPage: 20))
        #expect(q.parameters.isEmpty)
    }

    @Test("A query of only punctuation has no terms and counts as empty")
    func punctuationOnly() throws {
        let q = try parse("q=%22%2A%28%29")
        #expect(q.text == "\"*()")
        #expect(q.terms.isEmpty)
        #expect(q.isEmpty)
    }

    @Test("Three-letter language codes are accepted")
    func threeLetterLanguage() throws {
        #expect(try parse("language=fil").language == "fil")
    }

    @Test("Refused values name the parameter", arguments: [
        ("min_price=-5", ParameterError("min_price", .negative)),
        ("min_price=abc", ParameterError("min_price", .notANumber)),
        ("max_price=1e3", ParameterError("max_price", .notANumber)),
        ("max_price=-0.01", ParameterError("max_price", .negative)),
        ("currency=XXX", ParameterError("currency", .unknownCurrency)),
        ("currency=EU", ParameterError("currency", .unknownCurrency)),
        ("currency=EURO", ParameterError("currency", .tooLong(max: 3))),
        ("min_price=500&max_price=100", ParameterError("min_price", .minAboveMax)),
        ("country=B1", ParameterError("country", .unknownValue)),
        ("country=B", ParameterError("country", .unknownValue)),
        ("country=BEL", ParameterError("country", .tooLong(max: 2))),
        ("country=%C3%A9%C3%A9", ParameterError("country", .unknownValue)),
        ("language=e", ParameterError("language", .unknownValue)),
        ("language=e1", ParameterError("language", .unknownValue)),
        ("language=engl", ParameterError("language", .tooLong(max: 3))),
        ("procedure=Nanofat_Grafting", ParameterError("procedure", .unknownValue)),
        ("procedure=-nanofat", ParameterError("procedure", .unknownValue)),
        ("procedure=%3Cscript%3E", ParameterError("procedure", .unknownValue)),
        ("city=sao+paulo", ParameterError("city", .unknownValue)),
        ("city=S%C3%A3o", ParameterError("city", .unknownValue)),
        ("verified=maybe", ParameterError("verified", .unknownValue)),
        ("page=0", ParameterError("page", .outOfRange(min: 1, max: 10_000))),
        ("limit=1000000000", ParameterError("limit", .outOfRange(min: 1, max: 100))),
        ("q=a&q=b", ParameterError("q", .repeated)),
    ])
    func refused(_ raw: String, _ expected: ParameterError) throws {
        let parameters = try QueryParameters(raw: raw)
        #expect(throws: expected) { try ProviderSearchQuery(parameters) }
    }

    @Test("A 10 kB free-text query is refused naming q")
    func longText() throws {
        // Below the raw limit (values given directly) the text limit applies.
        let values = QueryParameters(values: ["q": [String(repeating: "implant ", count: 1_280)]])
        #expect(throws: ParameterError("q", .tooLong(max: SearchText.maxQueryLength))) { try ProviderSearchQuery(values) }
        // Through the raw query the whole string is refused first, still naming q.
        #expect(throws: ParameterError("q", .tooLong(max: QueryParameters.maxRawLength))) {
            try ProviderSearchQuery(QueryParameters(raw: "q=" + String(repeating: "a", count: 10_240)))
        }
        // 200 characters pass, 201 do not.
        #expect(try ProviderSearchQuery(QueryParameters(values: ["q": [String(repeating: "é", count: 200)]])).text?.count == 200)
        #expect(throws: ParameterError("q", .tooLong(max: 200))) {
            try ProviderSearchQuery(QueryParameters(values: ["q": [String(repeating: "é", count: 201)]]))
        }
    }

    @Test("Equal bounds are allowed")
    func equalBounds() throws {
        let q = try parse("min_price=500&max_price=500")
        #expect(q.minPrice == 500 && q.maxPrice == 500)
    }

    @Test("`parameters` round-trips through a query string", arguments: [
        "q=S%C3%A3o+Paulo+%26+co&procedure=dental-implants&country=TR&city=istanbul&language=tr&verified=1&min_price=100.5&max_price=2500&currency=GBP",
        "q=nanofat",
        "currency=usd",
        "max_price=900",
        "verified=yes&language=EN",
    ])
    func roundTrip(_ raw: String) throws {
        let original = try parse(raw)
        let rebuilt = original.parameters.map { name, value in
            "\(Self.encode(name))=\(Self.encode(value))"
        }.joined(separator: "&")
        let reparsed = try parse(rebuilt)
        #expect(reparsed == original)
        #expect(reparsed.parameters.map(\.0) == original.parameters.map(\.0))
        #expect(reparsed.parameters.map(\.1) == original.parameters.map(\.1))
    }

    @Test("`parameters` has a stable order and states the currency only when it matters")
    func parameterOrder() throws {
        let q = try parse("currency=EUR&verified=on&q=x&country=de")
        #expect(q.parameters.map(\.0) == ["q", "country", "verified"])
        let priced = try parse("max_price=10")
        #expect(priced.parameters.map(\.0) == ["max_price", "currency"])
        #expect(priced.parameters.last?.1 == "EUR")
        let dollars = try parse("currency=usd")
        #expect(dollars.parameters.map(\.0) == ["currency"])
        #expect(dollars.parameters.first?.1 == "USD")
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
