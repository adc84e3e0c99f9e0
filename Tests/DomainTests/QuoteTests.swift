import Foundation
import Testing
@testable import Domain


private func dec(_ s: String) -> Decimal { Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))! }
private let today = ISODate.parse("2026-11-30")!

private func quote(_ currency: String, _ lines: [(String, String)], cap: ScopeChangePolicy.Cap? = .percent(10)) -> Quote {
    Quote(currency: CurrencyCode(currency)!,
          lines: lines.enumerated().map { QuoteLine(kind: .other, description: "line \($0.offset)", quantity: dec($0.element.0), unitAmount: dec($0.element.1)) },
          validUntil: ISODate.parse("2027-01-31")!, depositAmount: 0, depositDueDays: 14, cancellation: "Refund in full up to 30 days before.",
          scopeChange: ScopeChangePolicy(findings: "Tissue quality found at surgery", cap: cap))
}

@Suite("Quotes: decimal totals rounded once, binding caps, versions, conversion")
struct QuoteTests {
    @Test("The total is the exact sum rounded once, not the sum of rounded lines")
    func roundOnce() {
        // Three lines of 0.005 EUR: rounding each line first would give 0.03; the exact sum 0.015 rounds to 0.02.
        let q = quote("EUR", [("1", "0.005"), ("1", "0.005"), ("1", "0.005")])
        #expect(q.total == Money(dec("0.02"), .eur))
        let sumOfRounded = q.lines.map { $0.exactTotal.rounded(2) }.reduce(0, +)
        #expect(sumOfRounded == dec("0.03"))
    }

    @Test("Minor units follow ISO 4217: JPY has none, BHD three, EUR two")
    func minorUnits() {
        #expect(quote("JPY", [("3", "333.5")]).total.amount == dec("1001"))     // 1000.5 rounds half up once
        #expect(quote("BHD", [("1", "12.3456")]).total.amount == dec("12.346"))
        #expect(quote("EUR", [("2", "1999.995")]).total.amount == dec("3999.99"))
        #expect(CurrencyCode("BHD")!.minorUnits == 3 && CurrencyCode("JPY")!.minorUnits == 0)
    }

