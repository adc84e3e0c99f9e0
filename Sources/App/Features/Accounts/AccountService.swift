import Foundation
import Crypto
import Fluent
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
        try await Outbox.enqueue(kind: "verify-email", to: user.email, subject: t("mail.verify.subject"),
                                 body: t("mail.verify.body", ["name": user.displayName, "link": link, "hours": "48"]), now: now, on: tx)
    }

    enum SignUpOutcome { case created(userID: Int), alreadyRegistered }

    /// Creates a patient account that waits for email verification. For an address that already has an account,
    /// the owner is told by email instead, and the caller answers exactly as for a new account.
    static func signUp(name: String, email: String, password: String, app: Application, source: String, on db: any Database) async throws -> SignUpOutcome {
        let now = app.clock.now()
        let hash = try await Passwords.hash(password, app: app)
        let t = app.localizer
        return try await app.writes.transaction(on: db) { tx in
            if let existing = try await User.query(on: tx).filter(\.$email == email).first() {
                try await Outbox.enqueue(kind: "account-exists", to: existing.email, subject: t("mail.exists.subject"),
                                         body: t("mail.exists.body", ["signIn": app.config.baseURL + SiteURL.signIn.path,
                                                                      "reset": app.config.baseURL + SiteURL.reset.path]), now: now, on: tx)
                return .alreadyRegistered
            }
            let user = User(email: email, passwordHash: hash, displayName: name, role: .patient, now: now)
            try await user.create(on: tx)
            try await enqueueVerification(user: user, now: now, app: app, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: Role.patient.rawValue, action: "account.create",
                                                 objectType: "user", objectID: user.id.map(String.init), source: source), at: now, on: tx)
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

    /// Verifies the address behind `token`, opens the cases that were waiting for it, and returns the user id.
    static func verify(token: String, app: Application, source: String, on db: any Database) async throws -> Int? {
        let now = app.clock.now()
        guard let row = try await usableToken(token, purpose: .verify, now: now, on: db) else { return nil }
        let userID = row.$user.id
        let opened = try await app.writes.transaction(on: db) { tx -> Bool in
            // Claim the token inside the transaction: a second click finds it used.
            let claimed = try await EmailToken.query(on: tx).filter(\.$id == row.id!).filter(\.$usedAt == nil)
                .set(\.$usedAt, to: now).update()
            _ = claimed
            guard let user = try await User.find(userID, on: tx) else { return false }
            if user.emailVerifiedAt == nil {
                user.emailVerifiedAt = now
                try await user.update(on: tx)
            }
            try await CaseService.openAwaitingCases(patientID: userID, now: now, app: app, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: userID, actorRole: user.role, action: "account.verify-email",
                                                 objectType: "user", objectID: String(userID), source: source), at: now, on: tx)
            return true
        }
        return opened ? userID : nil
    }

    /// The user for these credentials, or `nil`. Unknown addresses cost a hash check too (no enumeration by timing).
    static func authenticate(email: String, password: String, app: Application, on db: any Database) async throws -> User? {
        guard let user = try await User.query(on: db).filter(\.$email == email).first() else {
            _ = try? await Passwords.verify(password, hash: Passwords.dummyHash(app: app), app: app)
            return nil
        }
        return try await Passwords.verify(password, hash: user.passwordHash, app: app) ? user : nil
    }

    /// Sends a reset link when the address has an account; the caller answers the same either way.
    static func requestReset(email: String, app: Application, source: String, on db: any Database) async throws {
        let now = app.clock.now()
        let t = app.localizer
        guard let user = try await User.query(on: db).filter(\.$email == email).first() else { return }
        try await app.writes.transaction(on: db) { tx in
            let token = try await issueToken(userID: try user.requireID(), purpose: .reset, now: now, on: tx)
            let link = app.config.baseURL + SiteURL.reset.path(query: [("token", token)])
            try await Outbox.enqueue(kind: "reset-password", to: user.email, subject: t("mail.reset.subject"),
                                     body: t("mail.reset.body", ["name": user.displayName, "link": link]), now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role, action: "account.reset-request",
                                                 objectType: "user", objectID: user.id.map(String.init), source: source), at: now, on: tx)
        }
    }

    /// Sets a new password and ends every session of the user. `keepSession` survives (a signed-in change).
    static func setPassword(userID: Int, password: String, consumingToken tokenID: String?, keepSession: String?,
                            app: Application, source: String, on db: any Database) async throws -> Bool {
        let now = app.clock.now()
        let hash = try await Passwords.hash(password, app: app)
        return try await app.writes.transaction(on: db) { tx in
            if let tokenID {
                guard let token = try await EmailToken.find(tokenID, on: tx), token.usedAt == nil, token.expiresAt > now else { return false }
                token.usedAt = now
                try await token.update(on: tx)
            }
            guard let user = try await User.find(userID, on: tx) else { return false }
            user.passwordHash = hash
            user.passwordChangedAt = now
            // Following a reset link proves the address too.
            if tokenID != nil && user.emailVerifiedAt == nil { user.emailVerifiedAt = now }
            try await user.update(on: tx)
            let sessions = UserSession.query(on: tx).filter(\.$user.$id == userID)
            if let keepSession { sessions.filter(\.$id != keepSession) }
            try await sessions.delete()
            try await AuditLog.append(AuditEntry(actorUserID: userID, actorRole: user.role, action: "account.password-change",
                                                 objectType: "user", objectID: String(userID), source: source), at: now, on: tx)
            try await Outbox.enqueue(kind: "password-changed", to: user.email, subject: app.localizer("mail.passwordChanged.subject"),
                                     body: app.localizer("mail.passwordChanged.body", ["reset": app.config.baseURL + SiteURL.reset.path]),
                                     now: now, on: tx)
            return true
        }
    }
}
