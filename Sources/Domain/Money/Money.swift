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

extension Money {
    /// `formatted` for an amount given in minor units (cents), by integer arithmetic: the same text as
    /// `Money(amount, currency).formatted`, without `Decimal` rounding and `description` (a tenth of a profile page,
    /// which formats every offer twice).
    public static func formatted(minor: Int64, _ currency: CurrencyCode) -> String {
        amount(minor: minor, currency) + " " + currency.code
    }

    /// The amount without its currency: "1,500" or "-12.50". Written as bytes (walking the digits as `Character`s,
    /// with their grapheme breaking, was most of the cost of a price on a page that shows dozens).
    public static func amount(minor: Int64, _ currency: CurrencyCode) -> String {
        let units = currency.minorUnits
        let scale = DecimalParts.powersOfTen[units]
        let magnitude = minor.magnitude
        let whole = magnitude / scale, fraction = magnitude % scale
        var digits: [UInt8] = []
        var rest = whole
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        var out: [UInt8] = []
        out.reserveCapacity(digits.count + digits.count / 3 + units + 3)
        if minor < 0 { out.append(UInt8(ascii: "-")) }
        for (n, digit) in digits.reversed().enumerated() {
            let remaining = digits.count - n
            if n > 0 && remaining % 3 == 0 { out.append(UInt8(ascii: ",")) }
            out.append(digit)
        }
        if fraction != 0 {
            out.append(UInt8(ascii: "."))
            var f: [UInt8] = Array(repeating: UInt8(ascii: "0"), count: units)
            var r = fraction
            for k in stride(from: units - 1, through: 0, by: -1) {
                f[k] = UInt8(ascii: "0") + UInt8(r % 10)
                r /= 10
            }
            out.append(contentsOf: f)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Powers of ten for integer arithmetic on amounts.
public enum DecimalParts {
    public static let powersOfTen: [UInt64] = (0...19).map { n in (0..<n).reduce(UInt64(1)) { acc, _ in acc * 10 } }

    /// A plain decimal's digits as a whole number and a power of ten ("1.0832" → 10832, −4); nil when it has more
    /// digits than 18 or is not plain.
    static func parse(_ text: String) -> (mantissa: UInt64, exponent: Int)? {
        var mantissa: UInt64 = 0
        var digits = 0, exponent = 0, afterDot = false
        for b in text.utf8 {
            if b == UInt8(ascii: ".") {
                guard !afterDot else { return nil }
                afterDot = true
            } else if b >= 0x30 && b <= 0x39 {
                digits += 1
                guard digits <= 18 else { return nil }
                mantissa = mantissa * 10 + UInt64(b - 0x30)
                if afterDot { exponent -= 1 }
            } else {
                return nil
            }
        }
        return digits > 0 ? (mantissa, exponent) : nil
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
        // `low` ends in " CODE": the range names its currency once, after the upper end.
        return "\(low.dropLast(currency.code.count + 1)) – \(high)"
    }
}