    @Test("Property: for 5,000 random quotes the total is the rounded exact sum, in minor units, and the ceiling covers it")
    func properties() {
        var g = SplitMix64(state: 42)
        let currencies = ["EUR", "JPY", "BHD", "USD", "TRY", "KWD", "HUF", "GBP"]
        for _ in 0..<5_000 {
            let currency = currencies[Int.random(in: 0..<currencies.count, using: &g)]
            let lines = (0..<Int.random(in: 1...12, using: &g)).map { _ -> (String, String) in
                (String(Int.random(in: 1...9, using: &g)), "\(Int.random(in: 0...99_999, using: &g)).\(Int.random(in: 0...9_999, using: &g))")
            }
            let percent = Decimal(Int.random(in: 0...50, using: &g))
            let q = quote(currency, lines, cap: .percent(percent))
            let exact = q.lines.reduce(Decimal(0)) { $0 + $1.exactTotal }
            let units = q.currency.minorUnits
            #expect(q.total.amount == exact.rounded(units))
            // No more digits than the currency has.
            #expect((q.total.amount * pow(10, units)).rounded(0) == q.total.amount * pow(10, units))
            // Rounding moves the exact sum by at most half a minor unit.
            #expect(abs(q.total.amount - exact) <= Decimal(sign: .plus, exponent: -units, significand: 5) / 10)
            let ceiling = q.ceiling!
            #expect(ceiling.amount >= q.total.amount)
            if percent == 0 { #expect(ceiling == q.total) }
        }
    }

    @Test("Without a cap on a change of scope a quote is not binding; with one its ceiling is total plus cap")
    func binding() {
        #expect(!quote("EUR", [("1", "100")], cap: nil).isBinding)
        #expect(quote("EUR", [("1", "100")], cap: nil).ceiling == nil)
        #expect(quote("EUR", [("1", "100")], cap: .amount(250)).ceiling == Money(350, .eur))
        #expect(quote("EUR", [("2", "1000")], cap: .percent(15)).ceiling == Money(2300, .eur))
    }

    @Test("Bad quotes are refused at the field: no lines, negative or overflowing amounts, expired validity, wrong deposit and cap")
    func validation() {
        func fields(_ q: Quote) -> Set<String> { Set(q.problems(today: today).map(\.field)) }
        #expect(fields(quote("EUR", [("1", "2500")])).isEmpty)
        #expect(fields(quote("EUR", [])) == ["lines"])
        #expect(fields(quote("EUR", [("1", "-5")])) == ["lines[0].unit_amount"])
        #expect(fields(quote("EUR", [("0", "5")])) == ["lines[0].quantity"])
        #expect(fields(quote("EUR", [("1", "99999999999999999999")])).contains("lines[0].unit_amount"))
        #expect(fields(quote("EUR", [("1000", "999999999"), ("1000", "999999999")])).contains("lines"))
        var expired = quote("EUR", [("1", "10")]); expired.validUntil = ISODate.parse("2026-11-29")!
        #expect(fields(expired) == ["valid_until"])
        var deposit = quote("EUR", [("1", "10")]); deposit.depositAmount = 11
        #expect(fields(deposit) == ["deposit_amount"])
        #expect(fields(quote("EUR", [("1", "10")], cap: .percent(150))) == ["scope_cap"])
        var long = quote("EUR", [("1", "10")]); long.lines[0].included = String(repeating: "a\u{301}\u{301}\u{301}", count: 1_900)
        #expect(fields(long) == ["lines[0].included"])
    }

    @Test("A revision shows line by line what changed, was added or removed")
    func versions() {
        let v1 = [QuoteLine(kind: .procedure, description: "Microfat lip grafting", quantity: 1, unitAmount: 3200),
                  QuoteLine(kind: .hotelNights, description: "Hotel near the clinic", quantity: 3, unitAmount: 120),
                  QuoteLine(kind: .transfers, description: "Airport transfers", quantity: 2, unitAmount: 40)]
        var v2 = v1
        v2[0].unitAmount = 3400
        v2.remove(at: 2)
        v2.append(QuoteLine(kind: .garments, description: "Compression garment", quantity: 1, unitAmount: 60))
        let diff = QuoteLineChange.diff(old: v1, new: v2)
        #expect(diff == [.changed(old: v1[0], new: v2[0]), .unchanged(v1[1]), .added(v2[2]), .removed(v1[2])])
        #expect(QuoteLineChange.diff(old: v1, new: v1).allSatisfy { if case .unchanged = $0 { return true } else { return false } })
    }

    @Test("Conversion uses exact decimals through the reference rates, rounds once, and names the rate and its date")
    func conversion() throws {
        let rates = ExchangeRates(perEuro: [CurrencyCode("JPY")!: dec("161.5"), .usd: dec("1.08"), CurrencyCode("BHD")!: dec("0.4071")],
                                  asOf: "2026-11-27", source: "test")
        let c = try #require(rates.exactConversion(Money(dec("2999.99"), .eur), to: CurrencyCode("JPY")!))
        #expect(c.converted.amount == dec("484498"))           // 484,498.3835 rounds once to whole yen
        #expect(c.rate == dec("161.5") && c.rateDate == "2026-11-27")
        let usd = try #require(rates.exactConversion(Money(dec("1000"), .usd), to: CurrencyCode("BHD")!))
        #expect(usd.converted.amount == dec("376.944"))         // 1000 × 0.4071 / 1.08 = 376.9444…
        #expect(rates.exactConversion(Money(1, CurrencyCode("THB")!), to: .eur) == nil)
        var g = SplitMix64(state: 7)
        for _ in 0..<2_000 {
            let amount = Decimal(Int.random(in: 0...10_000_000, using: &g)) / 100
            let converted = try #require(rates.exactConversion(Money(amount, .usd), to: CurrencyCode("JPY")!))
            #expect(converted.converted.amount == (amount * dec("161.5") / dec("1.08")).rounded(0))
        }
    }
}

@Suite("Quotes: the editor's form")
struct QuoteFormTests {
    static func form(_ extra: [String: [String]] = [:]) -> FormInput {
        var values: [String: [String]] = [
            "currency": ["EUR"], "valid_until": ["2027-01-31"], "deposit_amount": ["500"], "deposit_due_days": ["14"],
            "cancellation": ["Full refund up to 30 days before the treatment."], "scope_findings": ["Thin tissue found at surgery"],
            "scope_cap_kind": ["percent"], "scope_cap": ["10"],
            "line_kind": ["procedure", "hotel-nights", "other"], "line_description": ["Microfat lip grafting", "Hotel near the clinic", ""],
            "line_quantity": ["1", "3", ""], "line_unit_amount": ["3200", "120.50", ""], "line_included": ["Anaesthesia", "", ""],
            "line_excluded": ["", "Meals", ""],
        ]
        for (k, v) in extra { values[k] = v }
        return FormInput(values)
    }

