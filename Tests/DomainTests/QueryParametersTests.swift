import Foundation
import Testing
import Domain

@Suite("Query parameters")
struct QueryParametersTests {
    @Test("Decodes percent escapes and '+' as a space")
    func decoding() throws {
        let q = try QueryParameters(raw: "q=S%C3%A3o+Paulo&country=BR&plus=a%2Bb&empty=&flag")
        #expect(try q.single("q") == "São Paulo")
        #expect(try q.single("country") == "BR")
        #expect(try q.single("plus") == "a+b")
        #expect(try q.single("empty") == nil)
        #expect(try q.single("flag") == nil)
        #expect(try q.single("missing") == nil)
        #expect(q.values["empty"] == [""])
    }

    @Test("Names are decoded too")
    func decodedNames() throws {
        let q = try QueryParameters(raw: "min%5Fprice=10&a+b=c")
        #expect(try q.single("min_price") == "10")
        #expect(try q.single("a b") == "c")
    }

    @Test("An absent or empty query has no values")
    func emptyQuery() throws {
        #expect(try QueryParameters(raw: nil).values.isEmpty)
        #expect(try QueryParameters(raw: "").values.isEmpty)
        #expect(try QueryParameters(raw: "&&&").values.isEmpty)
    }

    @Test("Values are trimmed and empty repeats ignored")
    func trimming() throws {
        let q = try QueryParameters(raw: "q=+nanofat+&q=")
        #expect(try q.single("q") == "nanofat")
    }

    @Test("A parameter given twice with values is refused")
    func repeated() throws {
        let q = try QueryParameters(raw: "page=1&page=2")
        #expect(throws: ParameterError("page", .repeated)) { try q.single("page") }
    }

    @Test("Bytes that are not UTF-8 are refused and the parameter is named", arguments: [
        ("q=%FF", "q"), ("q=%FF%FE", "q"), ("country=BE&city=%C3%28", "city"), ("a=1&min_price=%E2%82", "min_price"),
    ])
    func notUTF8(_ raw: String, _ name: String) {
        #expect(throws: ParameterError(name, .notUTF8)) { try QueryParameters(raw: raw) }
    }

    @Test("An undecodable parameter name is reported as 'query'")
    func notUTF8Name() {
        #expect(throws: ParameterError("query", .notUTF8)) { try QueryParameters(raw: "%FF=1") }
    }

    @Test("A raw query over 4096 bytes is refused as a whole, naming its first parameter")
    func tooLong() throws {
        let exactly = "q=" + String(repeating: "a", count: QueryParameters.maxRawLength - 2)
        #expect(exactly.utf8.count == 4096)
        #expect(try QueryParameters(raw: exactly).values["q"]?.first?.count == 4094)
        let over = "q=" + String(repeating: "a", count: 10_240)
        #expect(throws: ParameterError("q", .tooLong(max: 4096))) { try QueryParameters(raw: over) }
        // Multi-byte characters count in bytes, not characters.
        let wide = "q=" + String(repeating: "%C3%A9", count: 700)
        #expect(throws: ParameterError("q", .tooLong(max: 4096))) { try QueryParameters(raw: wide) }
    }

    @Test("Integers within a range")
    func integers() throws {
        let q = try QueryParameters(raw: "a=5&b=0&c=abc&d=1.5&e=1e9&f=-1&g=99999999999999&h=+7")
        #expect(try q.integer("a", in: 1...10) == 5)
        #expect(try q.integer("missing", in: 1...10) == nil)
        #expect(throws: ParameterError("b", .outOfRange(min: 1, max: 10))) { try q.integer("b", in: 1...10) }
        #expect(throws: ParameterError("c", .notANumber)) { try q.integer("c", in: 1...10) }
        #expect(throws: ParameterError("d", .notAWholeNumber)) { try q.integer("d", in: 1...10) }
        #expect(throws: ParameterError("e", .notAWholeNumber)) { try q.integer("e", in: 1...10) }
        #expect(throws: ParameterError("f", .outOfRange(min: 1, max: 10))) { try q.integer("f", in: 1...10) }
        #expect(throws: ParameterError("g", .outOfRange(min: 1, max: 10))) { try q.integer("g", in: 1...10) }
        #expect(try q.integer("h", in: 1...10) == 7)
    }

