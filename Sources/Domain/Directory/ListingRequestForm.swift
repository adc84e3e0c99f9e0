import Foundation

/// A claim of an existing listing, or an application of a new practice or clinic to be listed. Both name the
/// person asking, their role, and a licence or registration an administrator can look up at its register.
public struct ListingRequestForm: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case claim, application }
    public enum PracticeKind: String, Sendable, CaseIterable { case practitioner, clinic }

    public var applicantName: String
    public var applicantEmail: String
    public var applicantRole: String
    public var licenceNumber: String
    public var registerURL: String
    public var message: String?
    // Applications only.
    public var practiceName: String?
    public var practiceKind: PracticeKind?
    public var specialty: String?
    public var city: String?
    public var country: String?
    public var website: String?

    public static let maxName = 120
    public static let maxMessage = 2_000

    /// Reads the form; every problem at its field. `confirm` (the person may act for the listing) is required.
    public static func read(_ input: FormInput, kind: Kind, knownCountries: Set<String>) -> Result<ListingRequestForm, FormError> {
        var r = FormReader(input)
        let name = r.text("applicant_name", max: maxName, required: true)
        let email = r.email("applicant_email")
        let role = r.text("applicant_role", max: maxName, required: true)
        let licence = r.text("licence_number", max: CredentialSubmission.maxNumber, required: true)
        let link = r.text("register_url", max: RegisterLink.maxLength, required: true)
        if let link, !RegisterLink.isValid(link) { r.fail("register_url", .unknownValue) }
        let message = r.text("message", max: maxMessage)
        var practiceName: String?, practiceKind: PracticeKind?, specialty: String?, city: String?, country: String?, website: String?
        if kind == .application {
            practiceName = r.text("practice_name", max: 160, required: true)
            practiceKind = r.choice("practice_kind", PracticeKind.self, required: true)
            specialty = r.text("specialty", max: maxName, required: true)
            city = r.text("city", max: 120, required: true)
            country = input.text("country")?.uppercased()
            if country == nil { r.fail("country", .required) } else if let c = country, !knownCountries.contains(c) { r.fail("country", .unknownValue) }
            website = r.text("website", max: RegisterLink.maxLength)
            if let w = website, !RegisterLink.isValid(w) { r.fail("website", .unknownValue) }
        }
        if !r.checked("confirm") { r.fail("confirm", .consentMissing) }
        guard r.problems.isEmpty, let name, let email, let role, let licence, let link else { return .failure(FormError(r.problems)) }
        return .success(ListingRequestForm(applicantName: name, applicantEmail: email, applicantRole: role, licenceNumber: licence, registerURL: link,
                                           message: message, practiceName: practiceName, practiceKind: practiceKind, specialty: specialty, city: city,
                                           country: country, website: website))
    }
}
