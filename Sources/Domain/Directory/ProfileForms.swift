import Foundation

/// What a practitioner says about the practice: plain facts that go live at once.
public struct PractitionerAbout: Sendable, Equatable {
    public var bio: String
    public var languages: [String]
    public var practicingSince: Int?
    /// `nil` when the practice does not say.
    public var acceptingNewPatients: Bool?
    public var techniques: [String]

    public static let maxBio = 4_000
    public static let maxLanguages = 15
    public static let maxTechniques = 12
    public static let maxTechnique = 120

    public init(bio: String, languages: [String], practicingSince: Int?, acceptingNewPatients: Bool?, techniques: [String]) {
        self.bio = bio
        self.languages = languages
        self.practicingSince = practicingSince
        self.acceptingNewPatients = acceptingNewPatients
        self.techniques = techniques
    }

    /// Reads `bio`, `languages` (codes out of `knownLanguages`), `practicing_since` (a year, not in the future),
    /// `accepting` (`yes`, `no` or empty) and `techniques` (one per line).
    public static func read(_ input: FormInput, knownLanguages: Set<String>, currentYear: Int) -> Result<PractitionerAbout, FormError> {
        var r = FormReader(input)
        let bio = r.text("bio", max: maxBio, required: true)
        let languages = Array(Set(input.all("languages").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })).sorted()
        if languages.count > maxLanguages { r.fail("languages", .tooMany(max: maxLanguages)) }
        else if languages.contains(where: { !knownLanguages.contains($0) }) { r.fail("languages", .unknownValue) }
        let since = r.integer("practicing_since", in: 1940...currentYear)
        var accepting: Bool?
        switch input.text("accepting") {
        case nil: accepting = nil
        case "yes": accepting = true
        case "no": accepting = false
        default: r.fail("accepting", .unknownValue)
        }
        let techniquesText = r.text("techniques", max: maxTechniques * (maxTechnique + 1)) ?? ""
        let techniques = techniquesText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if techniques.count > maxTechniques { r.fail("techniques", .tooMany(max: maxTechniques)) }
        else if techniques.contains(where: { $0.count > maxTechnique }) { r.fail("techniques", .tooLong(max: maxTechnique)) }
        guard r.problems.isEmpty, let bio else { return .failure(FormError(r.problems)) }
        return .success(PractitionerAbout(bio: bio, languages: languages, practicingSince: since, acceptingNewPatients: accepting, techniques: techniques))
    }

    public var formInput: FormInput {
        var input = FormInput()
        input["bio"] = bio
        input.set("languages", languages)
        input["practicing_since"] = practicingSince.map(String.init) ?? ""
        input["accepting"] = acceptingNewPatients.map { $0 ? "yes" : "no" } ?? ""
        input["techniques"] = techniques.joined(separator: "\n")
        return input
    }
}

/// What a clinic says about itself.
public struct ClinicAbout: Sendable, Equatable {
    public var description: String
    public var website: String?

    public init(description: String, website: String?) {
        self.description = description
        self.website = website
    }

    public static func read(_ input: FormInput) -> Result<ClinicAbout, FormError> {
        var r = FormReader(input)
        let description = r.text("description", max: PractitionerAbout.maxBio, required: true)
        let website = r.text("website", max: RegisterLink.maxLength)
        if let website, !RegisterLink.isValid(website) { r.fail("website", .unknownValue) }
        guard r.problems.isEmpty, let description else { return .failure(FormError(r.problems)) }
        return .success(ClinicAbout(description: description, website: website))
    }

    public var formInput: FormInput {
        var input = FormInput()
        input["description"] = description
        input["website"] = website ?? ""
        return input
    }
}

/// One procedure a practice offers at one of its locations, with an optional price range.
public struct OfferRow: Sendable, Equatable, Hashable {
    public var procedure: String
    public var location: Int
    /// Who performs it: one of a clinic's practitioners, or `nil` for the clinic as a whole (or the practice's own
    /// practitioner, filled in by the caller).
    public var practitioner: Int?
    public var price: PriceRange?

    public init(procedure: String, location: Int, practitioner: Int? = nil, price: PriceRange?) {
        self.procedure = procedure
        self.location = location
        self.practitioner = practitioner
        self.price = price
    }