    @Test("A filled editor gives the quote; spare empty rows are skipped")
    func reads() throws {
        let quote = try Quote.read(Self.form(), today: today).get()
        #expect(quote.lines.count == 2)
        #expect(quote.total == Money(dec("3561.50"), .eur))
        #expect(quote.isBinding && quote.ceiling == Money(dec("3917.65"), .eur))
        #expect(quote.lines[1].excluded == "Meals")
    }

    @Test("Mistakes are named at their fields, row numbers counting only the rows that were filled")
    func mistakes() {
        func fields(_ extra: [String: [String]]) -> Set<String> {
            guard case .failure(let e) = Quote.read(Self.form(extra), today: today) else { return [] }
            return e.fields
        }
        #expect(fields(["currency": ["XYZ"]]) == ["currency"])
        #expect(fields(["valid_until": ["2026-11-01"]]) == ["valid_until"])
        #expect(fields(["line_unit_amount": ["3200", "-1", ""]]) == ["lines[1].unit_amount"])
        #expect(fields(["line_unit_amount": ["3200", "abc", ""]]) == ["lines[1].unit_amount"])
        #expect(fields(["line_kind": ["surgery", "hotel-nights", "other"]]) == ["lines[0].kind"])
        #expect(fields(["line_description": ["", "", ""], "line_quantity": ["", "", ""], "line_unit_amount": ["", "", ""],
                        "line_included": ["", "", ""], "line_excluded": ["", "", ""]]) == ["lines"])
        #expect(fields(["scope_cap_kind": ["maybe"]]) == ["scope_cap_kind"])
        #expect(fields(["scope_cap_kind": ["percent"], "scope_cap": ["250"]]) == ["scope_cap"])
        #expect(fields(["cancellation": [""]]) == ["cancellation"])
        #expect(fields(["deposit_amount": ["99999"]]) == ["deposit_amount"])
        #expect(fields(["line_kind": Array(repeating: "other", count: 200), "line_description": Array(repeating: "x", count: 200)]) == ["lines"])
    }

    @Test("Without a cap the quote reads fine but is not binding")
    func noCap() throws {
        let quote = try Quote.read(Self.form(["scope_cap_kind": ["none"], "scope_cap": [""]]), today: today).get()
        #expect(!quote.isBinding)
    }

    @Test("A deposit above the total names the total as the most; a line out of range leaves the deposit unjudged")
    func depositAgainstTotal() {
        var input = FormInput(["currency": ["EUR"], "valid_until": ["2027-01-31"], "deposit_amount": ["300"], "deposit_due_days": ["14"],
                               "cancellation": ["Refund up to 30 days before"], "scope_cap_kind": ["none"],
                               "line_kind": ["procedure"], "line_description": ["Lip grafting"], "line_quantity": ["1"], "line_unit_amount": ["281.50"]])
        guard case .failure(let e) = Quote.read(input, today: ISODate.parse("2026-11-25")!) else { Issue.record("accepted"); return }
        #expect(e.problems == [FieldProblem("deposit_amount", .outOfRange(min: 0, max: 281))])
        input.set("line_unit_amount", ["-5"])
        guard case .failure(let e2) = Quote.read(input, today: ISODate.parse("2026-11-25")!) else { Issue.record("accepted"); return }
        #expect(e2.fields == ["lines[0].unit_amount"])
    }
}
