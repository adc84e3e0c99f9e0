import Fluent
import SQLKit

/// An invitation to join a practice's or clinic's team, sent by email. Only the SHA-256 of the emailed token is
/// stored (the id); accepting is one conditional update (still open, not revoked, not expired).
struct CreateStaffInvitations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("staff_invitations")
            .field("id", .string, .identifier(auto: false))
            .field("email", .string, .required)
            .field("practitioner_id", .int, .references("practitioners", "id", onDelete: .cascade))
            .field("organization_id", .int, .references("organizations", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("invited_by", .int, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("accepted_at", .datetime)
            .field("accepted_by", .int, .references("users", "id", onDelete: .setNull))
            .field("revoked_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "staff_invitations_practitioner_idx").on("staff_invitations").column("practitioner_id").run()
        try await sql.create(index: "staff_invitations_organization_idx").on("staff_invitations").column("organization_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("staff_invitations").delete()
    }
}
