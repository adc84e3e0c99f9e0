import Foundation
import Testing
@testable import Domain

/// The integer routes for formatting amounts and converting them to euros give exactly what the `Decimal` routes give.
@Suite("Money arithmetic without Decimal division")
struct MoneyArithmeticTests {
    static let minors: [Int64] = [0, 1, 4, 5, 9, 10, 49, 50, 99, 100, 101, 125, 999, 1_000, 1_005, 12_345, 99_999, 100_000, 250_000,
                                  1_234_567, 9_999_995, 123_456_789, 1_000_000_000, 123_456_789_012, -1, -5, -12_345, -250_050]
    static let currencies = ["EUR", "USD", "JPY", "KWD", "TRY", "HUF", "GBP", "THB"]

    static func decimal(_ minor: Int64, _ c: CurrencyCode) -> Decimal {
        var value = Decimal(minor)
        for _ in 0..<c.minorUnits { value /= 10 }
        return value
    }

    @Test func formattingMatchesTheDecimalRoute() throws {
        for code in Self.currencies {
            let c = try #require(CurrencyCode(code))
            for minor in Self.minors {
                #expect(Money.formatted(minor: minor, c) == Money(Self.decimal(minor, c), c).formatted, "\(minor) \(code)")
            }
        }
        #expect(Money.formatted(minor: 1_250_000, .eur) == "12,500 EUR")
        #expect(Money.formatted(minor: 1_250_050, .eur) == "12,500.50 EUR")
        #expect(Money.formatted(minor: 1_000, CurrencyCode("JPY")!) == "1,000 JPY")
        #expect(Money.formatted(minor: 1_000_001, CurrencyCode("KWD")!) == "1,000.001 KWD")
    }

    @Test func euroCentsMatchTheDecimalRoute() throws {
        var tables = [ExchangeRates.reference]
        let odd = ["USD": "1.0832", "JPY": "158.7", "TRY": "36.15", "GBP": "0.8571", "KWD": "0.33271", "HUF": "1450.25", "THB": "3"]
        tables.append(ExchangeRates(perEuro: Dictionary(uniqueKeysWithValues: odd.map { (CurrencyCode($0.key)!, Decimal(string: $0.value)!) }),
                                    asOf: "test", source: "test"))
        for rates in tables {
            for code in Self.currencies {
                let c = try #require(CurrencyCode(code))
                guard rates.perEuro[c] != nil else { continue }
                for minor in Self.minors {
                    let expected = rates.toEuro(Money(Self.decimal(minor, c), c)).map { ($0 * 100) }
                    let cents = rates.euroCents(minor: minor, c)
                    #expect(cents.map { Decimal($0) } == expected, "\(minor) \(code): \(String(describing: cents)) against \(String(describing: expected))")
                }
            }
        }
        #expect(ExchangeRates.reference.euroCents(minor: 1_000, CurrencyCode("XOF") ?? .eur) != nil)
        #expect(DecimalParts.parse("1.0832")! == (10_832, -4))
        #expect(DecimalParts.parse("158")! == (158, 0))
        #expect(DecimalParts.parse("1e5") == nil && DecimalParts.parse("") == nil && DecimalParts.parse("1.2.3") == nil)
    }

    @Test func fromEuroCentsMatchesTheDecimalRoute() throws {
        let rates = ExchangeRates.reference
        for code in Self.currencies {
            let c = try #require(CurrencyCode(code))
            guard rates.perEuro[c] != nil else { continue }
            for cents in Self.minors {
                var euros = Decimal(cents)
                euros /= 100
                let expected = rates.fromEuro(euros, to: c).map { m -> Decimal in
                    var v = m.amount
                    for _ in 0..<c.minorUnits { v *= 10 }
                    return v
                }
                #expect(rates.fromEuroCents(cents, to: c).map { Decimal($0) } == expected, "\(cents) \(code)")
            }
        }
    }
}
