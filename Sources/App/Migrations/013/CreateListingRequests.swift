import Fluent
import SQLKit

/// Requests that an administrator decides: a claim of an existing listing by its practitioner or practice, and an
/// application of a new practice or clinic to be listed. Each is decided once (one conditional update on its
/// status), with the reason when refused; approving invites the requester as the listing's owner.
struct CreateListingRequests: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("listing_requests")
            .field("id", .int, .identifier(auto: true))
            .field("kind", .string, .required)
            .field("practitioner_id", .int, .references("practitioners", "id", onDelete: .cascade))
            .field("organization_id", .int, .references("organizations", "id", onDelete: .setNull))
            .field("practice_name", .string)
            .field("practice_kind", .string)
            .field("specialty", .string)
            .field("city", .string)
            .field("country_code", .string)
            .field("website", .string)
            .field("applicant_name", .string, .required)
            .field("applicant_email", .string, .required)
            .field("applicant_role", .string, .required)
            .field("licence_number", .string, .required)
            .field("register_url", .string, .required)
            .field("message", .string)
            .field("status", .string, .required)
            .field("reason", .string)
            .field("decided_by", .int, .references("users", "id", onDelete: .setNull))
            .field("decided_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "listing_requests_status_idx").on("listing_requests").column("status").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("listing_requests").delete()
    }
}
