import Fluent

/// Which author an editorial account writes or reviews as: a medical reviewer is an account whose author has a
/// recorded clinical credential (`authors.is_medical_reviewer`).
struct CreateStaffAuthors: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("staff_authors")
            .field("user_id", .int, .identifier(auto: false), .references("users", "id", onDelete: .cascade))
            .field("author_id", .int, .required, .references("authors", "id", onDelete: .cascade))
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("staff_authors").delete()
    }
}
