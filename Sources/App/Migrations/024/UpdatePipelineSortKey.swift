import Fluent
import SQLKit

/// The pipeline's order as one indexed key: the next task's due date, or a date after every other when there is
/// none (`due_key`), so a board column or a page of the table is read in order from an index instead of sorting
/// every request of the organisation. Rows that have a next task get its date.
struct UpdatePipelineSortKey: AsyncMigration {
    static let noDue = "9999-12-31"

    func prepare(on database: any Database) async throws {
        try await database.schema("case_facilitators").field("due_key", .string, .required, .sql(.default(Self.noDue))).update()
        let sql = database as! any SQLDatabase
        try await sql.update("case_facilitators").set("due_key", to: SQLColumn("next_due_on")).where("next_due_on", .isNot, SQLLiteral.null).run()
        try await sql.create(index: "case_facilitators_board_idx").on("case_facilitators")
            .column("facilitator_id").column("status").column("stage").column("due_key").column("id").run()
        try await sql.create(index: "case_facilitators_order_idx").on("case_facilitators")
            .column("facilitator_id").column("status").column("due_key").column("id").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "case_facilitators_board_idx").run()
        try await sql.drop(index: "case_facilitators_order_idx").run()
        try await database.schema("case_facilitators").deleteField("due_key").update()
    }
}