    @Test("Amounts: non-negative decimals only")
    func amounts() throws {
        let q = try QueryParameters(raw: "a=2500.50&b=-5&c=abc&d=1.2.3&e=%D9%A1%D9%A2&f=200000000000")
        #expect(try q.amount("a") == Decimal(string: "2500.50"))
        #expect(throws: ParameterError("b", .negative)) { try q.amount("b") }
        #expect(throws: ParameterError("c", .notANumber)) { try q.amount("c") }
        #expect(throws: ParameterError("d", .notANumber)) { try q.amount("d") }
        #expect(throws: ParameterError("e", .notANumber)) { try q.amount("e") }
        #expect(throws: ParameterError("f", .outOfRange(min: 0, max: 100_000_000_000))) { try q.amount("f") }
    }

    @Test("Text has a maximum length in characters")
    func text() throws {
        let q = try QueryParameters(raw: "q=abc&long=" + String(repeating: "x", count: 201) + "&accents=" + String(repeating: "%C3%A9", count: 200))
        #expect(try q.text("q", maxLength: 3) == "abc")
        #expect(throws: ParameterError("q", .tooLong(max: 2))) { try q.text("q", maxLength: 2) }
        #expect(throws: ParameterError("long", .tooLong(max: 200))) { try q.text("long", maxLength: 200) }
        #expect(try q.text("accents", maxLength: 200)?.count == 200)
    }

    @Test("Flags", arguments: [("1", true), ("true", true), ("on", true), ("yes", true), ("TRUE", true),
                               ("0", false), ("false", false), ("off", false), ("no", false), ("", false)])
    func flags(_ value: String, _ expected: Bool) throws {
        let q = try QueryParameters(raw: "verified=\(value)")
        #expect(try q.flag("verified") == expected)
    }

    @Test("An unknown flag value is refused")
    func badFlag() throws {
        let q = try QueryParameters(raw: "verified=maybe")
        #expect(throws: ParameterError("verified", .unknownValue)) { try q.flag("verified") }
        #expect(try q.flag("absent") == false)
    }

    // MARK: Paging

    @Test("Paging defaults and offsets")
    func pagingDefaults() throws {
        let p = try Paging(QueryParameters(raw: nil))
        #expect(p == Paging(page: 1, perPage: 20))
        #expect(p.offset == 0)
        let q = try Paging(QueryParameters(raw: "page=3&limit=5"))
        #expect(q.page == 3 && q.perPage == 5 && q.offset == 10)
        let magazine = try Paging(QueryParameters(raw: "page=2"), defaultPerPage: 9)
        #expect(magazine.perPage == 9 && magazine.offset == 9)
    }

    @Test("Page counts")
    func pageCount() {
        #expect(Paging(page: 1, perPage: 9).pageCount(total: 10) == 2)
        #expect(Paging(page: 1, perPage: 9).pageCount(total: 9) == 1)
        #expect(Paging(page: 1, perPage: 9).pageCount(total: 0) == 1)
        #expect(Paging(page: 1, perPage: 5).pageCount(total: 52) == 11)
    }

    @Test("Bad paging values name the parameter", arguments: [
        ("page=0", ParameterError("page", .outOfRange(min: 1, max: 10_000))),
        ("page=-1", ParameterError("page", .outOfRange(min: 1, max: 10_000))),
        ("page=abc", ParameterError("page", .notANumber)),
        ("page=10001", ParameterError("page", .outOfRange(min: 1, max: 10_000))),
        ("page=2.5", ParameterError("page", .notAWholeNumber)),
        ("limit=0", ParameterError("limit", .outOfRange(min: 1, max: 100))),
        ("limit=101", ParameterError("limit", .outOfRange(min: 1, max: 100))),
        ("limit=1000000000", ParameterError("limit", .outOfRange(min: 1, max: 100))),
        ("limit=1e9", ParameterError("limit", .notAWholeNumber)),
        ("limit=ten", ParameterError("limit", .notANumber)),
        ("page=1&page=2", ParameterError("page", .repeated)),
    ])
    func pagingErrors(_ raw: String, _ expected: ParameterError) throws {
        let query = try QueryParameters(raw: raw)
        #expect(throws: expected) { try Paging(query) }
    }
}
