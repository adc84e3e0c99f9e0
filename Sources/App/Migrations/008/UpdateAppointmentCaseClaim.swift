import Fluent
import SQLKit

/// At most one upcoming consultation per case: `case_claim` holds the case while its appointment is booked and
/// upcoming, NULL otherwise, under a unique index (two bookings for one case at once: one wins).
struct UpdateAppointmentCaseClaim: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("appointments").field("case_claim", .string).update()
        try await (database as! any SQLDatabase).create(index: "appointments_case_claim").unique().on("appointments").column("case_claim").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "appointments_case_claim").run()
        try await database.schema("appointments").deleteField("case_claim").update()
    }
}
