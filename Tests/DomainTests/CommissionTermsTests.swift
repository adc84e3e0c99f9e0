import Foundation
import Testing
@testable import Domain

/// Commission arithmetic: exact decimal products, rounded once, half away from zero, to the currency's minor units.
@Suite("Commission terms")
struct CommissionTermsTests {
    static func terms(_ kind: String, percent: String? = nil, fixed: String? = nil, currency: String = "EUR", days: Int = 30) -> CommissionTerms? {
        CommissionTerms(kind: kind, percent: percent, fixedAmount: fixed, currency: currency, paymentTermsDays: days)
    }

    @Test("A percentage of the quote is the exact product rounded once")
    func percentOfTheQuote() throws {
        let eight = try #require(Self.terms("percent", percent: "8"))
        #expect(eight.commission(quoteTotal: Money(Decimal(string: "4350")!, .eur), procedureCount: 1) == Money(348, .eur))
        // 7.5% of 1,234.57 = 92.59275 → 92.59 (rounded once, not per step)
        let sevenHalf = try #require(Self.terms("percent", percent: "7.5"))
        #expect(sevenHalf.commission(quoteTotal: Money(Decimal(string: "1234.57")!, .eur), procedureCount: 1).amount == Decimal(string: "92.59")!)
        // A half cent goes up: 10% of 0.05 = 0.005 → 0.01
        let ten = try #require(Self.terms("percent", percent: "10"))
        #expect(ten.commission(quoteTotal: Money(Decimal(string: "0.05")!, .eur), procedureCount: 1).amount == Decimal(string: "0.01")!)
        // 12.25% of 999.99 = 122.498775 → 122.50
        let odd = try #require(Self.terms("percent", percent: "12.25"))
        #expect(odd.commission(quoteTotal: Money(Decimal(string: "999.99")!, .eur), procedureCount: 3).amount == Decimal(string: "122.5")!)
        // In the quote's currency, with its own minor units: 8% of 123,457 JPY = 9,876.56 → 9,877
        let yen = try #require(CurrencyCode("JPY"))
        #expect(eight.commission(quoteTotal: Money(123_457, yen), procedureCount: 1) == Money(9_877, yen))
        // Binary floating point would give 0.1 + 0.2 drift; the decimal product of 0.3 × 10% is exactly 0.03.
        #expect(ten.commission(quoteTotal: Money(Decimal(string: "0.3")!, .eur), procedureCount: 1).amount == Decimal(string: "0.03")!)
    }

    @Test("A fixed amount is paid per procedure, in the agreement's currency")
    func fixedPerProcedure() throws {
        let fixed = try #require(Self.terms("fixed", fixed: "250", currency: "USD"))
        #expect(fixed.commission(quoteTotal: Money(9_000, .eur), procedureCount: 2) == Money(500, .usd))
        #expect(fixed.commission(quoteTotal: Money(9_000, .eur), procedureCount: 0) == Money(250, .usd))
    }

    @Test("Terms are refused when they are not valid")
    func validation() {
        #expect(Self.terms("percent", percent: "0") == nil)
        #expect(Self.terms("percent", percent: "-5") == nil)
        #expect(Self.terms("percent", percent: "50.01") == nil)
        #expect(Self.terms("percent", percent: "7.125") == nil)
        #expect(Self.terms("percent", percent: "abc") == nil)
        #expect(Self.terms("percent", percent: "8", fixed: "100") == nil)
        #expect(Self.terms("percent") == nil)
        #expect(Self.terms("fixed", fixed: "0") == nil)
        #expect(Self.terms("fixed", fixed: "10.005") == nil)
        #expect(Self.terms("fixed", fixed: "100", currency: "XXX") == nil)
        #expect(Self.terms("fixed", fixed: "100", currency: "JPY") != nil)
        #expect(Self.terms("fixed", fixed: "100.5", currency: "JPY") == nil)
        #expect(Self.terms("percent", percent: "8", days: -1) == nil)
        #expect(Self.terms("percent", percent: "8", days: 181) == nil)
        #expect(Self.terms("bonus", percent: "8") == nil)
        #expect(Self.terms("percent", percent: "50") != nil)
    }

    @Test("The due date is the treatment date plus the payment terms")
    func dueDate() throws {
        let terms = try #require(Self.terms("percent", percent: "8", days: 30))
        let treated = try #require(ISODate.parse("2026-11-10"))
        #expect(ISODate.format(terms.dueDate(treatedOn: treated)) == "2026-12-10")
    }
}
