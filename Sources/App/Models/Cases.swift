import Foundation
import Fluent

/// A consultation request and its life. The request itself (`payload`) is sealed with the patient's data key.
final class ConsultationCase: Model, @unchecked Sendable {
    static let schema = "cases"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "reference") var reference: String
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Parent(key: "patient_id") var patient: User
    @OptionalParent(key: "practitioner_id") var practitioner: Practitioner?
    @OptionalParent(key: "organization_id") var organization: Organization?
    @Field(key: "status") var status: String
    @Field(key: "payload") var payload: Data
    @Field(key: "data_key_id") var dataKeyID: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// The first case of a request sent to several providers at once (`nil` for that first case itself).
    @OptionalField(key: "origin_case_id") var originCaseID: Int?

    init() {}
}

/// A photo attached to a case: the image with its metadata removed, sealed with the patient's data key.
final class CasePhoto: Model, @unchecked Sendable {
    static let schema = "case_photos"
    @ID(custom: .id, generatedBy: .user) var id: String?
    @Parent(key: "case_id") var consultation: ConsultationCase
    @Field(key: "position") var position: Int
    @Field(key: "format") var format: String
    @Field(key: "byte_count") var byteCount: Int
    @Field(key: "ciphertext") var ciphertext: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One entry of a case's timeline. `note` (a question, an answer, a reason) is sealed like the request.
final class CaseEvent: Model, @unchecked Sendable {
    static let schema = "case_events"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "case_id") var consultation: ConsultationCase
    @Field(key: "at") var at: Date
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @OptionalParent(key: "actor_user_id") var actor: User?
    @OptionalField(key: "note") var note: Data?

    init() {}
}

/// Consent given (and perhaps withdrawn), with the exact text and its version.
final class Consent: Model, @unchecked Sendable {
    static let schema = "consents"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "user_id") var user: User
    @OptionalParent(key: "case_id") var consultation: ConsultationCase?
    @Field(key: "kind") var kind: String
    @Field(key: "version") var version: String
    @Field(key: "text") var text: String
    @Field(key: "given_at") var givenAt: Date
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?

    init() {}
}

/// A patient's data key, wrapped (sealed) by the master key named `masterKeyID`.
final class DataKey: Model, @unchecked Sendable {
    static let schema = "data_keys"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "user_id") var user: User
    @Field(key: "master_key_id") var masterKeyID: String
    @Field(key: "wrapped_key") var wrappedKey: Data
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "rotated_at") var rotatedAt: Date?

    init() {}
}

/// A message waiting to be delivered (or delivered): written in the transaction of the change that causes it.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"
    @ID(custom: .id, generatedBy: .user) var id: String?
    @Field(key: "kind") var kind: String
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    /// Empty for messages written since bodies are sealed; see `bodySealed`.
    @Field(key: "body") var body: String
    @OptionalField(key: "body_sealed") var bodySealed: Data?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "delivered_at") var deliveredAt: Date?
    @OptionalField(key: "failed_at") var failedAt: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "attachment_name") var attachmentName: String?
    @OptionalField(key: "attachment_type") var attachmentType: String?
    @OptionalField(key: "attachment_sealed") var attachmentSealed: Data?

    init() {}
}

/// A message as the development mailbox received it.
final class MailboxMessage: Model, @unchecked Sendable {
    static let schema = "mailbox_messages"
    @ID(custom: .id, generatedBy: .user) var id: String?
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "delivered_at") var deliveredAt: Date
    @OptionalField(key: "attachment_name") var attachmentName: String?
    @OptionalField(key: "attachment") var attachment: String?

    init() {}
}

/// One link of the audit chain.
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"
    @ID(custom: .id, generatedBy: .database) var id: Int64?
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_user_id") var actorUserID: Int?
    @Field(key: "actor_role") var actorRole: String
    @Field(key: "action") var action: String
    @Field(key: "object_type") var objectType: String
    @OptionalField(key: "object_id") var objectID: String?
    @Field(key: "source") var source: String
    @Field(key: "outcome") var outcome: String
    @Field(key: "previous_hash") var previousHash: String
    @Field(key: "hash") var hash: String

    init() {}
}
