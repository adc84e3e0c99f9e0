import Foundation
import Testing
@testable import Domain

@Suite("Consultation request")
struct ConsultationRequestTests {
    // MARK: Fixtures

    /// A fixed "today" (start of the day, UTC) so travel dates do not age.
    private static let today = ISODate.parse("2026-11-25")!
    private static let procedures: Set<String> = [
        "microfat-lip-grafting", "rhinoplasty", "blepharoplasty", "facelift", "otoplasty", "brow-lift", "chin-implant",
    ]
    private static let languages: Set<String> = ["en", "de", "fr", "tr"]

    /// Every field of every step filled with a valid answer.
    private static func validInput() -> FormInput {
        var input = FormInput([
            "concerns": ["Thin upper lip since childhood."],
            "goals": ["A natural, fuller upper lip."],
            "conditions": ["None known"],
            "medications": ["Vitamin D"],
            "blood_thinners": ["no"],
            "allergies": ["Penicillin"],
            "smoking": ["never"],
            "pregnancy": ["no"],
            "earlier_treatment": ["None"],
            "fillers": ["none"],
            "earlier_surgery": ["Appendectomy, 2015"],
            "height_cm": ["168"],
            "weight_kg": ["61"],
            "travel_from": ["2027-03-01"],
            "travel_to": ["2027-03-10"],
            "companions": ["1"],
            "budget_min": ["1500"],
            "budget_max": ["3000"],
            "budget_currency": ["EUR"],
            "contact_channel": ["email"],
            "language": ["en"],
            "time_zone": ["Europe/London"],
            "prepared_with": ["aid:lips:v1"],
        ])
        input.set("procedures", ["microfat-lip-grafting"])
        return input
    }

    private static func read(_ input: FormInput, through step: ConsultationStep = .review) -> Result<ConsultationRequest, FormError> {
        ConsultationRequest.read(input, through: step, procedures: procedures, languages: languages, today: today)
    }

    /// The problems reported for a form, empty when it was accepted.
    private static func problems(_ input: FormInput, through step: ConsultationStep = .review) -> [FieldProblem] {
        switch read(input, through: step) {
        case .success: return []
        case .failure(let error): return error.problems
        }
    }

    /// The valid form with one field changed (`nil` removes it).
    private static func valid(with name: String, _ value: String?) -> FormInput {
        var input = validInput()
        input[name] = value
        return input
    }

    private static func problems(with name: String, _ value: String?) -> [FieldProblem] {
        problems(valid(with: name, value))
    }

    // MARK: A complete request

    @Test("A complete, valid form is accepted and every field is mapped")
    func completeForm() throws {
        let request = try Self.read(Self.validInput()).get()
        #expect(request.procedures == ["microfat-lip-grafting"])
        #expect(request.concerns == "Thin upper lip since childhood.")
        #expect(request.goals == "A natural, fuller upper lip.")
        #expect(request.conditions == "None known")
        #expect(request.medications == "Vitamin D")
        #expect(request.bloodThinners == .no)
        #expect(request.allergies == "Penicillin")
        #expect(request.smoking == .never)
        #expect(request.pregnancy == .no)
        #expect(request.earlierTreatment == "None")
        #expect(request.fillers == ConsultationRequest.FillerHistory.none)
        #expect(request.earlierSurgery == "Appendectomy, 2015")
        #expect(request.heightCm == 168)
        #expect(request.weightKg == 61)
        #expect(request.travelFrom == "2027-03-01")
        #expect(request.travelTo == "2027-03-10")
        #expect(request.companions == 1)
        #expect(request.budgetMin == "1500")
        #expect(request.budgetMax == "3000")
        #expect(request.budgetCurrency == "EUR")
        #expect(request.contactChannel == .email)
        #expect(request.phone == nil)
        #expect(request.language == "en")
        #expect(request.timeZone == "Europe/London")
        #expect(request.preparedWith == "aid:lips:v1")
    }

