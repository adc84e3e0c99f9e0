import Foundation
import Testing
import Domain

@Suite("Guide fields")
struct GuideFieldsTests {
    static var complete: [String: [String]] {
        var d: [String: [String]] = ["name": ["Microfat lip grafting"], "category": ["plastic-surgery"], "procedure_type": ["surgical"],
                                     "body_location": ["Lips"], "summary": ["Your own fat, moved to the lips."], "results_onset": ["At once, settling over months"],
                                     "results_duration": ["Years for fat that takes hold"], "followup": ["Photos after a week"], "duration_minutes": ["75"],
                                     "stay_days": ["5"], "price_country": ["be", "TR", ""], "price_min": ["2500", "1500", ""], "price_max": ["4500", "3000", ""],
                                     "price_currency": ["EUR", "EUR", ""]]
        for f in GuideFields.sectionFields { d[f] = ["Text of \(f)."] }
        return d
    }

    @Test("A complete guide reads with its slug made from the name and its price rows")
    func reads() throws {
        let g = try GuideFields.read(FormInput(Self.complete), categories: ["plastic-surgery"], countries: ["BE", "TR"]).get()
        #expect(g.slug == "microfat-lip-grafting")
        #expect(g.prices == [.init(country: "BE", min: 2500, max: 4500, currency: "EUR"), .init(country: "TR", min: 1500, max: 3000, currency: "EUR")])
        // Its form gives the same fields back.
        #expect(try GuideFields.read(g.formInput, categories: ["plastic-surgery"], countries: ["BE", "TR"]).get() == g)
    }

    @Test("Every section is required, and every bad price cell is named at its row")
    func problems() {
        var d = Self.complete
        d["risks"] = [""]
        d["price_currency"] = ["XYZ", "EUR", ""]
        d["price_max"] = ["4500", "1000", ""]
        d["stay_days"] = ["400"]
        let problems = Set(GuideFields.read(FormInput(d), categories: ["plastic-surgery"], countries: ["BE", "TR"]).problems)
        #expect(problems == [FieldProblem("risks", .required), FieldProblem("prices[0].currency", .unknownCurrency),
                             FieldProblem("prices[1].max", .minAboveMax), FieldProblem("stay_days", .outOfRange(min: 0, max: 90))])
    }

    @Test("Changing a section is clinical; changing prices or the summary is not")
    func clinical() throws {
        let g = try GuideFields.read(FormInput(Self.complete), categories: ["plastic-surgery"], countries: ["BE", "TR"]).get()
        var h = g
        h.prices[0].max = 5000
        h.summary = "Your own fat, moved gently to the lips."
        #expect(!EditClassifier.isSubstantive(old: g.comparable, new: h.comparable, clinicalFields: GuideFields.clinicalFields))
        h.risks = "Text of risks, and a new risk: infection."
        #expect(EditClassifier.isSubstantive(old: g.comparable, new: h.comparable, clinicalFields: GuideFields.clinicalFields))
    }
}
