import Foundation
import Crypto
import Fluent
import SQLKit
import Vapor
import Domain

/// Password hashing. Bcrypt reads only the first 72 bytes, so every password is first reduced to the base64 of
/// its SHA-256 (44 bytes): long passphrases keep all their strength. Hashing runs on the thread pool, off the
/// event loop.
enum Passwords {
    static func prepared(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.precomposedStringWithCanonicalMapping.utf8))).base64EncodedString()
    }

    static func hash(_ password: String, app: Application) async throws -> String {
        try await app.password.async.hash(prepared(password)).get()
    }

    static func verify(_ password: String, hash: String, app: Application) async throws -> Bool {
        try await app.password.async.verify(prepared(password), created: hash).get()
    }

    /// Checked against when the email is unknown, so that answer takes as long as a wrong password.
    static func dummyHash(app: Application) -> String {
        struct Key: StorageKey { typealias Value = String }
        if let value = app.storage[Key.self] { return value }
        let hashed: String? = try? app.password.sync.hash(prepared(SecretToken.make()))
        let value = hashed ?? ""
        app.storage[Key.self] = value
        return value
    }

    /// Problems with a new password, as form problems on `field`.
    static func problems(_ password: String, email: String?, field: String, app: Application) -> [FieldProblem] {
        app.passwordPolicy.problems(password: password, email: email).map { problem in
            switch problem {
            case .tooShort(let minimum): return FieldProblem(field, .tooShort(min: minimum))
            case .tooLong(let maximum): return FieldProblem(field, .tooLong(max: maximum))
            case .common, .repetitive: return FieldProblem(field, .passwordCommon)
            case .containsEmail: return FieldProblem(field, .passwordContainsEmail)
            }
        }
        .reduce(into: [FieldProblem]()) { if !$0.contains($1) { $0.append($1) } }
    }
}

/// Accounts: creation, email verification, sign-in checks and password reset.
enum AccountService {
    static let verifyLifetime: TimeInterval = 48 * 3600
    static let resetLifetime: TimeInterval = 3600

    /// Creates a single-use token and returns it (only its digest is stored).
    static func issueToken(userID: Int, purpose: EmailToken.Purpose, now: Date, on tx: any Database) async throws -> String {
        let token = SecretToken.make()
        let lifetime = purpose == .verify ? verifyLifetime : resetLifetime
        try await EmailToken(id: SecretToken.digest(token), userID: userID, purpose: purpose, now: now, lifetime: lifetime).create(on: tx)
        return token
    }

    /// Writes the verification message for `user` into the outbox (in the caller's transaction).
    static func enqueueVerification(user: User, now: Date, app: Application, on tx: any Database) async throws {
        let token = try await issueToken(userID: try user.requireID(), purpose: .verify, now: now, on: tx)
        let t = app.localizer
        let link = app.config.baseURL + SiteURL.verify.path(query: [("token", token)])
        try await Outbox.enqueue(app, kind: "verify-email", to: user.email, subject: t("mail.verify.subject"),
                                 body: t("mail.verify.body", ["name": user.displayName, "link": link, "hours": "48"]), now: now, on: tx)
    }

    enum SignUpOutcome { case created(userID: Int), alreadyRegistered }

    /// Creates a patient account that waits for email verification. For an address that already has an account,
    /// the owner is told by email instead, and the caller answers exactly as for a new account.
    static func signUp(name: String, email: String, password: String, app: Application, source: String, on db: any Database) async throws -> SignUpOutcome {
        let now = app.clock.now()
        let hash = try await Passwords.hash(password, app: app)
        let t = app.localizer
        @Sendable func tellOwner(_ existing: User, on tx: any Database) async throws {
            try await Outbox.enqueue(app, kind: "account-exists", to: existing.email, subject: t("mail.exists.subject"),
                                     body: t("mail.exists.body", ["signIn": app.config.baseURL + SiteURL.signIn.path,
                                                                  "reset": app.config.baseURL + SiteURL.reset.path]), now: now, on: tx)
        }
        do {
            return try await create(name: name, email: email, hash: hash, now: now, app: app, source: source, on: db, tellOwner: tellOwner)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two sign-ups with one address at once: the unique email decided, and the loser is answered like any
            // sign-up with a known address.
            return try await app.writes.transaction(on: db) { tx in
                if let existing = try await User.query(on: tx).filter(\.$email == email).first() { try await tellOwner(existing, on: tx) }
                return .alreadyRegistered
            }
        }
    }

