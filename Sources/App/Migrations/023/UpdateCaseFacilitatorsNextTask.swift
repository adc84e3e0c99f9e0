import Fluent
import SQLKit

/// The pipeline's next task of each request, kept on its row (title and due date of the earliest open task), so
/// a facilitator's board of thousands of requests is one indexed read, late work included.
struct UpdateCaseFacilitatorsNextTask: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("case_facilitators").field("next_task", .string).update()
        try await database.schema("case_facilitators").field("next_due_on", .string).update()
        try await (database as! any SQLDatabase).create(index: "case_facilitators_due_idx").on("case_facilitators")
            .column("facilitator_id").column("status").column("next_due_on").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "case_facilitators_due_idx").run()
        try await database.schema("case_facilitators").deleteField("next_task").update()
        try await database.schema("case_facilitators").deleteField("next_due_on").update()
    }
}