    @Test("Other valid choices map to their values; text is trimmed and currencies uppercased")
    func otherChoices() throws {
        var input = Self.validInput()
        input.set("procedures", [" rhinoplasty ", "microfat-lip-grafting", ""])
        input["concerns"] = "  Line one\r\nLine two  \n"
        input["blood_thinners"] = "unsure"
        input["smoking"] = "former"
        input["pregnancy"] = "not-applicable"
        input["fillers"] = "hyaluronic"
        input["budget_currency"] = "try"
        input["budget_min"] = "2500.50"
        input["budget_max"] = " 4000 "
        input["contact_channel"] = "whatsapp"
        input["phone"] = "+44 (0)20 7946-0958"
        input["travel_from"] = "2026-11-25"
        input["travel_to"] = "2026-11-25"
        input["companions"] = nil
        input["goals"] = "   "
        input["height_cm"] = nil
        input["weight_kg"] = nil
        input["prepared_with"] = nil
        let request = try Self.read(input).get()
        #expect(request.procedures == ["rhinoplasty", "microfat-lip-grafting"])
        #expect(request.concerns == "Line one\nLine two")
        #expect(request.goals == nil)
        #expect(request.bloodThinners == .unsure)
        #expect(request.smoking == .former)
        #expect(request.pregnancy == .notApplicable)
        #expect(request.fillers == .hyaluronic)
        #expect(request.budgetCurrency == "TRY")
        #expect(request.budgetMin == "2500.5")
        #expect(request.budgetMax == "4000")
        #expect(request.contactChannel == .whatsapp)
        #expect(request.phone == "+44 (0)20 7946-0958")
        #expect(request.travelFrom == "2026-11-25")
        #expect(request.travelTo == "2026-11-25")
        #expect(request.companions == 0)
        #expect(request.heightCm == nil)
        #expect(request.weightKg == nil)
        #expect(request.preparedWith == nil)
    }

    @Test("Optional travel and budget fields may be left empty; currency then defaults to EUR")
    func optionalTravelFields() throws {
        var input = Self.validInput()
        for name in ["travel_from", "travel_to", "companions", "budget_min", "budget_max", "budget_currency"] { input[name] = nil }
        let request = try Self.read(input).get()
        #expect(request.travelFrom == nil)
        #expect(request.travelTo == nil)
        #expect(request.budgetMin == nil)
        #expect(request.budgetMax == nil)
        #expect(request.budgetCurrency == "EUR")
    }

    // MARK: Step by step

    @Test("Reading through the treatment step ignores the health and travel answers")
    func throughTreatment() throws {
        let input = FormInput(["procedures": ["microfat-lip-grafting"], "concerns": ["Thin lips"]])
        let request = try Self.read(input, through: .treatment).get()
        #expect(request.procedures == ["microfat-lip-grafting"])
        #expect(request.concerns == "Thin lips")
        // Defaults, not answers.
        #expect(request.bloodThinners == .no)
        #expect(request.smoking == .never)
        #expect(request.pregnancy == .notApplicable)
        #expect(request.fillers == ConsultationRequest.FillerHistory.none)
        #expect(request.heightCm == nil)
        #expect(request.language == "en")
        #expect(request.timeZone == "UTC")

        // Even wrong answers on later steps are not read yet.
        var wrongLater = input
        wrongLater["smoking"] = "sometimes"
        wrongLater["height_cm"] = "9"
        wrongLater["time_zone"] = "Mars/Base"
        #expect(Self.problems(wrongLater, through: .treatment) == [])
    }