    private static func create(name: String, email: String, hash: String, now: Date, app: Application, source: String, on db: any Database,
                               tellOwner: @escaping @Sendable (User, any Database) async throws -> Void) async throws -> SignUpOutcome {
        try await app.writes.transaction(on: db) { tx in
            if let existing = try await User.query(on: tx).filter(\.$email == email).first() {
                try await tellOwner(existing, tx)
                return .alreadyRegistered
            }
            let user = User(email: email, passwordHash: hash, displayName: name, role: .patient, now: now)
            try await user.create(on: tx)
            try await app.legal.recordAcceptance(userID: try user.requireID(), caseID: nil, now: now, on: tx)
            try await enqueueVerification(user: user, now: now, app: app, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: Role.patient.rawValue, action: "account.create",
                                                 objectType: "user", objectID: user.id.map(String.init), source: source), at: now, app: app, on: tx)
            return .created(userID: try user.requireID())
        }
    }

    /// A token that is usable for `purpose`, or `nil`.
    static func usableToken(_ token: String, purpose: EmailToken.Purpose, now: Date, on db: any Database) async throws -> EmailToken? {
        guard SecretToken.isWellFormed(token) else { return nil }
        guard let row = try await EmailToken.query(on: db).filter(\.$id == SecretToken.digest(token)).first(),
              row.purpose == purpose.rawValue, row.usedAt == nil, row.expiresAt > now else { return nil }
        return row
    }

    /// Marks an emailed token used, if it is still unused, unexpired and for `purpose`: one conditional UPDATE whose
    /// changed row decides, so of two requests with the same link only one gets its user id back.
    static func claimToken(digest: String, purpose: EmailToken.Purpose, now: Date, on tx: any Database) async throws -> Int? {
        struct Claimed: Decodable { let user_id: Int }
        return try await (tx as! any SQLDatabase).update("email_tokens").set("used_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(digest)).where("purpose", .equal, SQLBind(purpose.rawValue))
            .where("used_at", .is, SQLLiteral.null).where("expires_at", .greaterThan, SQLBind(now))
            .returning("user_id").all(decoding: Claimed.self).first?.user_id
    }

    /// Verifies the address behind `token`, ends every session and API token the account had (whoever opened them
    /// before the owner confirmed), opens the cases that were waiting for it, and returns the user id.
    static func verify(token: String, app: Application, source: String, on db: any Database) async throws -> Int? {
        guard SecretToken.isWellFormed(token) else { return nil }
        let now = app.clock.now()
        return try await app.writes.transaction(on: db) { tx -> Int? in
            guard let userID = try await claimToken(digest: SecretToken.digest(token), purpose: .verify, now: now, on: tx),
                  let user = try await User.find(userID, on: tx) else { return nil }
            if user.emailVerifiedAt == nil {
                user.emailVerifiedAt = now
                try await user.update(on: tx)
                // The first confirmation ends whatever was opened before it; a later link of an older mail must not
                // sign an already confirmed owner out.
                try await endAccess(userID: userID, now: now, on: tx)
            }
            try await CaseService.openAwaitingCases(patientID: userID, now: now, app: app, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: userID, actorRole: user.role, action: "account.verify-email",
                                                 objectType: "user", objectID: String(userID), source: source), at: now, app: app, on: tx)
            return userID
        }
    }

    /// Records `step` as the last used sign-in code step if it is later than the one recorded: one conditional UPDATE.
    static func claimCodeStep(_ step: Int64, userID: Int, on tx: any Database) async throws -> Bool {
        struct Claimed: Decodable { let id: Int }
        return try await (tx as! any SQLDatabase).update("users").set("totp_last_step", to: SQLBind(step))
            .where("id", .equal, SQLBind(userID))
            .where { $0.where("totp_last_step", .is, SQLLiteral.null).orWhere("totp_last_step", .lessThan, SQLBind(step)) }
            .returning("id").all(decoding: Claimed.self).count == 1
    }

    /// Ends every session of the user except `keepSession`, and revokes every API token.
    static func endAccess(userID: Int, keepSession: String? = nil, now: Date, on tx: any Database) async throws {
        let sessions = UserSession.query(on: tx).filter(\.$user.$id == userID)
        if let keepSession { sessions.filter(\.$id != keepSession) }
        try await sessions.delete()
        try await APIToken.query(on: tx).filter(\.$user.$id == userID).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
    }

    /// The user for these credentials, or `nil`. Unknown addresses cost a hash check too (no enumeration by timing).
    static func authenticate(email: String, password: String, app: Application, on db: any Database) async throws -> User? {
        guard let user = try await User.query(on: db).filter(\.$email == email).first() else {
            _ = try? await Passwords.verify(password, hash: Passwords.dummyHash(app: app), app: app)
            return nil
        }
        // A closed account answers like a wrong password (after the same hash check).
        return try await Passwords.verify(password, hash: user.passwordHash, app: app) && user.closedAt == nil ? user : nil
    }

    /// Sends a reset link when the address has an account; the caller answers the same either way.
    static func requestReset(email: String, app: Application, source: String, on db: any Database) async throws {
        let now = app.clock.now()
        let t = app.localizer
        // A closed account gets no reset link (the answer to the visitor is the same).
        guard let user = try await User.query(on: db).filter(\.$email == email).first(), user.closedAt == nil else { return }
        try await app.writes.transaction(on: db) { tx in
            let token = try await issueToken(userID: try user.requireID(), purpose: .reset, now: now, on: tx)
            let link = app.config.baseURL + SiteURL.reset.path(query: [("token", token)])
            try await Outbox.enqueue(app, kind: "reset-password", to: user.email, subject: t("mail.reset.subject"),
                                     body: t("mail.reset.body", ["name": user.displayName, "link": link]), now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role, action: "account.reset-request",
                                                 objectType: "user", objectID: user.id.map(String.init), source: source), at: now, app: app, on: tx)
        }
    }

    /// Sets a new password and ends every session of the user. `keepSession` survives (a signed-in change).
    static func setPassword(userID: Int, password: String, consumingToken tokenID: String?, keepSession: String?,
                            app: Application, source: String, on db: any Database) async throws -> Bool {
        let now = app.clock.now()
        let hash = try await Passwords.hash(password, app: app)
        return try await app.writes.transaction(on: db) { tx in
            if let tokenID {
                guard try await claimToken(digest: tokenID, purpose: .reset, now: now, on: tx) == userID else { return false }
            }
            guard let user = try await User.find(userID, on: tx) else { return false }
            user.passwordHash = hash
            user.passwordChangedAt = now
            // Following a reset link proves the address too.
            if tokenID != nil && user.emailVerifiedAt == nil { user.emailVerifiedAt = now }
            try await user.update(on: tx)
            // A new password ends every session and API token (a stolen token must not outlive the change).
            try await endAccess(userID: userID, keepSession: keepSession, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: userID, actorRole: user.role, action: "account.password-change",
                                                 objectType: "user", objectID: String(userID), source: source), at: now, app: app, on: tx)
            try await Outbox.enqueue(app, kind: "password-changed", to: user.email, subject: app.localizer("mail.passwordChanged.subject"),
                                     body: app.localizer("mail.passwordChanged.body", ["reset": app.config.baseURL + SiteURL.reset.path]),
                                     now: now, on: tx)
            return true
        }
    }
}
