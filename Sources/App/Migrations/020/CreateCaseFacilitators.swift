import Fluent
import SQLKit

/// A facilitator organisation's access to a patient's request, given by the patient's consent: what it may see
/// (`scopes`), who started it, and where it stands. `open_claim` holds "case:<id>" while the access waits for the
/// patient or is active, and is unique: a request has at most one facilitator at a time, however many invitations
/// race. Withdrawal is one conditional update that clears it. A facilitator-started request waits for the patient's
/// confirmation through an emailed link whose SHA-256 is `confirm_token`. The pipeline's stage, owner and version
/// live here too (one row per request in a facilitator's pipeline). The cases a request was sent to at once point
/// at the first one through `cases.origin_case_id`; consent covers them all.
struct CreateCaseFacilitators: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("case_facilitators")
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("facilitator_id", .int, .required, .references("facilitators", "id", onDelete: .cascade))
            .field("patient_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("scopes", .string, .required)
            .field("open_claim", .string)
            .field("started_side", .string, .required)
            .field("started_by", .int, .references("users", "id", onDelete: .setNull))
            .field("confirm_token", .string)
            .field("confirm_expires_at", .datetime)
            .field("consent_version", .string, .required)
            .field("stage", .string, .required)
            .field("owner_user_id", .int, .references("users", "id", onDelete: .setNull))
            .field("version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("granted_at", .datetime)
            .field("ended_at", .datetime)
            .field("updated_at", .datetime, .required)
            .unique(on: "open_claim")
            .unique(on: "confirm_token")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "case_facilitators_pipeline_idx").on("case_facilitators").column("facilitator_id").column("status").column("stage").run()
        try await sql.create(index: "case_facilitators_case_idx").on("case_facilitators").column("case_id").run()
        try await sql.create(index: "case_facilitators_patient_idx").on("case_facilitators").column("patient_id").run()
        try await database.schema("cases").field("origin_case_id", .int).update()
        try await sql.create(index: "cases_origin_idx").on("cases").column("origin_case_id").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "cases_origin_idx").run()
        try await database.schema("cases").deleteField("origin_case_id").update()
        try await database.schema("case_facilitators").delete()
    }
}
