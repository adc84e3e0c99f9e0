import Foundation
import Fluent

/// One value a facilitator organisation is found by: a country its patients come from, a country where it
/// arranges treatment, or a language it works in.
final class FacilitatorFacet: Model, @unchecked Sendable {
    static let schema = "facilitator_facets"
    enum Kind: String, CaseIterable, Sendable {
        /// Where its patients live (ISO 3166 code).
        case patientCountry = "patient-country"
        /// Where it arranges treatment (ISO 3166 code).
        case destination
        /// A language its team works in (ISO 639-1 code).
        case language
    }
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "facilitator_id") var facilitatorID: Int
    @Field(key: "facet") var facet: String
    @Field(key: "code") var code: String
    @Field(key: "position") var position: Int

    init() {}
    init(facilitatorID: Int, facet: Kind, code: String, position: Int) {
        self.facilitatorID = facilitatorID
        self.facet = facet.rawValue
        self.code = code
        self.position = position
    }
}

/// The terms on which a provider pays a facilitator organisation for the patients it brings.
final class FacilitatorAgreement: Model, @unchecked Sendable {
    static let schema = "facilitator_agreements"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "facilitator_id") var facilitatorID: Int
    @Field(key: "provider_key") var providerKey: String
    @OptionalField(key: "practitioner_id") var practitionerID: Int?
    @OptionalField(key: "organization_id") var organizationID: Int?
    /// `percent` or `fixed` (see `CommissionTerms` in Domain).
    @Field(key: "kind") var kind: String
    /// A decimal percentage of the accepted quote's total, as text ("8", "7.5").
    @OptionalField(key: "percent") var percent: String?
    /// A decimal amount per procedure, as text, in `currency`.
    @OptionalField(key: "fixed_amount") var fixedAmount: String?
    @Field(key: "currency") var currency: String
    @Field(key: "payment_terms_days") var paymentTermsDays: Int
    /// `proposed`, `active`, `declined` or `ended`.
    @Field(key: "status") var status: String
    @OptionalField(key: "open_claim") var openClaim: String?
    /// `facilitator` or `provider`: who proposed it (the other side accepts).
    @Field(key: "proposed_side") var proposedSide: String
    @OptionalField(key: "proposed_by") var proposedBy: Int?
    @OptionalField(key: "decided_by") var decidedBy: Int?
    /// Local dates (YYYY-MM-DD).
    @Field(key: "starts_on") var startsOn: String
    @OptionalField(key: "ends_on") var endsOn: String?
    @OptionalField(key: "note") var note: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// The value of `open_claim` for a pair.
    static func claim(facilitatorID: Int, providerKey: String) -> String { "\(facilitatorID):\(providerKey)" }
}
