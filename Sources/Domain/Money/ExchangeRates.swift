import Foundation

/// Reference rates against the euro, with the date they were taken and their source.
/// Used to compare and filter prices quoted in different currencies; never to charge anyone.
public struct ExchangeRates: Sendable {
    /// Units of the currency for one euro.
    public let perEuro: [CurrencyCode: Decimal]
    public let asOf: String
    public let source: String

    /// Each rate's digits, for `euroCents` (rates are plain decimals of a few digits).
    let rateDigits: [CurrencyCode: (mantissa: UInt64, exponent: Int)]

    public init(perEuro: [CurrencyCode: Decimal], asOf: String, source: String) {
        var table = perEuro
        table[.eur] = 1
        self.perEuro = table
        self.asOf = asOf
        self.source = source
        var digits: [CurrencyCode: (mantissa: UInt64, exponent: Int)] = [:]
        for (code, rate) in table {
            // Exponents outside ±12 would overflow the integer route; such a rate takes the Decimal one.
            if let d = DecimalParts.parse(rate.description), (-12...12).contains(d.exponent) { digits[code] = d }
        }
        rateDigits = digits
    }

    /// Converts to euros; `nil` when the currency has no rate.
    public func toEuro(_ money: Money) -> Decimal? {
        guard let rate = perEuro[money.currency], rate > 0 else { return nil }
        return (money.amount / rate).rounded(2)
    }

    /// Cents of a euro for `minor` units of `currency` (`toEuro` of the same amount, rounded half away from zero to
    /// cents), by integer arithmetic on the amount and the rate's digits: `Decimal`'s long division was a tenth of a
    /// guide page, which converts every price it lists. Nil when the currency has no rate.
    public func euroCents(minor: Int64, _ currency: CurrencyCode) -> Int64? {
        guard let rate = perEuro[currency], rate > 0 else { return nil }
        guard let r = rateDigits[currency], r.mantissa > 0 else {
            return toEuro(Money(Self.decimal(minor: minor, units: currency.minorUnits), currency)).flatMap { Self.cents($0) }
        }
        // cents = |minor| × 10^(2 − units − r.exponent) / r.mantissa
        let shift = 2 - currency.minorUnits - r.exponent
        var numerator = UInt128(minor.magnitude)
        var denominator = UInt128(r.mantissa)
        if shift >= 0 {
            numerator *= UInt128(DecimalParts.powersOfTen[shift])
        } else {
            denominator *= UInt128(DecimalParts.powersOfTen[-shift])
        }
        let (q, rem) = numerator.quotientAndRemainder(dividingBy: denominator)
        let rounded = rem >= denominator - rem ? q + 1 : q
        guard rounded < UInt128(Int64.max) else {
            return toEuro(Money(Self.decimal(minor: minor, units: currency.minorUnits), currency)).flatMap { Self.cents($0) }
        }
        let cents = Int64(rounded)
        return minor < 0 ? -cents : cents
    }

    /// Minor units of `currency` for `cents` of a euro (`fromEuro` of the same amount), by integer arithmetic. Nil
    /// when the currency has no rate.
    public func fromEuroCents(_ cents: Int64, to currency: CurrencyCode) -> Int64? {
        guard let rate = perEuro[currency] else { return nil }
        let viaDecimals = { fromEuro(Self.decimal(minor: cents, units: 2), to: currency).map { Self.minor($0.amount, units: currency.minorUnits) } }
        guard let r = rateDigits[currency] else { return viaDecimals() }
        _ = rate
        // minor = |cents| × r.mantissa × 10^(r.exponent + units − 2)
        let shift = r.exponent + currency.minorUnits - 2
        let (product, overflow) = UInt128(cents.magnitude).multipliedReportingOverflow(by: UInt128(r.mantissa))
        guard !overflow else { return viaDecimals() }
        var value: UInt128
        if shift >= 0 {
            value = product * UInt128(DecimalParts.powersOfTen[shift])
        } else {
            let divisor = UInt128(DecimalParts.powersOfTen[-shift])
            let (q, rem) = product.quotientAndRemainder(dividingBy: divisor)
            value = rem >= divisor - rem ? q + 1 : q
        }
        guard value < UInt128(Int64.max) else { return viaDecimals() }
        return cents < 0 ? -Int64(value) : Int64(value)
    }

    static func minor(_ amount: Decimal, units: Int) -> Int64 {
        Int64(truncating: Decimal(sign: .plus, exponent: units, significand: amount) as NSDecimalNumber)
    }

    static func decimal(minor: Int64, units: Int) -> Decimal {
        Decimal(sign: .plus, exponent: -units, significand: Decimal(minor))
    }

    static func cents(_ euros: Decimal) -> Int64 {
        Int64(truncating: Decimal(sign: .plus, exponent: 2, significand: euros) as NSDecimalNumber)
    }

    /// Converts from euros into `currency`; `nil` when the currency has no rate.
    public func fromEuro(_ euros: Decimal, to currency: CurrencyCode) -> Money? {
        guard let rate = perEuro[currency] else { return nil }
        return Money((euros * rate).rounded(currency.minorUnits), currency)
    }

    public func convert(_ money: Money, to currency: CurrencyCode) -> Money? {
        guard let euros = toEuro(money) else { return nil }
        return fromEuro(euros, to: currency)
    }

    /// Indicative reference rates shipped with the platform (sample data, labelled as such where shown).
    /// Builds a table from code/rate strings, so no rate passes through a binary floating point.
    static func table(_ rows: [(String, String)]) -> [CurrencyCode: Decimal] {
        var result: [CurrencyCode: Decimal] = [:]
        for (code, rate) in rows {
            if let currency = CurrencyCode(code), let value = Decimal(string: rate, locale: Locale(identifier: "en_US_POSIX")) {
                result[currency] = value
            }
        }
        return result
    }

    public static let reference = ExchangeRates(
        perEuro: ExchangeRates.table([
            ("USD", "1.08"),
            ("GBP", "0.85"),
            ("TRY", "37.2"),
            ("MXN", "19.6"),
            ("THB", "38.1"),
            ("KRW", "1480"),
            ("PLN", "4.30"),
            ("HUF", "395"),
            ("CZK", "25.1"),
            ("INR", "91.0"),
            ("CRC", "560"),
            ("COP", "4400"),
            ("AED", "3.97"),
            ("BRL", "5.90"),
            ("MYR", "5.05"),
            ("CHF", "0.95"),
            ("CAD", "1.48"),
            ("AUD", "1.64"),
            ("SEK", "11.4"),
            ("DKK", "7.46"),
            ("NOK", "11.7"),
            ("JPY", "163"),
            ("CNY", "7.8"),
            ("SGD", "1.45"),
            ("SAR", "4.05"),
            ("ZAR", "19.8"),
            ("RON", "4.97"),
            ("BGN", "1.96"),
            ("RSD", "117"),
            ("ILS", "4.0"),
        ]),
        asOf: "2026-11-02",
        source: "CareAbroad indicative reference table (sample data)"
    )
}
