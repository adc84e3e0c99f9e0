/// An ISO 4217 currency code that this platform knows how to show and convert.
public struct CurrencyCode: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let code: String

    /// Active ISO 4217 codes accepted at the edges (forms, queries, imports).
    public static let known: Set<String> = [
        "AED", "ARS", "AUD", "BGN", "BHD", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CRC", "CZK", "DKK", "EGP",
        "EUR", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "JOD", "JPY", "KRW", "KWD", "LBP", "MAD", "MXN",
        "MYR", "NGN", "NOK", "NZD", "OMR", "PEN", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SEK",
        "SGD", "THB", "TND", "TRY", "TWD", "UAH", "USD", "VND", "ZAR",
    ]

    /// Creates a code from user input; `nil` when the text is not a known ISO 4217 code.
    public init?(_ raw: String) {
        let upper = raw.uppercased()
        guard upper.count == 3, Self.known.contains(upper) else { return nil }
        code = upper
    }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = CurrencyCode(raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Unknown currency code \(raw)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }

    public var description: String { code }
    public static func < (a: Self, b: Self) -> Bool { a.code < b.code }

    public static let eur = CurrencyCode("EUR")!
    public static let usd = CurrencyCode("USD")!

    /// Digits shown after the decimal point (ISO 4217 minor units) for display.
    public var minorUnits: Int {
        switch code {
        case "JPY", "KRW", "VND", "CLP", "HUF", "COP", "IDR", "CRC": return 0
        case "KWD", "JOD", "TND", "BHD", "OMR": return 3
        default: return 2
        }
    }
}