    func same(_ o: OfferRow) -> Bool { procedure == o.procedure && location == o.location && practitioner == o.practitioner }
}

/// The table of procedures and prices (works without JavaScript: rows of `offer_procedure`, `offer_location`,
/// `offer_practitioner` (a clinic's), `offer_min`, `offer_max`, `offer_currency`; an empty procedure skips the
/// row). Problems are named at their row (`offers[2].max`).
public enum OfferTable {
    public static let maxRows = 60

    /// `practitioners` lists whom a clinic may name as performing a procedure; `nil` when the table belongs to one
    /// practitioner (the column is ignored).
    public static func read(_ input: FormInput, procedures: Set<String>, locations: Set<Int>, practitioners: Set<Int>?) -> Result<[OfferRow], FormError> {
        func cell(_ name: String, _ i: Int) -> String {
            let list = input.all(name)
            return i < list.count ? list[i].trimmingCharacters(in: .whitespaces) : ""
        }
        var problems: [FieldProblem] = []
        var rows: [OfferRow] = []
        let count = input.all("offer_procedure").count
        if count > maxRows { return .failure(FormError([FieldProblem("offers", .tooMany(max: maxRows))])) }
        for i in 0..<count {
            let slug = cell("offer_procedure", i)
            if slug.isEmpty { continue }
            let at = "offers[\(i)]"
            guard procedures.contains(slug) else { problems.append(FieldProblem("\(at).procedure", .unknownValue)); continue }
            guard let location = Int(cell("offer_location", i)), locations.contains(location) else {
                problems.append(FieldProblem("\(at).location", .unknownValue)); continue
            }
            var practitioner: Int?
            if let allowed = practitioners, !cell("offer_practitioner", i).isEmpty {
                guard let id = Int(cell("offer_practitioner", i)), allowed.contains(id) else {
                    problems.append(FieldProblem("\(at).practitioner", .unknownValue)); continue
                }
                practitioner = id
            }
            let minText = cell("offer_min", i), maxText = cell("offer_max", i), code = cell("offer_currency", i)
            var price: PriceRange?
            if !minText.isEmpty || !maxText.isEmpty {
                guard let currency = CurrencyCode(code) else { problems.append(FieldProblem("\(at).currency", code.isEmpty ? .required : .unknownCurrency)); continue }
                guard let lo = Money.parseAmount(minText.isEmpty ? maxText : minText), lo > 0, lo < 10_000_000 else {
                    problems.append(FieldProblem("\(at).min", .notANumber)); continue
                }
                guard let hi = Money.parseAmount(maxText.isEmpty ? minText : maxText), hi < 10_000_000 else {
                    problems.append(FieldProblem("\(at).max", .notANumber)); continue
                }
                guard let range = PriceRange(min: lo, max: hi, currency: currency) else { problems.append(FieldProblem("\(at).max", .minAboveMax)); continue }
                price = range
            }
            let row = OfferRow(procedure: slug, location: location, practitioner: practitioner, price: price)
            if rows.contains(where: { $0.same(row) }) {
                problems.append(FieldProblem("\(at).procedure", .duplicate)); continue
            }
            rows.append(row)
        }
        return problems.isEmpty ? .success(rows) : .failure(FormError(problems))
    }

    public static func formInput(_ rows: [OfferRow]) -> FormInput {
        var input = FormInput()
        input.set("offer_procedure", rows.map(\.procedure))
        input.set("offer_location", rows.map { "\($0.location)" })
        input.set("offer_practitioner", rows.map { $0.practitioner.map(String.init) ?? "" })
        input.set("offer_min", rows.map { $0.price.map { "\($0.min)" } ?? "" })
        input.set("offer_max", rows.map { $0.price.map { "\($0.max)" } ?? "" })
        input.set("offer_currency", rows.map { $0.price?.currency.code ?? "" })
        return input
    }
}

/// A location's weekly opening hours (rows of `hours_day`, `hours_start`, `hours_end`); hours of one day may
/// not overlap.
public enum OpeningHours {
    public static let maxRows = 28

