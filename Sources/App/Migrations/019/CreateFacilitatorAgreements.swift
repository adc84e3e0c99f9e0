import Fluent
import SQLKit

/// Agreements between a facilitator organisation and a provider (a practitioner's practice or a clinic): a
/// percentage of the accepted quote or a fixed amount per procedure, in a currency, paid a number of days after
/// treatment. One side proposes, the other accepts; an agreement ends on a date and is never edited after it is
/// accepted (a change is a new agreement). `open_claim` holds "facilitator:provider" while an agreement is proposed
/// or active and is unique, so a pair has at most one open agreement however many requests race to open one.
struct CreateFacilitatorAgreements: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("facilitator_agreements")
            .field("id", .int, .identifier(auto: true))
            .field("facilitator_id", .int, .required, .references("facilitators", "id", onDelete: .cascade))
            .field("provider_key", .string, .required)
            .field("practitioner_id", .int, .references("practitioners", "id", onDelete: .cascade))
            .field("organization_id", .int, .references("organizations", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("percent", .string)
            .field("fixed_amount", .string)
            .field("currency", .string, .required)
            .field("payment_terms_days", .int, .required)
            .field("status", .string, .required)
            .field("open_claim", .string)
            .field("proposed_side", .string, .required)
            .field("proposed_by", .int, .references("users", "id", onDelete: .setNull))
            .field("decided_by", .int, .references("users", "id", onDelete: .setNull))
            .field("starts_on", .string, .required)
            .field("ends_on", .string)
            .field("note", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "open_claim")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "facilitator_agreements_facilitator_idx").on("facilitator_agreements").column("facilitator_id").column("status").run()
        try await sql.create(index: "facilitator_agreements_provider_idx").on("facilitator_agreements").column("provider_key").column("status").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("facilitator_agreements").delete()
    }
}
