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

/// A facilitator organisation's access to a request, by the patient's consent (see `CreateCaseFacilitators`).
final class CaseFacilitator: Model, @unchecked Sendable {
    static let schema = "case_facilitators"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    /// The request's first case (consent covers every case it was sent to).
    @Field(key: "case_id") var caseID: Int
    @Field(key: "facilitator_id") var facilitatorID: Int
    @Field(key: "patient_id") var patientID: Int
    @Field(key: "status") var status: String
    @Field(key: "scopes") var scopes: String
    @OptionalField(key: "open_claim") var openClaim: String?
    @Field(key: "started_side") var startedSide: String
    @OptionalField(key: "started_by") var startedBy: Int?
    @OptionalField(key: "confirm_token") var confirmToken: String?
    @OptionalField(key: "confirm_expires_at") var confirmExpiresAt: Date?
    @Field(key: "consent_version") var consentVersion: String
    @Field(key: "stage") var stage: String
    @OptionalField(key: "owner_user_id") var ownerUserID: Int?
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "granted_at") var grantedAt: Date?
    @OptionalField(key: "ended_at") var endedAt: Date?
    @Field(key: "updated_at") var updatedAt: Date
    /// The earliest open task (see `TaskService.refreshNext`).
    @OptionalField(key: "next_task") var nextTask: String?
    @OptionalField(key: "next_due_on") var nextDueOn: String?

    init() {}

    /// The value of `open_claim` for a request.
    static func claim(caseID: Int) -> String { "case:\(caseID)" }
}

/// A provider a request is, or may be, sent to besides its first one (see `CreateCaseReferrals`).
final class CaseReferral: Model, @unchecked Sendable {
    static let schema = "case_referrals"
    enum Status: String, Sendable { case proposed, sent, declined }
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "root_case_id") var rootCaseID: Int
    @Field(key: "provider_key") var providerKey: String
    @OptionalField(key: "practitioner_id") var practitionerID: Int?
    @OptionalField(key: "organization_id") var organizationID: Int?
    @Field(key: "status") var status: String
    @Field(key: "proposed_side") var proposedSide: String
    @OptionalField(key: "proposed_by") var proposedBy: Int?
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "created_case_id") var createdCaseID: Int?
    @OptionalField(key: "decided_by") var decidedBy: Int?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}
}

/// One line of a request's travel plan (see `CreateTravelPlansAndTasks`).
final class TravelItemRow: Model, @unchecked Sendable {
    static let schema = "travel_items"
    @ID(custom: .id, generatedBy: .user) var id: String?
    @Field(key: "root_case_id") var rootCaseID: Int
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "start_local") var startLocal: String
    @Field(key: "start_zone") var startZone: String
    @OptionalField(key: "end_local") var endLocal: String?
    @OptionalField(key: "end_zone") var endZone: String?
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Field(key: "location") var location: String
    /// `TravelItemSecrets` as JSON, sealed with the patient's data key.
    @Field(key: "sealed") var sealed: Data
    @Field(key: "sequence") var sequence: Int
    @OptionalField(key: "created_by") var createdBy: Int?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// A task of a facilitator's work on a request (see `CreateTravelPlansAndTasks`).
final class CaseTask: Model, @unchecked Sendable {
    static let schema = "case_tasks"
    enum Kind: String, Sendable, CaseIterable { case visaLetter = "visa-letter", custom }
    enum Status: String, Sendable { case open, done, cancelled }
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "root_case_id") var rootCaseID: Int
    @Field(key: "facilitator_id") var facilitatorID: Int
    /// For a visa letter: the case whose team writes it.
    @OptionalField(key: "case_id") var caseID: Int?
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    /// A local date (YYYY-MM-DD).
    @OptionalField(key: "due_on") var dueOn: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "assignee_user_id") var assigneeUserID: Int?
    @OptionalField(key: "created_by") var createdBy: Int?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "done_at") var doneAt: Date?
    @OptionalField(key: "done_by") var doneBy: Int?

    init() {}
}
