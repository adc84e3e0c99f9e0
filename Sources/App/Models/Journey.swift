import Foundation
import Fluent

/// A quote a provider's team wrote for a case; each revision is a new `QuoteVersion`.
final class QuoteRecord: Model, @unchecked Sendable {
    static let schema = "quotes"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "case_id") var consultation: ConsultationCase
    @Field(key: "status") var status: String
    @Field(key: "latest_version") var latestVersion: Int
    @OptionalField(key: "accepted_version") var acceptedVersion: Int?
    @OptionalField(key: "created_by") var createdBy: Int?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decision_note") var decisionNote: Data?

    init() {}
}

/// One version of a quote: the content sealed with the patient's data key, the figures a list needs in plain.
final class QuoteVersion: Model, @unchecked Sendable {
    static let schema = "quote_versions"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "quote_id") var quote: QuoteRecord
    @Field(key: "case_id") var caseID: Int
    @Field(key: "version") var version: Int
    @Field(key: "currency") var currency: String
    @Field(key: "total") var total: String
    @Field(key: "binding") var binding: Bool
    @Field(key: "valid_until") var validUntil: String
    @Field(key: "body") var body: Data
    @OptionalField(key: "created_by") var createdBy: Int?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One message of a case conversation, sealed with the patient's data key.
final class CaseMessage: Model, @unchecked Sendable {
    static let schema = "case_messages"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "case_id") var caseID: Int
    @OptionalField(key: "author_user_id") var authorUserID: Int?
    @Field(key: "side") var side: String
    @Field(key: "body") var body: Data
    @Field(key: "attachment_count") var attachmentCount: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A file attached to a message: an image with its metadata removed or a PDF, sealed with its name.
final class MessageAttachment: Model, @unchecked Sendable {
    static let schema = "message_attachments"
    @ID(custom: .id, generatedBy: .user) var id: String?
    @Field(key: "message_id") var messageID: Int
    @Field(key: "case_id") var caseID: Int
    @Field(key: "media_type") var mediaType: String
    @Field(key: "byte_count") var byteCount: Int
    @Field(key: "name") var name: Data
    @Field(key: "ciphertext") var ciphertext: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A provider's published availability (one row per practice or clinic).
final class ProviderAvailability: Model, @unchecked Sendable {
    static let schema = "provider_availability"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "provider_key") var providerKey: String
    @OptionalField(key: "practitioner_id") var practitionerID: Int?
    @OptionalField(key: "organization_id") var organizationID: Int?
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "weekly_hours") var weeklyHours: String
    @Field(key: "exceptions") var exceptions: String
    @Field(key: "slot_minutes") var slotMinutes: Int
    @Field(key: "notice_minutes") var noticeMinutes: Int
    @Field(key: "horizon_days") var horizonDays: Int
    @Field(key: "video_link_template") var videoLinkTemplate: String
    @OptionalField(key: "updated_by") var updatedBy: Int?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// A video consultation booked from a provider's availability.
final class Appointment: Model, @unchecked Sendable {
    static let schema = "appointments"
    @ID(custom: .id, generatedBy: .user) var id: String?
    @Field(key: "case_id") var caseID: Int
    @Field(key: "provider_key") var providerKey: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Field(key: "status") var status: String
    @OptionalField(key: "slot_claim") var slotClaim: String?
    @OptionalField(key: "case_claim") var caseClaim: String?
    @Field(key: "sequence") var sequence: Int
    @Field(key: "provider_zone") var providerZone: String
    @Field(key: "patient_zone") var patientZone: String
    @Field(key: "video_link") var videoLink: String
    @OptionalField(key: "booked_by") var bookedBy: Int?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "cancelled_at") var cancelledAt: Date?
    @OptionalField(key: "cancelled_by") var cancelledBy: Int?

    init() {}
}
