import Foundation
import Testing
import Domain

@Suite("Search text")
struct SearchTextTests {
    @Test("Tokens fold case, accents and width", arguments: [
        ("São Paulo", ["sao", "paulo"]),
        ("ÖZTÜRK", ["ozturk"]),
        ("Dr. Zsófia Kertész, DMD", ["dr", "zsofia", "kertesz", "dmd"]),
        ("Medellín", ["medellin"]),
        ("Kraków", ["krakow"]),
        ("Brandstätter", ["brandstatter"]),
        ("Ｆｕｌｌｗｉｄｔｈ", ["fullwidth"]),
        ("MACS-lift facelift", ["macs", "lift", "facelift"]),
        ("  many   spaces\tand\nlines ", ["many", "spaces", "and", "lines"]),
        ("IVF (in vitro fertilisation)", ["ivf", "in", "vitro", "fertilisation"]),
        ("", []),
        ("--- ... !!!", []),
    ])
    func tokens(_ text: String, _ expected: [String]) {
        #expect(SearchText.tokens(text) == expected)
    }

    @Test("Tokens hold only letters and digits")
    func tokensAreAlphanumeric() {
        let hostile = #"a"b'c;d--e/*f*/g<h>i&j|k!l(m)n:o^p~q*r{s}t[u]v\w"#
        let words = SearchText.tokens(hostile)
        #expect(words == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w"])
        for word in words {
            #expect(word.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) })
        }
    }

    @Test("The document is the tokens of every part joined by spaces")
    func document() {
        #expect(SearchText.document(["Dr. Selin Aydın", "Istanbul", "Türkiye"]) == "dr selin aydin istanbul turkiye")
        #expect(SearchText.document([]) == "")
    }

    @Test("Query terms are deduplicated in order")
    func dedup() {
        #expect(SearchText.queryTerms("Nanofat nanofat NANOFAT lips Lips") == ["nanofat", "lips"])
        #expect(SearchText.queryTerms("Sao São SAO paulo") == ["sao", "paulo"])
    }

    @Test("At most eight query terms are used")
    func maxTerms() {
        let terms = SearchText.queryTerms("one two three four five six seven eight nine ten")
        #expect(terms == ["one", "two", "three", "four", "five", "six", "seven", "eight"])
        #expect(SearchText.maxTerms == 8)
        // Duplicates do not use up the allowance.
        let repeated = SearchText.queryTerms("a a a a a a a a a b c")
        #expect(repeated == ["a", "b", "c"])
    }

    @Test("FTS5 MATCH and tsquery formats")
    func matchFormats() {
        #expect(SearchText.fts5Match(["nanofat", "lips"]) == #""nanofat"* "lips"*"#)
        #expect(SearchText.tsQuery(["nanofat", "lips"]) == "nanofat:* & lips:*")
        #expect(SearchText.fts5Match(["sao"]) == #""sao"*"#)
        #expect(SearchText.tsQuery(["sao"]) == "sao:*")
    }

    @Test("Quotes and full-text operators cannot reach the match expression", arguments: [
        (#""a" OR b*"#, ["a", "or", "b"]),
        (#"nanofat" OR "x"#, ["nanofat", "or", "x"]),
        ("NEAR(a b, 2)", ["near", "a", "b", "2"]),
        ("a:* | !b & c", ["a", "b", "c"]),
        ("search_text:foo", ["search", "text", "foo"]),
        ("^start -minus +plus", ["start", "minus", "plus"]),
        ("a' OR '1'='1", ["a", "or", "1"]),
        ("x\") ; DROP TABLE practitioners; --", ["x", "drop", "table", "practitioners"]),
    ])
    func operatorsNeutralised(_ input: String, _ expected: [String]) {
        let terms = SearchText.queryTerms(input)
        #expect(terms == expected)
        let fts = SearchText.fts5Match(terms)
        // Every FTS5 term is exactly one quoted word of letters and digits followed by `*`.
        for part in fts.split(separator: " ") {
            #expect(part.hasPrefix("\"") && part.hasSuffix("\"*"))
            let inner = part.dropFirst().dropLast(2)
            #expect(!inner.isEmpty && inner.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) })
        }
        #expect(fts.filter { $0 == "\"" }.count == terms.count * 2)
        let ts = SearchText.tsQuery(terms)
        for part in ts.components(separatedBy: " & ") {
            #expect(part.hasSuffix(":*"))
            let inner = part.dropLast(2)
            #expect(!inner.isEmpty && inner.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) })
        }
        #expect(!ts.contains("|") && !ts.contains("!") && !ts.contains("("))
    }
}

@Suite("Search text folding of letters without accents to strip")
struct LetterFoldingTests {
    @Test("Dotless i, sharp s and stroked letters fold to ASCII so plain queries find them")
    func folds() {
        #expect(SearchText.tokens("Aydın Straße Łódź Ødegaard") == ["aydin", "strasse", "lodz", "odegaard"])
        #expect(SearchText.queryTerms("aydin") == SearchText.tokens("Aydın"))
    }
}
