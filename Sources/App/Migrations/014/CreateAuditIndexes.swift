import Fluent
import SQLKit

/// Indexes for the audit viewer's filters (who, which object, which action, when), newest first.
struct CreateAuditIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.create(index: "audit_events_actor_idx").on("audit_events").column("actor_user_id").column("id").run()
        try await sql.create(index: "audit_events_object_idx").on("audit_events").column("object_type").column("object_id").column("id").run()
        try await sql.create(index: "audit_events_action_idx").on("audit_events").column("action").column("id").run()
        try await sql.create(index: "audit_events_at_idx").on("audit_events").column("at").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for name in ["audit_events_actor_idx", "audit_events_object_idx", "audit_events_action_idx", "audit_events_at_idx"] {
            try await sql.drop(index: name).run()
        }
    }
}
