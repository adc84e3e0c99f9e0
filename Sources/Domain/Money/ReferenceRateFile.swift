import Foundation

/// The European Central Bank's euro reference-rate CSV, in its two published shapes:
///
/// - the daily file: a header `Date, USD, JPY, …` and one row `27 November 2026, 1.0550, 161.50, …` (spaces after
///   commas, often a trailing comma);
/// - the history file: the same header and one row per day, dates as `2026-11-27`, `N/A` where a currency has no
///   rate that day.
///
/// Each rate is units of the currency for one euro. Unknown currency codes are skipped (the platform shows only
/// the codes it knows); every other problem is refused with its line number, so a broken file changes nothing.
public enum ReferenceRateFile {
    public struct Day: Sendable, Equatable {
        public let date: String          // YYYY-MM-DD
        public let perEuro: [CurrencyCode: Decimal]
    }

    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// The largest file accepted (the full history since 1999 is about 2 MB).
    public static let maxBytes = 8 * 1_048_576

    public static func parse(_ text: String) throws(Problem) -> [Day] {
        guard text.utf8.count <= maxBytes else { throw Problem(line: 0, reason: "the file is larger than 8 MB") }
        let lines = text.split(whereSeparator: \.isNewline).map { String($0) }.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let header = lines.first else { throw Problem(line: 1, reason: "the file is empty") }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard columns.first?.lowercased() == "date" else { throw Problem(line: 1, reason: "the first column must be 'Date'") }
        let currencies = columns.dropFirst().map { CurrencyCode($0) }
        guard currencies.contains(where: { $0 != nil }) else { throw Problem(line: 1, reason: "no known currency in the header") }
        var days: [Day] = []
        var seen = Set<String>()
        for (index, line) in lines.enumerated().dropFirst() {
            let number = index + 1
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let date = isoDate(cells[0]) else { throw Problem(line: number, reason: "'\(cells[0])' is not a date") }
            guard seen.insert(date).inserted else { throw Problem(line: number, reason: "\(date) appears twice") }
            var rates: [CurrencyCode: Decimal] = [:]
            for (i, currency) in currencies.enumerated() {
                let cell = i + 1 < cells.count ? cells[i + 1] : ""
                guard let currency, !cell.isEmpty, cell.uppercased() != "N/A" else { continue }
                guard cell.count <= 20, cell.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                      let value = Decimal(string: cell, locale: Locale(identifier: "en_US_POSIX")), value > 0 else {
                    throw Problem(line: number, reason: "'\(cell)' is not a rate for \(currency.code)")
                }
                rates[currency] = value
            }
            days.append(Day(date: date, perEuro: rates))
        }
        guard !days.isEmpty else { throw Problem(line: 2, reason: "no rates after the header") }
        return days.sorted { $0.date < $1.date }
    }

    /// `2026-11-27` or `27 November 2026`.
    static func isoDate(_ text: String) -> String? {
        if let d = ISODate.parse(text) { return ISODate.format(d) }
        let parts = text.split(separator: " ")
        let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        guard parts.count == 3, let day = Int(parts[0]), (1...31).contains(day), let m = months.firstIndex(of: parts[1].lowercased()),
              let year = Int(parts[2]), (1999...2200).contains(year) else { return nil }
        let candidate = String(format: "%04d-%02d-%02d", year, m + 1, day)
        return ISODate.parse(candidate).map(ISODate.format)
    }
}
