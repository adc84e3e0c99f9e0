import Foundation
import Fluent

/// What a person may do on the platform.
enum Role: String, Codable, Sendable, CaseIterable {
    case patient, provider, facilitator, editor, admin

    /// Roles that must confirm sign-in with a one-time code.
    var needsSecondFactor: Bool { self != .patient }
}

/// A person who signs in.
final class User: Model, @unchecked Sendable {
    static let schema = "users"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "email") var email: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "role") var role: String
    @OptionalField(key: "email_verified_at") var emailVerifiedAt: Date?
    /// The TOTP secret, sealed with the master key.
    @OptionalField(key: "totp_secret") var totpSecret: Data?
    @OptionalField(key: "totp_enabled_at") var totpEnabledAt: Date?
    /// The last time step whose code was accepted: a code is good once.
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "password_changed_at") var passwordChangedAt: Date
    @Field(key: "is_sample") var isSample: Bool
    /// Set when an administrator closed the account (it cannot sign in).
    @OptionalField(key: "closed_at") var closedAt: Date?

    init() {}
    init(email: String, passwordHash: String, displayName: String, role: Role, now: Date, isSample: Bool = false) {
        self.email = email
        self.passwordHash = passwordHash
        self.displayName = displayName
        self.role = role.rawValue
        self.createdAt = now
        self.passwordChangedAt = now
        self.isSample = isSample
    }

    var roleValue: Role { Role(rawValue: role) ?? .patient }
}

/// A signed-in browser. The id is the SHA-256 of the cookie's token, so a copy of the table signs no one in.
final class UserSession: Model, @unchecked Sendable {
    static let schema = "user_sessions"
    @ID(custom: .id, generatedBy: .user) var id: String?
    @Parent(key: "user_id") var user: User
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "second_factor_done") var secondFactorDone: Bool

    init() {}
    init(id: String, userID: Int, now: Date, secondFactorDone: Bool) {
        self.id = id
        self.$user.id = userID
        self.createdAt = now
        self.lastSeenAt = now
        self.secondFactorDone = secondFactorDone
    }
}

/// A medical-travel facilitator organisation.
final class Facilitator: Model, @unchecked Sendable {
    static let schema = "facilitators"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "country_code") var countryCode: String
    @Field(key: "is_sample") var isSample: Bool
    @Field(key: "summary") var summary: String
    @Field(key: "about") var about: String
    @OptionalField(key: "website") var website: String?
    @OptionalField(key: "founded_year") var foundedYear: Int?
    @Field(key: "accepting_cases") var acceptingCases: Bool
    @OptionalField(key: "suspended_at") var suspendedAt: Date?
    @OptionalField(key: "suspended_reason") var suspendedReason: String?
    @Field(key: "profile_version") var profileVersion: Int
    @OptionalField(key: "updated_at") var updatedAt: Date?

    init() {}
    init(slug: String, name: String, countryCode: String, isSample: Bool, summary: String = "", about: String = "") {
        self.slug = slug
        self.name = name
        self.countryCode = countryCode
        self.isSample = isSample
        self.summary = summary
        self.about = about
        self.acceptingCases = true
        self.profileVersion = 0
    }
}

/// A user's place in a practice, a clinic or a facilitator organisation.
final class Membership: Model, @unchecked Sendable {
    static let schema = "memberships"
    enum Kind: String { case owner, staff }
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "user_id") var user: User
    @OptionalParent(key: "practitioner_id") var practitioner: Practitioner?
    @OptionalParent(key: "organization_id") var organization: Organization?
    @OptionalParent(key: "facilitator_id") var facilitator: Facilitator?
    @Field(key: "role") var role: String

    init() {}
    init(userID: Int, practitionerID: Int? = nil, organizationID: Int? = nil, facilitatorID: Int? = nil, role: Kind) {
        self.$user.id = userID
        self.$practitioner.id = practitionerID
        self.$organization.id = organizationID
        self.$facilitator.id = facilitatorID
        self.role = role.rawValue
    }
}

/// A single-use link sent by email (address verification, password reset). The id is the token's SHA-256.
final class EmailToken: Model, @unchecked Sendable {
    static let schema = "email_tokens"
    enum Purpose: String { case verify, reset }
    @ID(custom: .id, generatedBy: .user) var id: String?
    @Parent(key: "user_id") var user: User
    @Field(key: "purpose") var purpose: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
    init(id: String, userID: Int, purpose: Purpose, now: Date, lifetime: TimeInterval) {
        self.id = id
        self.$user.id = userID
        self.purpose = purpose.rawValue
        self.createdAt = now
        self.expiresAt = now.addingTimeInterval(lifetime)
    }
}

/// A bearer token for the JSON API. The id is the token's SHA-256.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    @ID(custom: .id, generatedBy: .user) var id: String?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "expires_at") var expiresAt: Date?

    init() {}
    /// How long a personal token works; the person makes a new one after that.
    static let lifetime: TimeInterval = 90 * 86_400

    /// When the token stops working (tokens made before expiry was recorded count from their creation).
    var effectiveExpiry: Date { expiresAt ?? createdAt.addingTimeInterval(Self.lifetime) }

    init(id: String, userID: Int, name: String, now: Date) {
        self.id = id
        self.$user.id = userID
        self.name = name
        self.createdAt = now
        self.expiresAt = now.addingTimeInterval(Self.lifetime)
    }
}

/// A platform-wide key (audit chain, outgoing messages), wrapped by a master key.
final class PlatformKey: Model, @unchecked Sendable {
    static let schema = "platform_keys"
    @ID(custom: "purpose", generatedBy: .user) var id: String?
    @Field(key: "master_key_id") var masterKeyID: String
    @Field(key: "wrapped_key") var wrappedKey: Data
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "rotated_at") var rotatedAt: Date?
    init() {}
}

/// The audit chain's signed head (one row).
final class AuditHead: Model, @unchecked Sendable {
    static let schema = "audit_heads"
    @ID(custom: .id, generatedBy: .user) var id: Int?
    @Field(key: "last_id") var lastID: Int64
    @Field(key: "row_count") var rowCount: Int64
    @Field(key: "last_hash") var lastHash: String
    @Field(key: "legacy_until") var legacyUntil: Int64
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "signature") var signature: String
    init() {}
}
