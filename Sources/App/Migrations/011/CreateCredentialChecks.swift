import Fluent
import SQLKit

/// Every check of a credential at its issuing register: who checked, when, what and where, the outcome, the
/// expiry the register confirmed or the reason. The credential's status, check date and expiry are written from
/// the newest record in the same transaction, so the badge follows from these records alone.
struct CreateCredentialChecks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("credential_checks")
            .field("id", .int, .identifier(auto: true))
            .field("credential_id", .int, .required, .references("credentials", "id", onDelete: .cascade))
            .field("checked_by", .int, .references("users", "id", onDelete: .setNull))
            .field("checked_at", .datetime, .required)
            .field("outcome", .string, .required)
            .field("what_checked", .string, .required)
            .field("register_url", .string, .required)
            .field("expires_at", .datetime)
            .field("reason", .string)
            .create()
        try await (database as! any SQLDatabase).create(index: "credential_checks_credential_idx").on("credential_checks").column("credential_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("credential_checks").delete()
    }
}
