import Foundation

/// What a patient tells a provider in a consultation request: everything except photos, account and consent.
/// It is health data: the App stores it only encrypted.
public struct ConsultationRequest: Codable, Sendable, Equatable {
    public enum Smoking: String, Codable, Sendable, CaseIterable { case never, former, current }
    public enum Pregnancy: String, Codable, Sendable, CaseIterable { case no, yes, breastfeeding, notApplicable = "not-applicable" }
    public enum YesNo: String, Codable, Sendable, CaseIterable { case no, yes, unsure }
    public enum FillerHistory: String, Codable, Sendable, CaseIterable {
        case none, hyaluronic, permanent, unsure
    }
    public enum ContactChannel: String, Codable, Sendable, CaseIterable { case email, phone, whatsapp, video }

    // Step 1: treatment
    public var procedures: [String]
    public var concerns: String
    public var goals: String?
    // Step 2: health
    public var conditions: String?
    public var medications: String?
    public var bloodThinners: YesNo
    public var allergies: String?
    public var smoking: Smoking
    public var pregnancy: Pregnancy
    public var earlierTreatment: String?
    public var fillers: FillerHistory
    public var earlierSurgery: String?
    public var heightCm: Int?
    public var weightKg: Int?
    // Step 3: travel, budget, contact
    public var travelFrom: String?
    public var travelTo: String?
    public var companions: Int
    public var budgetMin: String?
    public var budgetMax: String?
    public var budgetCurrency: String
    public var contactChannel: ContactChannel
    public var phone: String?
    public var language: String
    public var timeZone: String

    /// The decision-aid result this request was prepared from, when there is one (kept as the aid wrote it).
    public var preparedWith: String?
}

/// The steps of the request form, in order.
public enum ConsultationStep: Int, CaseIterable, Sendable, Comparable {
    case treatment = 1, health, travel, review

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var next: ConsultationStep? { ConsultationStep(rawValue: rawValue + 1) }
    public var previous: ConsultationStep? { ConsultationStep(rawValue: rawValue - 1) }

    /// The form fields this step asks for (the last step adds photos, consent and, for guests, the account).
    public var fields: [String] {
        switch self {
        case .treatment: return ["procedures", "concerns", "goals", "prepared_with"]
        case .health: return ["conditions", "medications", "blood_thinners", "allergies", "smoking", "pregnancy",
                               "earlier_treatment", "fillers", "earlier_surgery", "height_cm", "weight_kg"]
        case .travel: return ["travel_from", "travel_to", "companions", "budget_min", "budget_max", "budget_currency",
                              "contact_channel", "phone", "language", "time_zone"]
        case .review: return ["consent_health", "consent_share", "terms", "name", "email", "password", "photos"]
        }
    }

    /// The step that shows `field`.
    public static func of(field: String) -> ConsultationStep {
        allCases.first { $0.fields.contains(field) } ?? .review
    }
}

/// Limits that the form, the API and the tests share.
public enum ConsultationLimits {
    public static let longText = 4_000
    public static let mediumText = 2_000
    public static let shortText = 200
    public static let maxProcedures = 6
    public static let maxPhotos = 6
    public static let maxCompanions = 6
    public static let heightRange = 100...250
    public static let weightRange = 30...300
    /// How far ahead a travel window may reach.
    public static let maxTravelDaysAhead = 730
}

