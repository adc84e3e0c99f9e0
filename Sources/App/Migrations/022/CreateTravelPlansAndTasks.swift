import Fluent
import SQLKit

/// A request's travel plan and its tasks. Each line of the plan keeps its local start and end with their zones (a
/// flight ends in another zone than it starts) and the instants they make, for ordering and the calendar file; its
/// notes and booking reference are sealed with the patient's data key. A task belongs to the facilitator's work on
/// a request (its pipeline shows the next one and whether it is late); a visa invitation letter is a task addressed
/// to the team of one case, who mark it done.
struct CreateTravelPlansAndTasks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("travel_items")
            .field("id", .string, .identifier(auto: false))
            .field("root_case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("start_local", .string, .required)
            .field("start_zone", .string, .required)
            .field("end_local", .string)
            .field("end_zone", .string)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("location", .string, .required)
            .field("sealed", .data, .required)
            .field("sequence", .int, .required)
            .field("created_by", .int, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "travel_items_case_idx").on("travel_items").column("root_case_id").column("starts_at").run()

        try await database.schema("case_tasks")
            .field("id", .int, .identifier(auto: true))
            .field("root_case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("facilitator_id", .int, .required, .references("facilitators", "id", onDelete: .cascade))
            .field("case_id", .int, .references("cases", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("due_on", .string)
            .field("status", .string, .required)
            .field("assignee_user_id", .int, .references("users", "id", onDelete: .setNull))
            .field("created_by", .int, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("done_at", .datetime)
            .field("done_by", .int, .references("users", "id", onDelete: .setNull))
            .create()
        try await sql.create(index: "case_tasks_pipeline_idx").on("case_tasks").column("facilitator_id").column("status").column("due_on").run()
        try await sql.create(index: "case_tasks_case_idx").on("case_tasks").column("root_case_id").column("status").run()
        try await sql.create(index: "case_tasks_provider_idx").on("case_tasks").column("case_id").column("status").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_tasks").delete()
        try await database.schema("travel_items").delete()
    }
}
