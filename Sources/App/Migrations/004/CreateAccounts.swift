import Fluent
import SQLKit

/// People who sign in, their sessions, what they belong to, and the single-use tokens sent to them.
struct CreateAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("facilitators")
            .field("id", .int, .identifier(auto: true))
            .field("slug", .string, .required).unique(on: "slug")
            .field("name", .string, .required)
            .field("country_code", .string, .required)
            .field("is_sample", .bool, .required)
            .create()

        try await database.schema("users")
            .field("id", .int, .identifier(auto: true))
            .field("email", .string, .required).unique(on: "email")
            .field("password_hash", .string, .required)
            .field("display_name", .string, .required)
            .field("role", .string, .required)
            .field("email_verified_at", .datetime)
            .field("totp_secret", .data)
            .field("totp_enabled_at", .datetime)
            .field("totp_last_step", .int64)
            .field("created_at", .datetime, .required)
            .field("password_changed_at", .datetime, .required)
            .field("is_sample", .bool, .required)
            .create()

        try await database.schema("user_sessions")
            .field("id", .string, .identifier(auto: false))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("second_factor_done", .bool, .required)
            .create()

        try await database.schema("memberships")
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("practitioner_id", .int, .references("practitioners", "id", onDelete: .cascade))
            .field("organization_id", .int, .references("organizations", "id", onDelete: .cascade))
            .field("facilitator_id", .int, .references("facilitators", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .create()

        try await database.schema("email_tokens")
            .field("id", .string, .identifier(auto: false))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .create()

        try await database.schema("api_tokens")
            .field("id", .string, .identifier(auto: false))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .create()

        let sql = database as! any SQLDatabase
        try await sql.create(index: "user_sessions_user").on("user_sessions").column("user_id").run()
        try await sql.create(index: "memberships_user").on("memberships").column("user_id").run()
        try await sql.create(index: "email_tokens_user").on("email_tokens").column("user_id").run()
        try await sql.create(index: "api_tokens_user").on("api_tokens").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["api_tokens", "email_tokens", "memberships", "user_sessions", "users", "facilitators"] {
            try await database.schema(table).delete()
        }
    }
}

/// Rate-limit counters, the audit trail, the notification outbox, the development mailbox and the patients'
/// wrapped data keys.
struct CreateSafeguards: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("rate_limits")
            .field("key", .string, .identifier(auto: false))
            .field("window_start", .datetime, .required)
            .field("hits", .int, .required)
            .create()

        try await database.schema("audit_events")
            .field("id", .int64, .identifier(auto: true))
            .field("at", .datetime, .required)
            .field("actor_user_id", .int)
            .field("actor_role", .string, .required)
            .field("action", .string, .required)
            .field("object_type", .string, .required)
            .field("object_id", .string)
            .field("source", .string, .required)
            .field("outcome", .string, .required)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            .create()

        try await database.schema("data_keys")
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("master_key_id", .string, .required)
            .field("wrapped_key", .data, .required)
            .field("created_at", .datetime, .required)
            .field("rotated_at", .datetime)
            .unique(on: "user_id")
            .create()

        try await database.schema("outbox_messages")
            .field("id", .string, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("delivered_at", .datetime)
            .field("failed_at", .datetime)
            .field("last_error", .string)
            .field("claimed_until", .datetime)
            .create()

        try await database.schema("mailbox_messages")
            .field("id", .string, .identifier(auto: false))
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("delivered_at", .datetime, .required)
            .create()

        let sql = database as! any SQLDatabase
        try await sql.create(index: "outbox_due").on("outbox_messages").column("delivered_at").column("next_attempt_at").run()
        try await sql.create(index: "mailbox_recipient").on("mailbox_messages").column("recipient").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["mailbox_messages", "outbox_messages", "data_keys", "audit_events", "rate_limits"] {
            try await database.schema(table).delete()
        }
    }
}

/// Consultation cases: the encrypted request, its photos, its timeline and the consents given for it.
struct CreateCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("cases")
            .field("id", .int, .identifier(auto: true))
            .field("reference", .string, .required).unique(on: "reference")
            .field("idempotency_key", .string, .required).unique(on: "idempotency_key")
            .field("patient_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("practitioner_id", .int, .references("practitioners", "id"))
            .field("organization_id", .int, .references("organizations", "id"))
            .field("status", .string, .required)
            .field("payload", .data, .required)
            .field("data_key_id", .int, .required, .references("data_keys", "id"))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()

        // The addressee, status and date are repeated here (kept in step by `CaseService.setStatus`) so that an
        // inbox filtered by procedure is answered from this table's indexes alone.
        try await database.schema("case_procedures")
            .field("case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("procedure_id", .int, .required, .references("procedures", "id"))
            .field("practitioner_id", .int)
            .field("organization_id", .int)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "case_id", "procedure_id")
            .create()

        try await database.schema("case_photos")
            .field("id", .string, .identifier(auto: false))
            .field("case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("format", .string, .required)
            .field("byte_count", .int, .required)
            .field("ciphertext", .data, .required)
            .field("created_at", .datetime, .required)
            .create()

        try await database.schema("case_events")
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references("cases", "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("actor_user_id", .int, .references("users", "id"))
            .field("note", .data)
            .create()

        try await database.schema("consents")
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("case_id", .int, .references("cases", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("version", .string, .required)
            .field("text", .string, .required)
            .field("given_at", .datetime, .required)
            .field("withdrawn_at", .datetime)
            .create()

        let sql = database as! any SQLDatabase
        try await sql.create(index: "cases_patient").on("cases").column("patient_id").column("created_at").run()
        try await sql.create(index: "cases_practitioner_inbox").on("cases").column("practitioner_id").column("created_at").run()
        try await sql.create(index: "cases_organization_inbox").on("cases").column("organization_id").column("created_at").run()
        // Counting a practice's inbox by status reads only these indexes.
        try await sql.create(index: "cases_practitioner_status").on("cases").column("practitioner_id").column("status").column("created_at").run()
        try await sql.create(index: "cases_organization_status").on("cases").column("organization_id").column("status").column("created_at").run()
        try await sql.create(index: "case_procedures_practitioner").on("case_procedures")
            .column("procedure_id").column("practitioner_id").column("status").column("created_at").run()
        try await sql.create(index: "case_procedures_organization").on("case_procedures")
            .column("procedure_id").column("organization_id").column("status").column("created_at").run()
        try await sql.create(index: "case_photos_case").on("case_photos").column("case_id").run()
        try await sql.create(index: "case_events_case").on("case_events").column("case_id").run()
        try await sql.create(index: "consents_user").on("consents").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["consents", "case_events", "case_photos", "case_procedures", "cases"] {
            try await database.schema(table).delete()
        }
    }
}
