import Foundation
import Domain

/// The one catalogue of user-facing text. English ships now; a language is added as another JSON file.
public struct Localizer: Sendable {
    public let language: String
    private let table: [String: String]

    public init(language: String, table: [String: String]) {
        self.language = language
        self.table = table
    }

    /// Loads `Resources/Localization/<language>.json` from the bundle.
    public static func load(language: String = "en") throws -> Localizer {
        guard let url = Bundle.module.url(forResource: language, withExtension: "json", subdirectory: "Resources/Localization") else {
            throw CatalogueError(reason: "no catalogue for language '\(language)'")
        }
        let table = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        return Localizer(language: language, table: table)
    }

    struct CatalogueError: Error, CustomStringConvertible {
        let reason: String
        var description: String { "Localisation catalogue: \(reason)" }
    }

    /// Every key in the catalogue (used by tests to find keys the code names but the catalogue lacks).
    public var keys: Set<String> { Set(table.keys) }

    public func has(_ key: String) -> Bool { table[key] != nil }

    /// The text for `key` with `{name}` placeholders filled in. A missing key shows as the key itself,
    /// which a test forbids for every key the sources use.
    public func callAsFunction(_ key: String, _ arguments: [String: String] = [:]) -> String {
        let text = table[key] ?? key
        return arguments.isEmpty ? text : Self.fill(text, arguments)
    }

    /// The text of `key` cut where `fill` would put the value of `{name}`: joining the parts with a value gives what
    /// `self(key, [name: value])` gives, for a text written many times on one page (its lookup and its placeholders
    /// worked out once). The cut is marked with a NUL, which no text of the tables contains.
    public func parts(_ key: String, around name: String) -> [String] {
        Self.fill(self(key), [name: "\u{0}"]).split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
    }

    /// `{name}` placeholders replaced by their values in one pass over the UTF-8 bytes; an unknown placeholder stays as
    /// written, and a value is never searched for placeholders itself. (Foundation's `replacingOccurrences`, once per
    /// argument, was a twentieth of an uncached page's time.)
    static func fill(_ text: String, _ arguments: [String: String]) -> String {
        let bytes = text.utf8
        guard bytes.contains(UInt8(ascii: "{")) else { return text }
        var out = ""
        out.reserveCapacity(bytes.count + 32)
        var runStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes[index] == UInt8(ascii: "{"),
                  let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")),
                  let value = arguments[String(text[bytes.index(after: index)..<close])] else {
                index = bytes.index(after: index)
                continue
            }
            out += text[runStart..<index]
            out += value
            index = bytes.index(after: close)
            runStart = index
        }
        out += text[runStart..<bytes.endIndex]
        return out
    }

    /// Singular or plural form: `key.one` / `key.other`, with `{count}` filled.
    public func count(_ key: String, _ n: Int, _ arguments: [String: String] = [:]) -> String {
        var args = arguments
        args["count"] = Self.grouped(n)
        return self(n == 1 ? "\(key).one" : "\(key).other", args)
    }

    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.reversed().enumerated() {
            if i > 0, i % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + String(out.reversed())
    }

    /// "14 October 2026".
    public func date(_ date: Date) -> String {
        let c = ISODate.civil(date)
        return self("date.long", ["day": String(c.day), "month": self(Self.monthKeys[c.month - 1]), "year": String(c.year)])
    }

    private static let monthKeys = (1...12).map { "month.\($0)" }

    /// "14 October 2026, 09:30 UTC": a moment with its zone named.
    public func dateTime(_ d: Date) -> String {
        let c = ISODate.civil(d)
        return date(d) + ", " + (c.hour < 10 ? "0" : "") + String(c.hour) + ":" + (c.minute < 10 ? "0" : "") + String(c.minute) + " UTC"
    }

    public func country(_ code: String) -> String {
        let key = "country.\(code.uppercased())"
        return has(key) ? self(key) : code.uppercased()
    }

    public func language(_ code: String) -> String {
        let key = "language.\(code.lowercased())"
        return has(key) ? self(key) : code.lowercased()
    }

    /// The sentence that explains a refused parameter.
    public func message(for error: ParameterError) -> String {
        let p = ["parameter": error.parameter]
        switch error.problem {
        case .notUTF8: return self("error.param.notUTF8", p)
        case .malformed: return self("error.param.malformed", p)
        case .notANumber: return self("error.param.notANumber", p)
        case .notAWholeNumber: return self("error.param.notAWholeNumber", p)
        case .negative: return self("error.param.negative", p)
        case .outOfRange(let lo, let hi):
            return self("error.param.outOfRange", p.merging(["min": Self.grouped(lo), "max": Self.grouped(hi)]) { $1 })
        case .tooLong(let max): return self("error.param.tooLong", p.merging(["max": Self.grouped(max)]) { $1 })
        case .unknownCurrency: return self("error.param.unknownCurrency", p)
        case .unsupportedCurrency:
            let codes = ExchangeRates.reference.perEuro.keys.map(\.code).sorted().joined(separator: ", ")
            return self("error.param.unsupportedCurrency", p.merging(["codes": codes]) { $1 })
        case .unknownValue: return self("error.param.unknownValue", p)
        case .minAboveMax: return self("error.param.minAboveMax", p)
        case .repeated: return self("error.param.repeated", p)
        }
    }
}