    @Test("Reading through the health step requires the four health choices, and nothing from travel")
    func throughHealth() throws {
        let input = FormInput(["procedures": ["microfat-lip-grafting"], "concerns": ["Thin lips"]])
        #expect(Self.problems(input, through: .health) == [
            FieldProblem("blood_thinners", .required),
            FieldProblem("smoking", .required),
            FieldProblem("pregnancy", .required),
            FieldProblem("fillers", .required),
        ])

        var answered = input
        answered["blood_thinners"] = "yes"
        answered["smoking"] = "current"
        answered["pregnancy"] = "breastfeeding"
        answered["fillers"] = "permanent"
        let request = try Self.read(answered, through: .health).get()
        #expect(request.bloodThinners == .yes)
        #expect(request.smoking == .current)
        #expect(request.pregnancy == .breastfeeding)
        #expect(request.fillers == .permanent)
        #expect(request.language == "en")
        #expect(request.timeZone == "UTC")
        #expect(request.travelFrom == nil)
    }

    @Test("Reading through the travel step requires contact channel, language and time zone")
    func throughTravel() {
        var input = Self.validInput()
        for name in ["contact_channel", "language", "time_zone"] { input[name] = nil }
        #expect(Self.problems(input, through: .travel) == [
            FieldProblem("contact_channel", .required),
            FieldProblem("language", .required),
            FieldProblem("time_zone", .required),
        ])
        #expect(Self.problems(input, through: .health) == [])
    }

    @Test("Steps are ordered and know their neighbours")
    func stepOrder() {
        #expect(ConsultationStep.allCases == [.treatment, .health, .travel, .review])
        #expect(ConsultationStep.treatment < .health && ConsultationStep.travel < .review)
        #expect(ConsultationStep.treatment.next == .health)
        #expect(ConsultationStep.review.next == nil)
        #expect(ConsultationStep.treatment.previous == nil)
        #expect(ConsultationStep.review.previous == .travel)
    }

    // MARK: Treatment refusals

    @Test("A request needs a procedure")
    func noProcedure() {
        var input = Self.validInput()
        input.set("procedures", [])
        #expect(Self.problems(input) == [FieldProblem("procedures", .required)])
        input.set("procedures", ["", "   "])
        #expect(Self.problems(input) == [FieldProblem("procedures", .required)])
    }

    @Test("At most six procedures")
    func tooManyProcedures() throws {
        var input = Self.validInput()
        let seven = Self.procedures.sorted()
        #expect(seven.count == 7)
        input.set("procedures", seven)
        #expect(Self.problems(input) == [FieldProblem("procedures", .tooMany(max: 6))])
        input.set("procedures", Array(seven.prefix(6)))
        #expect(try Self.read(input).get().procedures == Array(seven.prefix(6)))
    }

    @Test("Unknown procedures are refused")
    func unknownProcedure() {
        var input = Self.validInput()
        input.set("procedures", ["microfat-lip-grafting", "brain-transplant"])
        #expect(Self.problems(input) == [FieldProblem("procedures", .unknownValue)])
        input.set("procedures", ["Microfat-Lip-Grafting"])
        #expect(Self.problems(input) == [FieldProblem("procedures", .unknownValue)])
    }

    @Test("Duplicate procedures are kept once, in the order first chosen, before counting")
    func duplicateProcedures() throws {
        var input = Self.validInput()
        input.set("procedures", ["rhinoplasty", "microfat-lip-grafting", " rhinoplasty", "rhinoplasty ", "microfat-lip-grafting"])
        #expect(try Self.read(input).get().procedures == ["rhinoplasty", "microfat-lip-grafting"])
        // Seven entries but six distinct: allowed.
        let six = Array(Self.procedures.sorted().prefix(6))
        input.set("procedures", six + [six[0]])
        #expect(try Self.read(input).get().procedures == six)
    }

    @Test("Concerns are required and at most 4,000 characters")
    func concernsLength() throws {
        #expect(Self.problems(with: "concerns", nil) == [FieldProblem("concerns", .required)])
        #expect(Self.problems(with: "concerns", " \n ") == [FieldProblem("concerns", .required)])
        #expect(Self.problems(with: "concerns", String(repeating: "a", count: 4_001)) == [FieldProblem("concerns", .tooLong(max: 4_000))])
        let exactly = String(repeating: "a", count: 4_000)
        #expect(try Self.read(Self.valid(with: "concerns", exactly)).get().concerns == exactly)
    }

    @Test("Other text fields have their own limits", arguments: [
        ("goals", 4_000), ("prepared_with", 4_000), ("conditions", 2_000), ("medications", 2_000), ("allergies", 2_000),
        ("earlier_treatment", 2_000), ("earlier_surgery", 2_000),
    ])
    func textLimits(_ field: String, _ max: Int) throws {
        #expect(Self.problems(with: field, String(repeating: "x", count: max + 1)) == [FieldProblem(field, .tooLong(max: max))])
        #expect(Self.problems(with: field, String(repeating: "x", count: max)) == [])
    }

    @Test("Control characters in text are refused; line breaks and tabs are kept", arguments: [
        "Bad\u{07}bell", "Null\u{00}byte", "Esc\u{1B}[31m", "Back\u{08}space", "Form\u{0C}feed",
    ])
    func controlCharacters(_ text: String) {
        #expect(Self.problems(with: "concerns", text) == [FieldProblem("concerns", .unknownValue)])
        #expect(Self.problems(with: "medications", text) == [FieldProblem("medications", .unknownValue)])
    }

    @Test("Line breaks and tabs inside text are allowed")
    func lineBreaksAllowed() throws {
        let request = try Self.read(Self.valid(with: "concerns", "One\n\tTwo\r\nThree")).get()
        #expect(request.concerns == "One\n\tTwo\nThree")
    }

    // MARK: Health refusals

    @Test("Height must be between 100 and 250 cm", arguments: ["99", "251", "0", "-170"])
    func heightRange(_ text: String) {
        #expect(Self.problems(with: "height_cm", text) == [FieldProblem("height_cm", .outOfRange(min: 100, max: 250))])
    }

    @Test("Height bounds are accepted")
    func heightBounds() throws {
        #expect(try Self.read(Self.valid(with: "height_cm", "100")).get().heightCm == 100)
        #expect(try Self.read(Self.valid(with: "height_cm", "250")).get().heightCm == 250)
    }

    @Test("Weight must be a whole number between 30 and 300 kg")
    func weight() {
        for text in ["abc", "61.5", "60kg", "1e2", "9999999999999"] {
            #expect(Self.problems(with: "weight_kg", text) == [FieldProblem("weight_kg", .notANumber)], "\(text)")
        }
        #expect(Self.problems(with: "weight_kg", "29") == [FieldProblem("weight_kg", .outOfRange(min: 30, max: 300))])
        #expect(Self.problems(with: "weight_kg", "301") == [FieldProblem("weight_kg", .outOfRange(min: 30, max: 300))])
    }

    @Test("Health choices must be one of the offered values", arguments: ["blood_thinners", "smoking", "pregnancy", "fillers"])
    func unknownHealthChoice(_ field: String) {
        #expect(Self.problems(with: field, "maybe") == [FieldProblem(field, .unknownValue)])
        #expect(Self.problems(with: field, nil) == [FieldProblem(field, .required)])
    }

    // MARK: Travel refusals

    @Test("Travel cannot start in the past")
    func travelInPast() {
        #expect(Self.problems(with: "travel_from", "2026-11-24") == [FieldProblem("travel_from", .dateInPast)])
        var input = Self.validInput()
        input["travel_from"] = "2020-01-01"
        input["travel_to"] = "2020-01-05"
        #expect(Self.problems(input) == [FieldProblem("travel_from", .dateInPast)])
    }

    @Test("A travel window that ends in the past is refused even without a start date")
    func travelEndInPast() {
        var input = Self.validInput()
        input["travel_from"] = nil
        input["travel_to"] = "2020-01-05"
        #expect(Self.problems(input) == [FieldProblem("travel_to", .dateInPast)])
    }

    @Test("Travel cannot end before it starts")
    func travelEndBeforeStart() {
        var input = Self.validInput()
        input["travel_from"] = "2027-03-10"
        input["travel_to"] = "2027-03-09"
        #expect(Self.problems(input) == [FieldProblem("travel_to", .endBeforeStart)])
    }

    @Test("Travel dates may reach at most 730 days ahead")
    func travelTooFarAhead() throws {
        let latest = "2028-11-24"
        #expect(ISODate.format(Self.today.addingTimeInterval(730 * 86_400)) == latest)
        var input = Self.validInput()
        input["travel_from"] = latest
        input["travel_to"] = latest
        #expect(try Self.read(input).get().travelTo == latest)

        input["travel_to"] = "2028-11-25"
        #expect(Self.problems(input) == [FieldProblem("travel_to", .outOfRange(min: 0, max: 730))])
        input["travel_from"] = "2028-11-25"
        #expect(Self.problems(input) == [
            FieldProblem("travel_from", .outOfRange(min: 0, max: 730)),
            FieldProblem("travel_to", .outOfRange(min: 0, max: 730)),
        ])
    }

    @Test("Malformed travel dates are refused", arguments: ["next week", "2027-02-30", "2027-13-01", "01/03/2027", "2027-03"])
    func malformedDate(_ text: String) {
        #expect(Self.problems(with: "travel_from", text) == [FieldProblem("travel_from", .invalidDate)])
        #expect(Self.problems(with: "travel_to", text) == [FieldProblem("travel_to", .invalidDate)])
    }

    @Test("Companions are between 0 and 6")
    func companions() {
        #expect(Self.problems(with: "companions", "7") == [FieldProblem("companions", .outOfRange(min: 0, max: 6))])
        #expect(Self.problems(with: "companions", "two") == [FieldProblem("companions", .notANumber)])
    }

    // MARK: Budget refusals

    @Test("The budget minimum cannot be above the maximum")
    func budgetMinAboveMax() throws {
        var input = Self.validInput()
        input["budget_min"] = "5000"
        input["budget_max"] = "3000"
        #expect(Self.problems(input) == [FieldProblem("budget_max", .minAboveMax)])
        input["budget_min"] = "3000"
        let request = try Self.read(input).get()
        #expect(request.budgetMin == "3000" && request.budgetMax == "3000")
    }

    @Test("Budget amounts must be non-negative numbers up to ten million", arguments: ["-1", "-0.01", "abc", "1,000", "10000001", "1.2.3"])
    func badBudget(_ text: String) {
        // One bound at a time, so the other cannot also trip the min-above-max check.
        var minOnly = Self.valid(with: "budget_max", nil)
        minOnly["budget_min"] = text
        #expect(Self.problems(minOnly) == [FieldProblem("budget_min", .notANumber)])
        var maxOnly = Self.valid(with: "budget_min", nil)
        maxOnly["budget_max"] = text
        #expect(Self.problems(maxOnly) == [FieldProblem("budget_max", .notANumber)])
    }

    @Test("Unknown currencies are refused", arguments: ["XYZ", "EURO", "€", "BTC"])
    func unknownCurrency(_ text: String) {
        #expect(Self.problems(with: "budget_currency", text) == [FieldProblem("budget_currency", .unknownCurrency)])
    }

    // MARK: Contact refusals

    @Test("Phone and WhatsApp contact need a phone number", arguments: ["phone", "whatsapp"])
    func phoneRequired(_ channel: String) throws {
        var input = Self.validInput()
        input["contact_channel"] = channel
        #expect(Self.problems(input) == [FieldProblem("phone", .required)])
        input["phone"] = "+49 30 1234567"
        #expect(try Self.read(input).get().phone == "+49 30 1234567")
    }

    @Test("Email and video contact do not need a phone number", arguments: ["email", "video"])
    func phoneOptional(_ channel: String) throws {
        let request = try Self.read(Self.valid(with: "contact_channel", channel)).get()
        #expect(request.contactChannel.rawValue == channel)
        #expect(request.phone == nil)
    }

    @Test("A phone number with letters is refused", arguments: ["+44 20 CALL ME", "0800-FLOWERS", "12345x6789"])
    func phoneWithLetters(_ phone: String) {
        var input = Self.validInput()
        input["phone"] = phone
        #expect(Self.problems(input) == [FieldProblem("phone", .invalidPhone)])
        input["contact_channel"] = "phone"
        #expect(Self.problems(input) == [FieldProblem("phone", .invalidPhone)])
    }

    @Test("A phone number that is too long is reported as too long, not also as missing")
    func phoneTooLong() {
        var input = Self.validInput()
        input["contact_channel"] = "phone"
        input["phone"] = "+44 20 7946 0958 0000 0000 0000 00"  // 34 characters
        #expect(Self.problems(input).filter { $0.field == "phone" } == [FieldProblem("phone", .tooLong(max: 32))])
    }

    @Test("Contact channel must be one of the offered values")
    func unknownChannel() {
        #expect(Self.problems(with: "contact_channel", "carrier-pigeon") == [FieldProblem("contact_channel", .unknownValue)])
    }

    @Test("Unknown languages are refused", arguments: ["xx", "EN", "english", "en-GB"])
    func unknownLanguage(_ code: String) {
        #expect(Self.problems(with: "language", code) == [FieldProblem("language", .unknownValue)])
    }

    @Test("Time zones must be IANA identifiers", arguments: ["Mars/Base", "Europe/Londres", "Not a zone", String(repeating: "A", count: 65)])
    func invalidTimeZone(_ zone: String) {
        #expect(Self.problems(with: "time_zone", zone) == [FieldProblem("time_zone", .invalidTimeZone)])
    }

    @Test("Real time zones are accepted", arguments: ["Europe/Istanbul", "America/New_York", "Asia/Seoul", "UTC"])
    func validTimeZone(_ zone: String) throws {
        #expect(try Self.read(Self.valid(with: "time_zone", zone)).get().timeZone == zone)
    }

    // MARK: Several problems

    @Test("Every problem in a form is reported at once")
    func severalProblems() throws {
        var input = Self.validInput()
        input.set("procedures", [])
        input["concerns"] = nil
        input["smoking"] = "sometimes"
        input["height_cm"] = "99"
        input["weight_kg"] = "abc"
        input["travel_from"] = "2026-11-01"
        input["travel_to"] = "2026-10-01"
        input["budget_min"] = "-5"
        input["budget_currency"] = "XYZ"
        input["contact_channel"] = "phone"
        input["language"] = "xx"
        input["time_zone"] = "Mars/Base"
        let result = Self.read(input)
        guard case .failure(let error) = result else {
            Issue.record("expected a refusal, got \(result)")
            return
        }
        #expect(error.problems == [
            FieldProblem("procedures", .required),
            FieldProblem("concerns", .required),
            FieldProblem("smoking", .unknownValue),
            FieldProblem("height_cm", .outOfRange(min: 100, max: 250)),
            FieldProblem("weight_kg", .notANumber),
            FieldProblem("travel_from", .dateInPast),
            FieldProblem("travel_to", .endBeforeStart),
            FieldProblem("budget_currency", .unknownCurrency),
            FieldProblem("budget_min", .notANumber),
            FieldProblem("phone", .required),
            FieldProblem("language", .unknownValue),
            FieldProblem("time_zone", .invalidTimeZone),
        ])
        #expect(error.fields == ["procedures", "concerns", "smoking", "height_cm", "weight_kg", "travel_from", "travel_to",
                                 "budget_currency", "budget_min", "phone", "language", "time_zone"])
        #expect(error.problems(for: "phone") == [FieldProblem("phone", .required)])
        #expect(error.problems(for: "goals") == [])
    }

    // MARK: Steps of fields

    @Test("Each field belongs to the step that shows it", arguments: [
        ("procedures", ConsultationStep.treatment), ("concerns", .treatment), ("goals", .treatment),
        ("conditions", .health), ("medications", .health), ("blood_thinners", .health), ("allergies", .health),
        ("smoking", .health), ("pregnancy", .health), ("earlier_treatment", .health), ("fillers", .health),
        ("earlier_surgery", .health), ("height_cm", .health), ("weight_kg", .health),
        ("travel_from", .travel), ("travel_to", .travel), ("companions", .travel), ("budget_min", .travel),
        ("budget_max", .travel), ("budget_currency", .travel), ("contact_channel", .travel), ("phone", .travel),
        ("language", .travel), ("time_zone", .travel),
        ("consent_health", .review), ("consent_share", .review), ("terms", .review), ("name", .review),
        ("email", .review), ("password", .review), ("photos", .review),
        ("no_such_field", .review), ("prepared_with", .treatment),
    ])
    func stepOfField(_ field: String, _ step: ConsultationStep) {
        #expect(ConsultationStep.of(field: field) == step)
    }

    @Test("Every field the reader can complain about is shown on some step")
    func everyCheckedFieldHasAStep() {
        let shown = Set(ConsultationStep.allCases.flatMap(\.fields))
        #expect(shown.count == ConsultationStep.allCases.map(\.fields.count).reduce(0, +), "a field is listed on two steps")
        for field in ["procedures", "concerns", "blood_thinners", "height_cm", "travel_from", "budget_max", "phone", "time_zone"] {
            #expect(shown.contains(field), "\(field)")
        }
    }

    // MARK: Phone numbers

    @Test("Phone numbers: plus, digits, spaces, dots, dashes and brackets; 6 to 20 digits", arguments: [
        ("+44 20 7946 0958", true), ("(030) 123-4567", true), ("+90.212.555.0101", true), ("123456", true),
        ("12345", false), ("+1 2 3 4 5", false), (String(repeating: "1", count: 20), true),
        (String(repeating: "1", count: 21), false), ("", false), ("+44 20 7946 O958", false), ("tel:+4420794600", false),
        ("+44/20/79460958", false), ("٠١٢٣٤٥٦٧", false), ("１２３４５６７", false), ("+44 20 7946 0958 ext 2", false),
    ])
    func phoneNumbers(_ text: String, _ valid: Bool) {
        #expect(ConsultationRequest.isPhoneNumber(text) == valid)
    }

    // MARK: Email addresses

    @Test("Email addresses are trimmed and lowercased")
    func emailNormalised() {
        #expect(EmailAddress.normalise("  Jane.Doe@Example.COM \n") == "jane.doe@example.com")
        #expect(EmailAddress.normalise("a@b.co") == "a@b.co")
        #expect(EmailAddress.normalise("first+tag@mail.example.org") == "first+tag@mail.example.org")
    }

    @Test("Addresses we cannot write to are refused", arguments: [
        "", "   ", "jane.example.com", "jane@doe@example.com", "jane doe@example.com", "jane@exa mple.com",
        "jane@localhost", "jane@.example.com", "jane@example.com.", "jane@example..com", "@example.com", "jane@",
        "jane@example.com\u{00}", "<jane@example.com>", "jane@example.com, joe@example.com", "jane\t@example.com",
    ])
    func emailRefused(_ raw: String) {
        #expect(EmailAddress.normalise(raw) == nil)
    }

    @Test("Email addresses are at most 254 characters with a local part of at most 64")
    func emailLengths() {
        let local64 = String(repeating: "a", count: 64)
        #expect(EmailAddress.normalise(local64 + "@example.com") == local64 + "@example.com")
        #expect(EmailAddress.normalise(local64 + "a@example.com") == nil)

        // 64 + 1 + 189 = 254 characters.
        let domain189 = String(repeating: "d", count: 185) + ".com"
        let longest = local64 + "@" + domain189
        #expect(longest.count == 254)
        #expect(EmailAddress.normalise(longest) == longest)
        let tooLong = local64 + "@d" + domain189
        #expect(tooLong.count == 255)
        #expect(EmailAddress.normalise(tooLong) == nil)
    }

    @Test("The form reader reports a bad email address as invalid, a missing one as required")
    func emailInForm() {
        var reader = FormReader(FormInput(["email": ["Jane@Example.com"], "bad": ["jane@"], "blank": [" "]]))
        #expect(reader.email("email") == "jane@example.com")
        #expect(reader.email("bad") == nil)
        #expect(reader.email("blank") == nil)
        #expect(reader.email("absent", required: false) == nil)
        #expect(reader.problems == [FieldProblem("bad", .invalidEmail), FieldProblem("blank", .required)])
    }
}
