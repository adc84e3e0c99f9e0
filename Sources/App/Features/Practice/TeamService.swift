import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Invitations and removals decided by one conditional write; an answer the controller turns into a message.
enum TeamRefusal: Error, Equatable {
    case notOwner, lastOwner, notMember, invitationUsed, alreadyMember, wrongAccount
}

/// A practice's team: its owners invite staff by email (the invitation sets up the account and its second
/// factor), remove them, and see who did what. Staff see the team; only owners change it.
enum TeamService {
    static let invitationLifetime: TimeInterval = 7 * 86_400

    struct Member: Sendable {
        let userID: Int
        let name: String
        let email: String
        let role: Membership.Kind
        let lastSignIn: Date?
    }

    struct Invitation: Sendable {
        let id: String
        let email: String
        let role: Membership.Kind
        let createdAt: Date
        let expiresAt: Date
        let invitedBy: String?
    }

    struct Activity: Sendable {
        let at: Date
        let who: String
        let action: String
        let object: String
    }

    /// The open invitation an emailed token stands for, with its workplace's name.
    struct OpenInvitation: Sendable {
        let id: String
        let email: String
        let role: Membership.Kind
        let practitionerID: Int?
        let organizationID: Int?
        let workplaceName: String
    }

    static func membershipQuery(_ w: SchedulePages.Workplace, on db: any Database) -> QueryBuilder<Membership> {
        let q = Membership.query(on: db)
        if let p = w.practitionerID { return q.filter(\.$practitioner.$id == p) }
        return q.filter(\.$organization.$id == (w.organizationID ?? 0))
    }

    static func members(_ w: SchedulePages.Workplace, on db: any Database) async throws -> [Member] {
        let rows = try await membershipQuery(w, on: db).with(\.$user).all()
        let ids = rows.map { $0.$user.id }
        struct Last: Decodable { let actor_user_id: Int; let at: Date }
        let last = ids.isEmpty ? [] : try await (db as! any SQLDatabase).select()
            .column("actor_user_id").column(SQLFunction("MAX", args: SQLColumn("at")), as: "at")
            .from("audit_events").where("actor_user_id", .in, SQLBind.group(ids))
            .where("action", .in, SQLBind.group(["account.sign-in", "account.two-factor.verify", "account.two-factor.enable"]))
            .groupBy("actor_user_id").all(decoding: Last.self)
        return rows.map { m in
            Member(userID: m.$user.id, name: m.user.displayName, email: m.user.email, role: Membership.Kind(rawValue: m.role) ?? .staff,
                   lastSignIn: last.first { $0.actor_user_id == m.$user.id }?.at)
        }.sorted { ($0.role == .owner ? 0 : 1, $0.name) < ($1.role == .owner ? 0 : 1, $1.name) }
    }

    static func isOwner(_ userID: Int, _ w: SchedulePages.Workplace, on db: any Database) async throws -> Bool {
        try await membershipQuery(w, on: db).filter(\.$user.$id == userID).filter(\.$role == Membership.Kind.owner.rawValue).count() > 0
    }

