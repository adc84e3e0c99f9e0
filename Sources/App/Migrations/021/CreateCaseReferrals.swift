import Fluent
import SQLKit

/// Providers a request is (or may be) sent to besides its first one: proposed by the facilitator the patient
/// invited, or chosen by the patient, and sent only when the patient agrees (`created_case_id` is the case that
/// sending made). The pair of request and provider is unique, so a provider is proposed and sent to once however
/// many clicks race.
struct CreateCaseReferrals: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("case_referrals")
            .field("id", .int, .identifier(auto: true))
            .field("root_case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("provider_key", .string, .required)
            .field("practitioner_id", .int, .references("practitioners", "id", onDelete: .cascade))
            .field("organization_id", .int, .references("organizations", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("proposed_side", .string, .required)
            .field("proposed_by", .int, .references("users", "id", onDelete: .setNull))
            .field("note", .string)
            .field("created_case_id", .int, .references("cases", "id", onDelete: .setNull))
            .field("decided_by", .int, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("decided_at", .datetime)
            .unique(on: "root_case_id", "provider_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_referrals").delete()
    }
}