extension ConsultationRequest {
    /// Reads and checks the answers of the steps up to and including `through`.
    /// - Parameters:
    ///   - procedures: slugs of the procedures this provider can be asked about.
    ///   - languages: language codes a patient may choose.
    ///   - today: start of the current day (UTC), for the travel window.
    public static func read(_ input: FormInput, through step: ConsultationStep = .review, procedures known: Set<String>,
                            languages: Set<String>, today: Date) -> Result<ConsultationRequest, FormError> {
        var r = FormReader(input)
        let L = ConsultationLimits.self

        // Step 1
        var chosen: [String] = []
        for raw in input.all("procedures") {
            let slug = raw.trimmingCharacters(in: .whitespaces)
            if !slug.isEmpty && !chosen.contains(slug) { chosen.append(slug) }
        }
        if chosen.isEmpty { r.fail("procedures", .required) }
        else if chosen.count > L.maxProcedures { r.fail("procedures", .tooMany(max: L.maxProcedures)) }
        else if chosen.contains(where: { !known.contains($0) }) { r.fail("procedures", .unknownValue) }
        let concerns = r.text("concerns", max: L.longText, required: true)
        let goals = r.text("goals", max: L.longText)

        var request = ConsultationRequest(
            procedures: chosen, concerns: concerns ?? "", goals: goals,
            conditions: nil, medications: nil, bloodThinners: .no, allergies: nil, smoking: .never, pregnancy: .notApplicable,
            earlierTreatment: nil, fillers: .none, earlierSurgery: nil, heightCm: nil, weightKg: nil,
            travelFrom: nil, travelTo: nil, companions: 0, budgetMin: nil, budgetMax: nil, budgetCurrency: "EUR",
            contactChannel: .email, phone: nil, language: "en", timeZone: "UTC", preparedWith: nil)
        request.preparedWith = r.text("prepared_with", max: L.longText)

        if step >= .health {
            request.conditions = r.text("conditions", max: L.mediumText)
            request.medications = r.text("medications", max: L.mediumText)
            request.bloodThinners = r.choice("blood_thinners", YesNo.self, required: true) ?? .no
            request.allergies = r.text("allergies", max: L.mediumText)
            request.smoking = r.choice("smoking", Smoking.self, required: true) ?? .never
            request.pregnancy = r.choice("pregnancy", Pregnancy.self, required: true) ?? .notApplicable
            request.earlierTreatment = r.text("earlier_treatment", max: L.mediumText)
            request.fillers = r.choice("fillers", FillerHistory.self, required: true) ?? .none
            request.earlierSurgery = r.text("earlier_surgery", max: L.mediumText)
            request.heightCm = r.integer("height_cm", in: L.heightRange)
            request.weightKg = r.integer("weight_kg", in: L.weightRange)
        }

        if step >= .travel {
            let from = r.date("travel_from")
            let to = r.date("travel_to")
            let latest = today.addingTimeInterval(Double(L.maxTravelDaysAhead) * 86_400)
            if let from, from < today { r.fail("travel_from", .dateInPast) }
            if let to, to < today, from == nil { r.fail("travel_to", .dateInPast) }
            if let from, from > latest { r.fail("travel_from", .outOfRange(min: 0, max: L.maxTravelDaysAhead)) }
            if let to, to > latest { r.fail("travel_to", .outOfRange(min: 0, max: L.maxTravelDaysAhead)) }
            if let from, let to, to < from { r.fail("travel_to", .endBeforeStart) }
            request.travelFrom = from.map(ISODate.format)
            request.travelTo = to.map(ISODate.format)
            request.companions = r.integer("companions", in: 0...L.maxCompanions) ?? 0

            let currencyText = input.text("budget_currency") ?? "EUR"
            if CurrencyCode(currencyText) == nil { r.fail("budget_currency", .unknownCurrency) }
            request.budgetCurrency = currencyText.uppercased()
            let minText = input.text("budget_min"), maxText = input.text("budget_max")
            let minAmount = minText.flatMap(Money.parseAmount), maxAmount = maxText.flatMap(Money.parseAmount)
            if minText != nil && (minAmount == nil || minAmount! < 0 || minAmount! > 10_000_000) { r.fail("budget_min", .notANumber) }
            if maxText != nil && (maxAmount == nil || maxAmount! < 0 || maxAmount! > 10_000_000) { r.fail("budget_max", .notANumber) }
            if let a = minAmount, let b = maxAmount, a > b { r.fail("budget_max", .minAboveMax) }
            request.budgetMin = minAmount.map { "\($0)" }
            request.budgetMax = maxAmount.map { "\($0)" }

            request.contactChannel = r.choice("contact_channel", ContactChannel.self, required: true) ?? .email
            request.phone = r.text("phone", max: 32)
            if let phone = request.phone, !Self.isPhoneNumber(phone) { r.fail("phone", .invalidPhone) }
            if input.text("phone") == nil && [.phone, .whatsapp].contains(request.contactChannel) { r.fail("phone", .required) }
            let language = input.text("language") ?? ""
            if language.isEmpty { r.fail("language", .required) } else if !languages.contains(language) { r.fail("language", .unknownValue) }
            request.language = language
            let zone = input.text("time_zone") ?? ""
            if zone.isEmpty { r.fail("time_zone", .required) }
            else if zone.count > 64 || TimeZone(identifier: zone) == nil { r.fail("time_zone", .invalidTimeZone) }
            request.timeZone = zone
        }

        return r.problems.isEmpty ? .success(request) : .failure(FormError(r.problems))
    }

    /// `+`, digits, spaces, dots, dashes and brackets; 6 to 20 digits.
    public static func isPhoneNumber(_ text: String) -> Bool {
        let allowed = Set("+0123456789 .-()")
        let digits = text.filter(\.isNumber).count
        return text.allSatisfy { allowed.contains($0) } && (6...20).contains(digits)
    }
}
