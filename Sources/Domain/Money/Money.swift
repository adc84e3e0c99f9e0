import Foundation

/// An amount of money: a decimal (never a binary floating point) with its currency.
public struct Money: Hashable, Sendable, Codable {
    public var amount: Decimal
    public var currency: CurrencyCode

    public init(_ amount: Decimal, _ currency: CurrencyCode) {
        self.amount = amount
        self.currency = currency
    }

    /// Parses a plain decimal such as `2500` or `2500.50` (a dot as separator, no grouping).
    public static func parseAmount(_ text: String) -> Decimal? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 20 else { return nil }
        var sawDot = false
        for (index, ch) in trimmed.enumerated() {
            if ch == "." {
                if sawDot { return nil }
                sawDot = true
            } else if ch == "-" && index == 0 {
                continue
            } else if !ch.isASCII || !ch.isNumber {
                return nil
            }
        }
        return Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Rounds to the currency's minor units (banker's rounding is not wanted for prices shown to people).
    public func rounded() -> Money {
        var value = amount
        var result = Decimal()
        NSDecimalRound(&result, &value, currency.minorUnits, .plain)
        return Money(result, currency)
    }

    /// `12,500 EUR` style: grouped digits, the ISO code after the amount (unambiguous across countries).
    /// Written out here rather than through `NumberFormatter`: the format is fixed (not locale-dependent), and
    /// setting up a formatter per amount cost several percent of a search page's rendering time.
    public var formatted: String {
        let value = rounded().amount
        let hasFraction = value != value.rounded(0)
        let plain = (value < 0 ? -value : value).description  // e.g. "12500.5": digits, optional dot, no exponent
        var whole = Substring(plain)
        var fraction = Substring("")
        if let dot = plain.firstIndex(of: ".") {
            whole = plain[..<dot]
            fraction = plain[plain.index(after: dot)...]
        }
        var grouped = ""
        for (offset, digit) in whole.enumerated() {
            if offset > 0 && (whole.count - offset) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        if hasFraction && currency.minorUnits > 0 {
            let padded = String(fraction.prefix(currency.minorUnits))
                + String(repeating: "0", count: max(0, currency.minorUnits - fraction.count))
            grouped += "." + padded
        }
        return "\(value < 0 ? "-" : "")\(grouped) \(currency.code)"
    }
}

extension Decimal {
    /// Rounds to `scale` decimal places, half away from zero.
    public func rounded(_ scale: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, .plain)
        return result
    }
}

/// A price range in one currency, as a provider quotes it before a consultation.
public struct PriceRange: Hashable, Sendable {
    public var min: Decimal
    public var max: Decimal
    public var currency: CurrencyCode

    public init?(min: Decimal, max: Decimal, currency: CurrencyCode) {
        guard min >= 0, max >= min else { return nil }
        self.min = min
        self.max = max
        self.currency = currency
    }

    public var formatted: String {
        let low = Money(min, currency).formatted
        if min == max { return low }
        let high = Money(max, currency).formatted
        return "\(low.replacingOccurrences(of: " \(currency.code)", with: "")) – \(high)"
    }
}
