import Foundation
import Testing
@testable import Domain

@Suite("ECB reference-rate files")
struct ReferenceRateFileTests {
    @Test("The daily file: spaces after commas, a long date and a trailing comma")
    func daily() throws {
        let days = try ReferenceRateFile.parse("Date, USD, JPY, BHD, XYZ, \n27 November 2026, 1.0812, 161.50, 0.4071, 9.9, \n")
        #expect(days.count == 1)
        #expect(days[0].date == "2026-11-27")
        #expect(days[0].perEuro[.usd] == Decimal(string: "1.0812"))
        #expect(days[0].perEuro[CurrencyCode("JPY")!] == Decimal(string: "161.50"))
        #expect(days[0].perEuro.count == 3) // XYZ is not a currency we know: skipped
    }

    @Test("The history file: ISO dates, one row a day, N/A where a currency had no rate; days come back in order")
    func history() throws {
        let text = "Date,USD,JPY,TRY,\n2026-11-27,1.0812,161.50,N/A,\n2026-11-26,1.0790,160.95,37.1,\n"
        let days = try ReferenceRateFile.parse(text)
        #expect(days.map(\.date) == ["2026-11-26", "2026-11-27"])
        #expect(days[1].perEuro[CurrencyCode("TRY")!] == nil)
        #expect(days[0].perEuro[CurrencyCode("TRY")!] == Decimal(string: "37.1"))
    }

    @Test("Broken files are refused with the line that is wrong", arguments: [
        ("", 1), ("Currency,USD\n2026-11-27,1.0", 1), ("Date,XYZ\n2026-11-27,1", 1), ("Date,USD\n", 2),
        ("Date,USD\n2026-13-01,1.0", 2), ("Date,USD\n30 February 2026,1.0", 2), ("Date,USD\n2026-11-27,1.0\n2026-11-27,1.1", 3),
        ("Date,USD\n2026-11-27,-1", 2), ("Date,USD\n2026-11-27,1e3", 2), ("Date,USD\n2026-11-27,0", 2), ("Date,USD\n2026-11-27,abc", 2),
    ])
    func refused(_ text: String, _ line: Int) {
        #expect(throws: ReferenceRateFile.Problem.self) { try ReferenceRateFile.parse(text) }
        do { _ = try ReferenceRateFile.parse(text) } catch { #expect(error.line == line, "\(text.debugDescription): \(error)") }
    }
}
