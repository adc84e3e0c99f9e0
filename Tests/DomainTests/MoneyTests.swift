import Foundation
import Testing
import Domain

@Suite("Money and currencies")
struct MoneyTests {
    // MARK: CurrencyCode

    @Test("Known ISO 4217 codes are accepted, in any letter case", arguments: ["EUR", "eur", "Usd", "try", "JPY", "krw"])
    func knownCodes(_ raw: String) throws {
        let code = try #require(CurrencyCode(raw))
        #expect(code.code == raw.uppercased())
        #expect(code.description == raw.uppercased())
    }

    @Test("Unknown or malformed codes are refused", arguments: ["XXX", "EU", "EURO", "", "E1R", "€", "ＥＵＲ", "eur ", "BTC"])
    func unknownCodes(_ raw: String) {
        #expect(CurrencyCode(raw) == nil)
    }

    @Test("Minor units follow ISO 4217")
    func minorUnits() throws {
        #expect(CurrencyCode.eur.minorUnits == 2)
        #expect(try #require(CurrencyCode("JPY")).minorUnits == 0)
        #expect(try #require(CurrencyCode("KRW")).minorUnits == 0)
        #expect(try #require(CurrencyCode("HUF")).minorUnits == 0)
        #expect(try #require(CurrencyCode("KWD")).minorUnits == 3)
    }

