import Foundation
import Testing
@testable import App
import Domain

@Suite("Localisation catalogue")
struct LocalizationTests {
    let t: Localizer
    init() throws { t = try Localizer.load(language: "en") }

    /// Every `.swift` file of the App target.
    static func appSources() throws -> [(String, String)] {
        let root = repositoryRoot.appendingPathComponent("Sources/App")
        let enumerator = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        var files: [(String, String)] = []
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            files.append((url.path.replacingOccurrences(of: repositoryRoot.path + "/", with: ""), try String(contentsOf: url, encoding: .utf8)))
        }
        return files
    }

    /// Literal keys passed to `t(…)`, `ctx.t(…)`, `t.count(…)` or (inside `Localizer`) `self(…)`.
    static func literalKeys(in source: String) throws -> (plain: [String], counted: [String]) {
        let regex = try NSRegularExpression(pattern: #"(?<![A-Za-z0-9_])(t|self)(\.count)?\(\s*"((?:[^"\\]|\\.)*)""#)
        var plain: [String] = []
        var counted: [String] = []
        let ns = source as NSString
        for match in regex.matches(in: source, range: NSRange(location: 0, length: ns.length)) {
            let key = ns.substring(with: match.range(at: 3))
            if key.contains("\\(") { continue } // built at run time; checked below
            if match.range(at: 2).location != NSNotFound { counted.append(key) } else { plain.append(key) }
        }
        return (plain, counted)
    }

    @Test("The sources name keys, and every literal key exists in the catalogue")
    func literalKeysExist() throws {
        var plainCount = 0
        var countedCount = 0
        var missing: [String] = []
        for (path, source) in try Self.appSources() {
            let keys = try Self.literalKeys(in: source)
            plainCount += keys.plain.count
            countedCount += keys.counted.count
            for key in keys.plain where !t.has(key) { missing.append("\(path): \(key)") }
            for key in keys.counted {
                for form in ["one", "other"] where !t.has("\(key).\(form)") { missing.append("\(path): \(key).\(form)") }
            }
        }
        #expect(missing.isEmpty, "missing keys: \(missing)")
        // The scan really found the calls (so an empty `missing` means something).
        #expect(plainCount > 150)
        #expect(countedCount >= 8)
    }

    @Test("The scanner recognises the call forms")
    func scannerWorks() throws {
        let sample = #"let a = t("nav.home"); ctx.t("x.y", ["a": b]); t.count("search.count", n); self("error.param.negative", p); t("dyn.\(x)"); format("not.a.key")"#
        let keys = try Self.literalKeys(in: sample)
        #expect(keys.plain == ["nav.home", "x.y", "error.param.negative"])
        #expect(keys.counted == ["search.count"])
    }

    @Test("Keys built at run time exist")
    func dynamicKeys() throws {
        var keys: [String] = []
        keys += VerificationStatus.allCases.map { "credential.status.\($0.rawValue)" }
        keys += CredentialKind.allCases.map { "credential.kind.\($0.rawValue)" }
        keys += ["surgical", "minimally-invasive", "non-invasive"].map { "procedure.type.\($0)" }
        keys += ["clinic", "hospital"].map { "clinic.kind.\($0)" }
        keys += (1...12).map { "month.\($0)" }
        keys += (1...5).map { "rank.rule\($0)" }
        keys += (1...5).map { "verify.check\($0)" }
        let missing = keys.filter { !t.has($0) }
        #expect(missing.isEmpty, "missing: \(missing)")
    }

    @Test("Every procedure type and organisation kind in the demo data has a label")
    func demoVocabulary() throws {
        let types = Set(try demoProcedures().compactMap { $0["procedureType"] as? String })
        for type in types { #expect(t.has("procedure.type.\(type)"), "\(type)") }
        let kinds = Set(try demoProviders().organizations.compactMap { $0["kind"] as? String })
        for kind in kinds { #expect(t.has("clinic.kind.\(kind)"), "\(kind)") }
    }

    @Test("Every refused-parameter message exists, names the parameter and fills its placeholders")
    func parameterMessages() {
        let problems: [ParameterError.Problem] = [.notUTF8, .malformed, .notANumber, .notAWholeNumber, .negative, .outOfRange(min: 1, max: 10_000),
                                                  .tooLong(max: 4_096), .unknownCurrency, .unknownValue, .minAboveMax, .repeated]
        var seen = Set<String>()
        for problem in problems {
            let message = t.message(for: ParameterError("min_price", problem))
            #expect(!message.hasPrefix("error.param."), "\(problem) has no catalogue entry")
            #expect(message.contains("'min_price'"), "\(problem): \(message)")
            #expect(!message.contains("{"), "\(problem): \(message)")
            seen.insert(message)
        }
        #expect(seen.count == problems.count)
        #expect(t.message(for: ParameterError("page", .outOfRange(min: 1, max: 10_000))).contains("between 1 and 10,000"))
        #expect(t.message(for: ParameterError("q", .tooLong(max: 4_096))).contains("4,096"))
    }

    @Test("Every country and language code in the demo providers has a name")
    func countriesAndLanguages() throws {
        let (organizations, practitioners) = try demoProviders()
        var countries = Set<String>()
        for o in organizations {
            for l in o["locations"] as? [[String: Any]] ?? [] { if let c = l["country"] as? String { countries.insert(c.uppercased()) } }
        }
        for p in try demoProcedures() {
            for s in p["priceSamples"] as? [[String: Any]] ?? [] { if let c = s["country"] as? String { countries.insert(c.uppercased()) } }
        }
        #expect(countries.count >= 15)
        for c in countries { #expect(t.has("country.\(c)"), "country.\(c)") }

        var languages = Set<String>()
        for p in practitioners { for l in p["languages"] as? [String] ?? [] { languages.insert(l.lowercased()) } }
        #expect(languages.count >= 15)
        for l in languages { #expect(t.has("language.\(l)"), "language.\(l)") }
    }

    @Test("Plural forms and placeholders")
    func plurals() {
        #expect(t.count("search.count", 1) == "1 provider found")
        #expect(t.count("search.count", 12_500) == "12,500 providers found")
        #expect(t.count("search.count", 0) == "0 providers found")
        #expect(t("pagination.summary", ["page": "2", "count": "3"]) == "Page 2 of 3")
        #expect(t.date(ISODate.parse("2026-11-02")!) == "2 November 2026")
        #expect(t.country("be") == "Belgium")
        #expect(t.country("ZZ") == "ZZ")
        #expect(t.language("FR") == "French")
        #expect(t("no.such.key") == "no.such.key")
    }

    @Test("Every value is non-empty text and every placeholder is a known name")
    func catalogueShape() {
        let allowed: Set<String> = ["count", "codes", "aid", "reference", "link", "recipient", "minutes", "reset", "status", "provider", "n", "version", "path", "signIn", "hours", "date", "name", "author", "reviewer", "page", "amount", "value", "languages", "parameter",
                                    "min", "max", "from", "until", "day", "month", "year", "source",
                                    "total", "rate", "to", "procedures", "since", "previous", "old", "new", "percent", "days", "quote", "field", "currency", "latest",
                                    "appointment", "providerZone", "time", "zone", "title", "waiting", "evidence", "expiring", "outcome", "facts", "email", "role", "reason", "id", "weeks", "width", "height", "alt"]
        let regex = try! NSRegularExpression(pattern: #"\{([A-Za-z]+)\}"#)
        for key in t.keys {
            let value = t(key)
            #expect(!value.trimmingCharacters(in: .whitespaces).isEmpty, "\(key) is empty")
            let ns = value as NSString
            for m in regex.matches(in: value, range: NSRange(location: 0, length: ns.length)) {
                let name = ns.substring(with: m.range(at: 1))
                #expect(allowed.contains(name), "\(key) uses {\(name)}")
            }
        }
    }

    @Test("Placeholders are filled once each: unknown ones stay, values are not searched again, non-ASCII text survives")
    func placeholders() {
        let fill = Localizer.fill
        #expect(fill("{a} and {b}", ["a": "x", "b": "y"]) == "x and y")
        #expect(fill("{a}{a}", ["a": "é"]) == "éé")
        #expect(fill("keep {unknown} and {", ["a": "x"]) == "keep {unknown} and {")
        #expect(fill("{a} / {b}", ["a": "{b}", "b": "z"]) == "{b} / z")
        #expect(fill("Müller {name}, 東京", ["name": "Ayşe"]) == "Müller Ayşe, 東京")
        #expect(t.date(ISODate.parse("2026-10-14")!) == "14 October 2026")
        #expect(t.dateTime(ISODate.parse("2026-10-14")!.addingTimeInterval(9 * 3_600 + 5 * 60)) == "14 October 2026, 09:05 UTC")
    }

    @Test("A text cut around a placeholder, joined with a value, is the text filled with it (every key of the table)")
    func partsJoinAsFilled() throws {
        var placeholders = 0
        for key in t.keys {
            let text = t(key)
            for name in Self.placeholderNames(text) + ["absent"] {
                for value in ["x", "", "{\(name)}", "a & <b>"] {
                    #expect(t.parts(key, around: name).joined(separator: value) == t(key, [name: value]), "\(key) {\(name)}")
                }
                placeholders += 1
            }
        }
        #expect(placeholders > t.keys.count)
        #expect(t.parts("provider.speaks", around: "languages").count == 2)
    }

    static func placeholderNames(_ text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
