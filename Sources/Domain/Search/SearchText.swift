import Foundation

/// Turns text into the plain, folded tokens that both full-text engines index and match.
///
/// Both SQLite FTS5 (`unicode61`) and PostgreSQL (`simple` configuration) receive the same pre-split,
/// lower-cased, accent-folded words, so that the same data gives the same matches on either database.
public enum SearchText {
    /// Longest free-text query accepted, in characters.
    public static let maxQueryLength = 200
    /// At most this many words of a query are used.
    public static let maxTerms = 8

    static let letterFolds: [(String, String)] = [("ı", "i"), ("ß", "ss"), ("ł", "l"), ("ø", "o"), ("æ", "ae"), ("œ", "oe"), ("đ", "d"), ("ð", "d"), ("þ", "th"), ("ħ", "h")]

    /// Lower-cased, accent-free words of letters and digits.
    public static func tokens(_ text: String) -> [String] {
        var folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        // Letters that are not a base letter plus an accent, so folding keeps them (Aydın, Straße, Łódź, Ødegaard).
        if folded.unicodeScalars.contains(where: { $0.value > 0x7F }) {
            for (from, to) in Self.letterFolds { folded = folded.replacingOccurrences(of: from, with: to) }
        }
        var words: [String] = []
        var current = ""
        for scalar in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The document stored for indexing: tokens joined by single spaces.
    public static func document(_ parts: [String]) -> String {
        parts.flatMap(tokens).joined(separator: " ")
    }

    /// Query words (deduplicated, order kept, at most `maxTerms`).
    public static func queryTerms(_ text: String) -> [String] {
        var seen = Set<String>()
        var terms: [String] = []
        for word in tokens(text) where seen.insert(word).inserted {
            terms.append(word)
            if terms.count == maxTerms { break }
        }
        return terms
    }

    /// FTS5 MATCH expression: every word must match as a prefix. Words hold only letters and digits,
    /// and each is quoted, so no FTS5 operator can be injected.
    public static func fts5Match(_ terms: [String]) -> String {
        terms.map { "\"\($0)\"*" }.joined(separator: " ")
    }

    /// FTS5 expression for query words in the text column, and (optionally) filter tokens in the filter column.
    public static func fts5Match(_ terms: [String], filters: [String]) -> String {
        var parts: [String] = []
        if !terms.isEmpty { parts.append("search_text : (\(fts5Match(terms)))") }
        if !filters.isEmpty { parts.append("filter_text : (" + filters.map { "\"\($0)\"" }.joined(separator: " ") + ")") }
        return parts.joined(separator: " AND ")
    }

    /// PostgreSQL expression: query words as prefixes of text lexemes (weight A), filter tokens exactly (weight D).
    public static func tsQuery(_ terms: [String], filters: [String]) -> String {
        (terms.map { "\($0):*A" } + filters.map { "\($0):D" }).joined(separator: " & ")
    }

    /// PostgreSQL `to_tsquery('simple', …)` expression with the same meaning as `fts5Match`.
    public static func tsQuery(_ terms: [String]) -> String {
        terms.map { "\($0):*" }.joined(separator: " & ")
    }
}