    @Test("Decoding a currency code from JSON validates it")
    func decoding() throws {
        let ok = try JSONDecoder().decode([CurrencyCode].self, from: Data(#"["eur","TRY"]"#.utf8))
        #expect(ok == [CurrencyCode.eur, CurrencyCode("TRY")!])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CurrencyCode].self, from: Data(#"["XXX"]"#.utf8))
        }
        let encoded = String(decoding: try JSONEncoder().encode([CurrencyCode.usd]), as: UTF8.self)
        #expect(encoded == #"["USD"]"#)
    }

    // MARK: parseAmount

    @Test("Plain decimal amounts parse exactly")
    func parseValid() {
        #expect(Money.parseAmount("2500") == Decimal(2500))
        #expect(Money.parseAmount("2500.50") == Decimal(string: "2500.50"))
        #expect(Money.parseAmount(" 42 ") == Decimal(42))
        #expect(Money.parseAmount("0") == Decimal(0))
        #expect(Money.parseAmount("0.1") == Decimal(string: "0.1"))
    }

    @Test("Malformed amounts are refused", arguments: ["1.2.3", "abc", "", "   ", "12a", "1,000", "1e5", "5-", "--5", "१२३", "١٢٣", "１２", "²", "123456789012345678901"])
    func parseInvalid(_ text: String) {
        #expect(Money.parseAmount(text) == nil)
    }

    @Test("A leading minus parses as a negative number, which the query layer then refuses as negative")
    func parseNegative() throws {
        // parseAmount is only the number reader; `QueryParameters.amount` rejects the sign with `.negative`.
        #expect(Money.parseAmount("-5") == Decimal(-5))
        let query = QueryParameters(values: ["min_price": ["-5"]])
        #expect(throws: ParameterError("min_price", .negative)) { try query.amount("min_price") }
    }

    // MARK: formatting

    @Test("Amounts show grouped digits followed by the ISO code")
    func formatted() throws {
        #expect(Money(12_500, .eur).formatted == "12,500 EUR")
        #expect(Money(Decimal(string: "12500.5")!, .eur).formatted == "12,500.50 EUR")
        #expect(Money(Decimal(string: "0.05")!, .usd).formatted == "0.05 USD")
        #expect(Money(999, .eur).formatted == "999 EUR")
        #expect(Money(1_234_567, .usd).formatted == "1,234,567 USD")
        #expect(Money(0, .eur).formatted == "0 EUR")
        #expect(Money(1_000, .eur).formatted == "1,000 EUR")
        #expect(Money(100_000, .eur).formatted == "100,000 EUR")
        #expect(Money(Decimal(string: "0.5")!, .eur).formatted == "0.50 EUR")
        #expect(Money(Decimal(string: "-1234.5")!, .eur).formatted == "-1,234.50 EUR")
        #expect(Money(Decimal(string: "1234.567")!, .eur).formatted == "1,234.57 EUR")
        #expect(Money(Decimal(string: "123456789012.25")!, .usd).formatted == "123,456,789,012.25 USD")
    }

    @Test("Currencies without minor units show whole amounts, rounded half up")
    func formattedZeroMinorUnits() throws {
        let jpy = try #require(CurrencyCode("JPY"))
        let krw = try #require(CurrencyCode("KRW"))
        #expect(Money(1_234_567, jpy).formatted == "1,234,567 JPY")
        #expect(Money(Decimal(string: "1234.5")!, jpy).formatted == "1,235 JPY")
        #expect(Money(Decimal(string: "6000000.4")!, krw).formatted == "6,000,000 KRW")
    }

    @Test("Three-decimal currencies keep three places")
    func formattedThreeMinorUnits() throws {
        let kwd = try #require(CurrencyCode("KWD"))
        #expect(Money(Decimal(string: "1.5")!, kwd).formatted == "1.500 KWD")
    }

    @Test("rounded() uses the currency's minor units, half away from zero")
    func rounding() throws {
        #expect(Money(Decimal(string: "2.345")!, .eur).rounded().amount == Decimal(string: "2.35"))
        #expect(Money(Decimal(string: "2.344")!, .eur).rounded().amount == Decimal(string: "2.34"))
        #expect(Decimal(string: "2.5")!.rounded(0) == 3)
        #expect(Decimal(string: "-2.5")!.rounded(0) == -3)
    }

    // MARK: PriceRange

    @Test("A price range refuses min above max and negative bounds")
    func priceRange() throws {
        #expect(PriceRange(min: 500, max: 100, currency: .eur) == nil)
        #expect(PriceRange(min: -1, max: 100, currency: .eur) == nil)
        let range = try #require(PriceRange(min: 450, max: 900, currency: .eur))
        #expect(range.formatted == "450 – 900 EUR")
        let single = try #require(PriceRange(min: 12_000, max: 12_000, currency: .eur))
        #expect(single.formatted == "12,000 EUR")
        let huf = try #require(PriceRange(min: 250_000, max: 450_000, currency: CurrencyCode("HUF")!))
        #expect(huf.formatted == "250,000 – 450,000 HUF")
    }

    // MARK: ExchangeRates

    @Test("EUR → TRY → EUR comes back within one cent", arguments: ["100", "1234.56", "0.01", "99999.99", "7"])
    func roundTripTRY(_ amount: String) throws {
        let rates = ExchangeRates.reference
        let euros = Money(Decimal(string: amount)!, .eur)
        let lira = try #require(rates.convert(euros, to: CurrencyCode("TRY")!))
        #expect(lira.currency.code == "TRY")
        let back = try #require(rates.convert(lira, to: .eur))
        #expect(back.currency == .eur)
        let difference = abs(NSDecimalNumber(decimal: back.amount - euros.amount).doubleValue)
        #expect(difference <= 0.01)
    }

    @Test("Conversions use the reference table")
    func conversions() throws {
        let rates = ExchangeRates.reference
        #expect(rates.toEuro(Money(3720, CurrencyCode("TRY")!)) == 100)
        #expect(rates.fromEuro(100, to: CurrencyCode("TRY")!) == Money(3720, CurrencyCode("TRY")!))
        #expect(rates.toEuro(Money(108, .usd)) == 100)
        #expect(rates.toEuro(Money(55, .eur)) == 55)
        // KRW has no minor units: converted amounts are whole won.
        let won = try #require(rates.fromEuro(Decimal(string: "1234.56")!, to: CurrencyCode("KRW")!))
        #expect(won.amount == 1_827_149)
    }

    @Test("A currency without a reference rate converts to nothing")
    func missingRate() throws {
        let nzd = try #require(CurrencyCode("NZD"))
        #expect(ExchangeRates.reference.perEuro[nzd] == nil)
        #expect(ExchangeRates.reference.toEuro(Money(100, nzd)) == nil)
        #expect(ExchangeRates.reference.fromEuro(100, to: nzd) == nil)
    }

    @Test("The euro is always in the table at rate 1")
    func euroRate() {
        let rates = ExchangeRates(perEuro: [:], asOf: "2026-01-01", source: "test")
        #expect(rates.perEuro[.eur] == 1)
        #expect(rates.convert(Money(10, .eur), to: .eur) == Money(10, .eur))
    }
}
