import Fluent
import SQLKit

/// Evidence a practice sends with a credential (PDF or image), checked by its bytes and sealed at rest under the
/// platform's evidence key, with its cleaned name sealed too. Only administrators and the practice read it.
struct CreateCredentialEvidence: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("credential_evidence")
            .field("id", .string, .identifier(auto: false))
            .field("credential_id", .int, .required, .references("credentials", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("format", .string, .required)
            .field("byte_count", .int, .required)
            .field("name_sealed", .data, .required)
            .field("data_sealed", .data, .required)
            .field("uploaded_by", .int, .references("users", "id", onDelete: .setNull))
            .field("uploaded_at", .datetime, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "credential_evidence_credential_idx").on("credential_evidence").column("credential_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("credential_evidence").delete()
    }
}
