import Foundation
import Testing
import Domain

@Suite("Practice profile forms")
struct ProfileFormsTests {
    func input(_ pairs: [String: [String]]) -> FormInput { FormInput(pairs) }
    let eur = CurrencyCode.eur

    @Test("Offer rows read with their price ranges; empty rows are skipped")
    func offers() throws {
        let rows = try OfferTable.read(input(["offer_procedure": ["lip-lift", "", "nanofat"], "offer_location": ["1", "1", "2"],
                                              "offer_min": ["2500", "", ""], "offer_max": ["3500.50", "", ""], "offer_currency": ["EUR", "", ""]]),
                                       procedures: ["lip-lift", "nanofat"], locations: [1, 2], practitioners: nil).get()
        #expect(rows == [OfferRow(procedure: "lip-lift", location: 1, price: PriceRange(min: 2500, max: Decimal(string: "3500.50")!, currency: eur)),
                         OfferRow(procedure: "nanofat", location: 2, price: nil)])
    }

    @Test("Each bad cell is named at its row",
          arguments: [("offer_procedure", "unknown", "offers[0].procedure", FieldProblem.Code.unknownValue),
                      ("offer_location", "9", "offers[0].location", .unknownValue),
                      ("offer_currency", "", "offers[0].currency", .required),
                      ("offer_currency", "XXX", "offers[0].currency", .unknownCurrency),
                      ("offer_min", "abc", "offers[0].min", .notANumber),
                      ("offer_max", "100", "offers[0].max", .minAboveMax),
                      ("offer_practitioner", "7", "offers[0].practitioner", .unknownValue)])
    func offerProblems(name: String, value: String, field: String, code: FieldProblem.Code) {
        var pairs: [String: [String]] = ["offer_procedure": ["lip-lift"], "offer_location": ["1"], "offer_min": ["2500"], "offer_max": ["3500"],
                                         "offer_currency": ["EUR"], "offer_practitioner": [""]]
        pairs[name] = [value]
        #expect(OfferTable.read(input(pairs), procedures: ["lip-lift"], locations: [1], practitioners: [3]).problems == [FieldProblem(field, code)])
    }

    @Test("The same procedure twice at one place is refused at the second row")
    func duplicate() {
        let pairs: [String: [String]] = ["offer_procedure": ["lip-lift", "lip-lift"], "offer_location": ["1", "1"]]
        #expect(OfferTable.read(input(pairs), procedures: ["lip-lift"], locations: [1], practitioners: nil).problems == [FieldProblem("offers[1].procedure", .duplicate)])
    }

    func row(_ p: String, _ lo: Decimal?, _ hi: Decimal?, location: Int = 1) -> OfferRow {
        OfferRow(procedure: p, location: location, price: lo.flatMap { l in hi.flatMap { PriceRange(min: l, max: $0, currency: eur) } })
    }

    @Test("A new procedure, a new price, or a price moved by more than a fifth is a fact patients rely on; smaller moves and removals are not")
    func facts() {
        let before = [row("a", 1000, 2000), row("b", nil, nil)]
        #expect(ProfileFactChange.classify(before: before, after: before).isEmpty)
        #expect(ProfileFactChange.classify(before: before, after: before + [row("c", nil, nil)]) == [.procedures])
        #expect(ProfileFactChange.classify(before: before, after: [row("a", 1000, 2000), row("b", 500, 600)]) == [.prices])
        #expect(ProfileFactChange.classify(before: before, after: [row("a", 1200, 2400), row("b", nil, nil)]).isEmpty)
        #expect(ProfileFactChange.classify(before: before, after: [row("a", 1201, 2000), row("b", nil, nil)]) == [.prices])
        #expect(ProfileFactChange.classify(before: before, after: [row("a", 1000, 1599), row("b", nil, nil)]) == [.prices])
        #expect(ProfileFactChange.classify(before: before, after: [row("a", 1000, 2000)]).isEmpty)
        // The same procedure at another place of the practice is not a new procedure, but its price is new.
        #expect(ProfileFactChange.classify(before: before, after: before + [row("a", 900, 1000, location: 2)]) == [.prices])
    }

    @Test("Opening hours: end after start, no overlap on one day, sorted")
    func hours() throws {
        let ok = try OpeningHours.read(input(["hours_day": ["2", "1"], "hours_start": ["09:00", "14:00"], "hours_end": ["12:00", "18:00"]])).get()
        #expect(ok.map(\.weekday) == [1, 2])
        #expect(OpeningHours.read(input(["hours_day": ["1"], "hours_start": ["12:00"], "hours_end": ["09:00"]])).problems == [FieldProblem("hours[0].end", .endBeforeStart)])
        #expect(OpeningHours.read(input(["hours_day": ["1", "1"], "hours_start": ["09:00", "11:00"], "hours_end": ["12:00", "13:00"]])).problems
                == [FieldProblem("hours[1].start", .overlaps)])
    }

    @Test("About: a bio is required, years are bounded, languages come from the list, techniques are limited")
    func about() throws {
        var pairs: [String: [String]] = ["bio": ["Facial surgery"], "languages": ["nl", "EN"], "practicing_since": ["1998"], "accepting": ["yes"],
                                         "techniques": ["MACS-lift\n\nNanofat grafting"]]
        let a = try PractitionerAbout.read(input(pairs), knownLanguages: ["nl", "en", "fr"], currentYear: 2026).get()
        #expect(a.languages == ["en", "nl"] && a.techniques == ["MACS-lift", "Nanofat grafting"] && a.acceptingNewPatients == true)
        pairs["practicing_since"] = ["2031"]
        pairs["languages"] = ["xx"]
        pairs["accepting"] = ["maybe"]
        #expect(Set(PractitionerAbout.read(input(pairs), knownLanguages: ["nl"], currentYear: 2026).problems)
                == [FieldProblem("practicing_since", .outOfRange(min: 1940, max: 2026)), FieldProblem("languages", .unknownValue), FieldProblem("accepting", .unknownValue)])
        pairs = ["bio": [""], "techniques": [String(repeating: "x\n", count: 13)]]
        #expect(Set(PractitionerAbout.read(input(pairs), knownLanguages: [], currentYear: 2026).problems)
                == [FieldProblem("bio", .required), FieldProblem("techniques", .tooMany(max: 12))])
    }

    @Test("A clinic's website must be a web address")
    func clinic() {
        #expect(ClinicAbout.read(input(["description": ["A clinic"], "website": ["javascript:alert(1)"]])).problems == [FieldProblem("website", .unknownValue)])
        #expect(ClinicAbout.read(input(["description": ["A clinic"], "website": ["https://clinic.example.org"]])).problems.isEmpty)
    }
}

@Suite("Weeks and medians")
struct WeeklyStatsTests {
    @Test("A week starts on Monday 00:00 UTC, whatever the day")
    func weekStart() {
        // 2026-11-25 is a Wednesday; 2026-11-30 a Monday; 2026-11-29 a Sunday.
        #expect(Weeks.start(of: ISODate.parse("2026-11-25")!.addingTimeInterval(13 * 3600)) == ISODate.parse("2026-11-23"))
        #expect(Weeks.start(of: ISODate.parse("2026-11-30")!) == ISODate.parse("2026-11-30"))
        #expect(Weeks.start(of: ISODate.parse("2026-11-29")!.addingTimeInterval(86_399)) == ISODate.parse("2026-11-23"))
        #expect(Weeks.last(3, now: ISODate.parse("2026-11-25")!) == ["2026-11-09", "2026-11-16", "2026-11-23"].map { ISODate.parse($0)! })
    }

    @Test("Median of odd and even counts, none for no values")
    func median() {
        #expect(Median.of([5, 1, 3]) == 3)
        #expect(Median.of([4, 1, 3, 2]) == 2.5)
        #expect(Median.of([]) == nil)
    }
}
