import Fluent
import SQLKit

/// A provider's published availability and the appointments booked from it. `slot_claim` holds
/// "provider|start" while an appointment is booked and NULL once it is cancelled: its unique constraint is what
/// makes a slot impossible to book twice (NULLs never collide, on either database).
struct CreateAppointments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("provider_availability")
            .field("id", .int, .identifier(auto: true))
            .field("provider_key", .string, .required).unique(on: "provider_key")
            .field("practitioner_id", .int, .references("practitioners", "id", onDelete: .cascade))
            .field("organization_id", .int, .references("organizations", "id", onDelete: .cascade))
            .field("time_zone", .string, .required)
            .field("weekly_hours", .string, .required)
            .field("exceptions", .string, .required)
            .field("slot_minutes", .int, .required)
            .field("notice_minutes", .int, .required)
            .field("horizon_days", .int, .required)
            .field("video_link_template", .string, .required)
            .field("updated_by", .int, .references("users", "id", onDelete: .setNull))
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("appointments")
            .field("id", .string, .identifier(auto: false))
            .field("case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("provider_key", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("status", .string, .required)
            .field("slot_claim", .string)
            .field("sequence", .int, .required)
            .field("provider_zone", .string, .required)
            .field("patient_zone", .string, .required)
            .field("video_link", .string, .required)
            .field("booked_by", .int, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("cancelled_at", .datetime)
            .field("cancelled_by", .int, .references("users", "id", onDelete: .setNull))
            .unique(on: "slot_claim")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "appointments_provider").on("appointments").column("provider_key").column("starts_at").run()
        try await sql.create(index: "appointments_case").on("appointments").column("case_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("appointments").delete()
        try await database.schema("provider_availability").delete()
    }
}