    static func invitations(_ w: SchedulePages.Workplace, now: Date, on db: any Database) async throws -> [Invitation] {
        struct Row: Decodable { let id: String; let email: String; let role: String; let created_at: Date; let expires_at: Date; let display_name: String? }
        var q = (db as! any SQLDatabase).select()
            .column(SQLColumn("id", table: "i")).column(SQLColumn("email", table: "i")).column(SQLColumn("role", table: "i"))
            .column(SQLColumn("created_at", table: "i")).column(SQLColumn("expires_at", table: "i")).column(SQLColumn("display_name", table: "u"))
            .from(SQLAlias(SQLIdentifier("staff_invitations"), as: SQLIdentifier("i")))
            .join(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("u")), method: SQLJoinMethod.left,
                  on: SQLColumn("invited_by", table: "i"), .equal, SQLColumn("id", table: "u"))
            .where(SQLColumn("accepted_at", table: "i"), .is, SQLLiteral.null).where(SQLColumn("revoked_at", table: "i"), .is, SQLLiteral.null)
            .where(SQLColumn("expires_at", table: "i"), .greaterThan, SQLBind(now))
        if let p = w.practitionerID { q = q.where(SQLColumn("practitioner_id", table: "i"), .equal, SQLBind(p)) }
        else { q = q.where(SQLColumn("organization_id", table: "i"), .equal, SQLBind(w.organizationID ?? 0)) }
        return try await q.orderBy(SQLColumn("created_at", table: "i") as any SQLExpression, SQLDirection.descending).all(decoding: Row.self).map {
            Invitation(id: $0.id, email: $0.email, role: Membership.Kind(rawValue: $0.role) ?? .staff, createdAt: $0.created_at, expiresAt: $0.expires_at,
                       invitedBy: $0.display_name)
        }
    }

    /// Sends an invitation (owners only). Returns the emailed token (tests read it from the mail).
    @discardableResult
    static func invite(email: String, role: Membership.Kind, to w: SchedulePages.Workplace, by user: SignedInUser, app: Application, source: String,
                       on db: any Database) async throws -> String {
        let now = app.clock.now()
        let token = SecretToken.make()
        try await app.writes.transaction(on: db) { tx in
            guard try await isOwner(user.id, w, on: tx) else { throw TeamRefusal.notOwner }
            if try await membershipQuery(w, on: tx).join(User.self, on: \Membership.$user.$id == \User.$id).filter(User.self, \.$email == email).count() > 0 {
                throw TeamRefusal.alreadyMember
            }
            try await createInvitation(token: token, email: email, role: role, practitionerID: w.practitionerID, organizationID: w.organizationID,
                                       workplaceName: w.name, inviter: (user.id, user.displayName), app: app, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "team.invite", objectType: "provider",
                                                 objectID: w.key, source: source), at: now, app: app, on: tx)
        }
        return token
    }

    /// Stores an invitation (its token's digest) and emails the link, in the caller's transaction. `inviter` is the
    /// owner who invites, or the platform (an approved claim or application).
    static func createInvitation(token: String, email: String, role: Membership.Kind, practitionerID: Int?, organizationID: Int?, workplaceName: String,
                                 inviter: (id: Int, name: String)?, app: Application, now: Date, on tx: any Database) async throws {
        try await (tx as! any SQLDatabase).insert(into: "staff_invitations")
            .columns("id", "email", "practitioner_id", "organization_id", "role", "invited_by", "created_at", "expires_at")
            .values(SQLBind(SecretToken.digest(token)), SQLBind(email), SQLBind(practitionerID), SQLBind(organizationID), SQLBind(role.rawValue),
                    SQLBind(inviter?.id), SQLBind(now), SQLBind(now.addingTimeInterval(invitationLifetime)))
            .run()
        let t = app.localizer
        let link = app.config.baseURL + SiteURL.invitation.path(query: [("token", token)])
        try await Outbox.enqueue(app, kind: "team-invitation", to: email, subject: t("mail.teamInvitation.subject", ["provider": workplaceName]),
                                 body: t("mail.teamInvitation.body", ["provider": workplaceName, "name": inviter?.name ?? t("site.team"), "link": link,
                                                                     "days": "\(Int(invitationLifetime / 86_400))"]), now: now, on: tx)
    }

    static func revoke(_ id: String, in w: SchedulePages.Workplace, by user: SignedInUser, app: Application, source: String, on db: any Database) async throws {
        let now = app.clock.now()
        try await app.writes.transaction(on: db) { tx in
            guard try await isOwner(user.id, w, on: tx) else { throw TeamRefusal.notOwner }
            var q = (tx as! any SQLDatabase).update("staff_invitations").set("revoked_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id)).where("accepted_at", .is, SQLLiteral.null).where("revoked_at", .is, SQLLiteral.null)
            if let p = w.practitionerID { q = q.where("practitioner_id", .equal, SQLBind(p)) } else { q = q.where("organization_id", .equal, SQLBind(w.organizationID ?? 0)) }
            guard try await q.returning("id").all().count == 1 else { throw TeamRefusal.invitationUsed }
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "team.invite.revoke", objectType: "provider",
                                                 objectID: w.key, source: source), at: now, app: app, on: tx)
        }
    }

    /// Locks the workplace's row until the transaction ends.
    static func lock(_ w: SchedulePages.Workplace, on tx: any Database) async throws {
        let (table, id) = ProfileService.table(w)
        try await (tx as! any SQLDatabase).update(table).set("profile_version", to: SQLRaw("profile_version")).where("id", .equal, SQLBind(id)).run()
    }

    /// Removes a member (owners only; never the last owner). The person's sessions end when they have no other
    /// workplace, so access stops at once.
    static func remove(userID: Int, from w: SchedulePages.Workplace, by user: SignedInUser, app: Application, source: String, on db: any Database) async throws {
        let now = app.clock.now()
        try await app.writes.transaction(on: db) { tx in
            // Team changes of one workplace run one after the other: the no-op update locks its row on PostgreSQL
            // (SQLite's write gate does the same), so two owners removing each other cannot both pass the
            // "not the last owner" check.
            try await lock(w, on: tx)
            guard try await isOwner(user.id, w, on: tx) else { throw TeamRefusal.notOwner }
            guard let membership = try await membershipQuery(w, on: tx).filter(\.$user.$id == userID).first() else { throw TeamRefusal.notMember }
            if membership.role == Membership.Kind.owner.rawValue,
               try await membershipQuery(w, on: tx).filter(\.$role == Membership.Kind.owner.rawValue).count() <= 1 {
                throw TeamRefusal.lastOwner
            }
            try await membership.delete(on: tx)
            if try await Membership.query(on: tx).filter(\.$user.$id == userID).count() == 0 {
                try await AccountService.endAccess(userID: userID, now: now, on: tx)
            }
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "team.remove", objectType: "provider",
                                                 objectID: w.key, source: source), at: now, app: app, on: tx)
        }
    }

    /// The open invitation behind an emailed token, or nil (used, revoked, expired or unknown).
    static func open(token: String, now: Date, on db: any Database) async throws -> OpenInvitation? {
        guard SecretToken.isWellFormed(token) else { return nil }
        struct Row: Decodable { let id: String; let email: String; let role: String; let practitioner_id: Int?; let organization_id: Int? }
        guard let row = try await (db as! any SQLDatabase).select().columns("id", "email", "role", "practitioner_id", "organization_id")
            .from("staff_invitations").where("id", .equal, SQLBind(SecretToken.digest(token)))
            .where("accepted_at", .is, SQLLiteral.null).where("revoked_at", .is, SQLLiteral.null).where("expires_at", .greaterThan, SQLBind(now))
            .first(decoding: Row.self) else { return nil }
        var name = ""
        if let p = row.practitioner_id { name = try await Practitioner.find(p, on: db)?.displayName ?? "" }
        else if let o = row.organization_id { name = try await Organization.find(o, on: db)?.name ?? "" }
        return OpenInvitation(id: row.id, email: row.email, role: Membership.Kind(rawValue: row.role) ?? .staff, practitionerID: row.practitioner_id,
                              organizationID: row.organization_id, workplaceName: name)
    }

    /// Claims an invitation: one conditional update (still open, not revoked, not expired). Of two requests with
    /// the same link, only one gets past this; on PostgreSQL the second waits for the first and then finds it used.
    static func claim(_ invitation: OpenInvitation, now: Date, on tx: any Database) async throws {
        let rows = try await (tx as! any SQLDatabase).update("staff_invitations").set("accepted_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(invitation.id)).where("accepted_at", .is, SQLLiteral.null).where("revoked_at", .is, SQLLiteral.null)
            .where("expires_at", .greaterThan, SQLBind(now)).returning("id").all()
        guard rows.count == 1 else { throw TeamRefusal.invitationUsed }
    }

    /// The membership of `userID` after a claimed invitation, recorded on the invitation and audited.
    static func join(_ invitation: OpenInvitation, userID: Int, now: Date, app: Application, source: String, on tx: any Database) async throws {
        var existing = Membership.query(on: tx).filter(\.$user.$id == userID)
        if let p = invitation.practitionerID { existing = existing.filter(\.$practitioner.$id == p) } else { existing = existing.filter(\.$organization.$id == invitation.organizationID) }
        guard try await existing.count() == 0 else { throw TeamRefusal.alreadyMember }
        try await Membership(userID: userID, practitionerID: invitation.practitionerID, organizationID: invitation.organizationID, role: invitation.role).create(on: tx)
        try await (tx as! any SQLDatabase).update("staff_invitations").set("accepted_by", to: SQLBind(userID)).where("id", .equal, SQLBind(invitation.id)).run()
        let key = invitation.practitionerID.map(ProviderKey.practitioner) ?? ProviderKey.organization(invitation.organizationID ?? 0)
        try await AuditLog.append(AuditEntry(actorUserID: userID, actorRole: Role.provider.rawValue, action: "team.join", objectType: "provider",
                                             objectID: key, source: source), at: now, app: app, on: tx)
    }

    /// An existing provider account (the invited address, signed in) joins the team.
    static func accept(_ invitation: OpenInvitation, userID: Int, now: Date, app: Application, source: String, on tx: any Database) async throws {
        try await claim(invitation, now: now, on: tx)
        try await join(invitation, userID: userID, now: now, app: app, source: source, on: tx)
    }

    /// A new provider account for the invited address (confirmed by the emailed link), joined to the team. Its
    /// second factor is set up at the first step after this (no staff session without it). The invitation is
    /// claimed first, so racing requests with one link make one account.
    static func acceptWithNewAccount(_ invitation: OpenInvitation, name: String, password: String, app: Application, source: String,
                                     on db: any Database) async throws -> Int {
        let now = app.clock.now()
        let hash = try await Passwords.hash(password, app: app)
        return try await app.writes.transaction(on: db) { tx in
            try await claim(invitation, now: now, on: tx)
            guard try await User.query(on: tx).filter(\.$email == invitation.email).count() == 0 else { throw TeamRefusal.wrongAccount }
            let user = User(email: invitation.email, passwordHash: hash, displayName: name, role: .provider, now: now)
            user.emailVerifiedAt = now
            try await user.create(on: tx)
            let id = try user.requireID()
            try await AuditLog.append(AuditEntry(actorUserID: id, actorRole: Role.provider.rawValue, action: "account.create", objectType: "user",
                                                 objectID: String(id), source: source), at: now, app: app, on: tx)
            try await join(invitation, userID: id, now: now, app: app, source: source, on: tx)
            return id
        }
    }

    /// What the team did: the workplace's own trail (profile, team, credentials) and the actions of its members on
    /// its cases, newest first.
    static func activity(_ w: SchedulePages.Workplace, on db: any Database, limit: Int = 100) async throws -> [Activity] {
        var owned = Credential.query(on: db)
        if let p = w.practitionerID { owned = owned.filter(\.$practitioner.$id == p) } else { owned = owned.filter(\.$organization.$id == w.organizationID) }
        let credentialIDs = try await owned.all().compactMap { $0.id.map(String.init) }
        var cases = ConsultationCase.query(on: db)
        if let p = w.practitionerID { cases = cases.filter(\.$practitioner.$id == p) } else { cases = cases.filter(\.$organization.$id == w.organizationID) }
        let references = try await cases.sort(\.$updatedAt, .descending).limit(500).all().map(\.reference)
        let events = try await AuditEvent.query(on: db).group(.or) { or in
            or.filter(\.$objectID == w.key)
            if !credentialIDs.isEmpty { or.group(.and) { $0.filter(\.$objectType == "credential").filter(\.$objectID ~~ credentialIDs) } }
            if !references.isEmpty { or.group(.and) { $0.filter(\.$objectType == "case").filter(\.$objectID ~~ references) } }
        }.filter(\.$actorRole != Role.patient.rawValue).sort(\.$id, .descending).limit(limit).all()
        let names = Dictionary(try await User.query(on: db).filter(\.$id ~~ Set(events.compactMap(\.actorUserID))).all().map { ($0.id ?? 0, $0.displayName) },
                               uniquingKeysWith: { a, _ in a })
        return events.map { e in
            Activity(at: e.at, who: e.actorUserID.flatMap { names[$0] } ?? e.actorRole, action: e.action, object: e.objectType == "provider" ? "" : (e.objectID ?? ""))
        }
    }
}