    public static func read(_ input: FormInput) -> Result<[WeeklyHours], FormError> {
        func cell(_ name: String, _ i: Int) -> String {
            let list = input.all(name)
            return i < list.count ? list[i].trimmingCharacters(in: .whitespaces) : ""
        }
        var problems: [FieldProblem] = []
        var hours: [WeeklyHours] = []
        let count = max(input.all("hours_start").count, input.all("hours_end").count)
        if count > maxRows { return .failure(FormError([FieldProblem("hours", .tooMany(max: maxRows))])) }
        for i in 0..<count {
            let start = cell("hours_start", i), end = cell("hours_end", i)
            if start.isEmpty && end.isEmpty { continue }
            let at = "hours[\(i)]"
            guard let day = Int(cell("hours_day", i)), (1...7).contains(day) else { problems.append(FieldProblem("\(at).weekday", .unknownValue)); continue }
            guard let s = LocalTime(start) else { problems.append(FieldProblem("\(at).start", start.isEmpty ? .required : .unknownValue)); continue }
            guard let e = LocalTime(end) else { problems.append(FieldProblem("\(at).end", end.isEmpty ? .required : .unknownValue)); continue }
            guard s < e else { problems.append(FieldProblem("\(at).end", .endBeforeStart)); continue }
            let row = WeeklyHours(weekday: day, start: s, end: e)
            if hours.contains(where: { $0.weekday == day && $0.start < e && s < $0.end }) { problems.append(FieldProblem("\(at).start", .overlaps)); continue }
            hours.append(row)
        }
        return problems.isEmpty ? .success(hours.sorted { ($0.weekday, $0.start) < ($1.weekday, $1.start) }) : .failure(FormError(problems))
    }

    public static func formInput(_ hours: [WeeklyHours]) -> FormInput {
        var input = FormInput()
        input.set("hours_day", hours.map { "\($0.weekday)" })
        input.set("hours_start", hours.map(\.start.description))
        input.set("hours_end", hours.map(\.end.description))
        return input
    }
}

/// A new place where the practice receives patients.
public struct NewLocation: Sendable, Equatable {
    public var name: String
    public var street: String
    public var city: String
    public var postalCode: String?
    public var country: String

    public static func read(_ input: FormInput, knownCountries: Set<String>) -> Result<NewLocation, FormError> {
        var r = FormReader(input)
        let name = r.text("location_name", max: 160, required: true)
        let street = r.text("location_street", max: 200, required: true)
        let city = r.text("location_city", max: 120, required: true)
        let postal = r.text("location_postal_code", max: 20)
        let country = input.text("location_country")?.uppercased()
        if country == nil { r.fail("location_country", .required) } else if let country, !knownCountries.contains(country) { r.fail("location_country", .unknownValue) }
        guard r.problems.isEmpty, let name, let street, let city, let country else { return .failure(FormError(r.problems)) }
        return .success(NewLocation(name: name, street: street, city: city, postalCode: postal, country: country))
    }
}

/// Facts a patient relies on, shown with "updated on …" when they change.
public enum ProfileFact: String, Sendable, CaseIterable, Codable {
    case procedures, prices, locations
}

public enum ProfileFactChange {
    /// A price range moved by more than this share of its previous bound (in the offer's own currency).
    public static let priceShare: Decimal = 0.2

    /// The facts that changed between two offer tables: a procedure offered that was not before, a price range
    /// added or moved by more than `priceShare` at either bound (or a currency changed).
    public static func classify(before: [OfferRow], after: [OfferRow]) -> Set<ProfileFact> {
        var facts: Set<ProfileFact> = []
        let oldProcedures = Set(before.map(\.procedure))
        if after.contains(where: { !oldProcedures.contains($0.procedure) }) { facts.insert(.procedures) }
        for row in after {
            guard let old = before.first(where: { $0.same(row) }) else {
                if row.price != nil { facts.insert(.prices) }
                continue
            }
            switch (old.price, row.price) {
            case (nil, .some): facts.insert(.prices)
            case let (a?, b?):
                if a.currency != b.currency || moved(a.min, b.min) || moved(a.max, b.max) { facts.insert(.prices) }
            default: break
            }
        }
        return facts
    }

    static func moved(_ old: Decimal, _ new: Decimal) -> Bool {
        guard old > 0 else { return new != old }
        let change = (new - old) / old
        return change > priceShare || change < -priceShare
    }
}
