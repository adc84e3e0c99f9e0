import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Whose credential it is: a practitioner's practice or a clinic.
struct CredentialHolder: Sendable, Equatable {
    let practitionerID: Int?
    let organizationID: Int?

    init(practitionerID: Int?, organizationID: Int?) {
        self.practitionerID = practitionerID
        self.organizationID = organizationID
    }

    init(_ w: SchedulePages.Workplace) { self.init(practitionerID: w.practitionerID, organizationID: w.organizationID) }

    func owns(_ c: Credential) -> Bool {
        if let p = practitionerID { return c.$practitioner.id == p }
        if let o = organizationID { return c.$organization.id == o }
        return false
    }
}

/// A credential with what its practice and administrators see of it.
struct CredentialRecord: Sendable {
    let id: Int
    let holderName: String
    let holderSlug: String
    /// The holder's public page: a practitioner's profile, a clinic's page or a facilitator organisation's profile.
    let holderProfile: SiteURL
    let kind: String
    let title: String
    let issuer: String?
    let number: String?
    let validFrom: Date?
    let validUntil: Date?
    let lastVerified: Date?
    let status: VerificationStatus
    let registerURL: String?
    let submittedAt: Date?
    let version: Int
    var evidence: [(id: String, name: String, kind: AttachmentKind, bytes: Int)] = []
    var checks: [CheckView] = []

    /// The status at `now`, with the same rule as the public badge.
    func effectiveStatus(at now: Date) -> VerificationStatus {
        CredentialCheck(status: status, validFrom: validFrom, validUntil: validUntil, lastVerified: lastVerified).effectiveStatus(at: now)
    }
}

struct CheckView: Sendable {
    let checkedAt: Date
    let checkedBy: String
    let outcome: CheckOutcome
    let whatChecked: String
    let registerURL: String
    let expires: Date?
    let reason: String?
}

/// Another administrator recorded a check (or the practice sent evidence) since the page was opened; answered 409.
struct CredentialChanged: Error {}

/// Credentials submitted by practices and checked by administrators. A practice's submission shows on its profile
/// as "submitted, not yet verified"; only a check recorded here, one conditional update on the credential's
/// version together with the check record, makes it verified (with the expiry the register confirmed), refused or
/// waiting for more evidence. The badge is read from the credential's status, check date and expiry, which only
/// these checks write. A verified credential past its expiry is marked expired by `expireLapsed` the same day.
enum CredentialService {
    static let evidenceKeyPurpose = "credential-evidence"
    static let maxEvidence = 5
    /// Five files of 10 MiB and the form, with multipart overhead.
    static let maxBody: ByteCount = "52mb"

    static func evidenceContext(_ credentialID: Int, _ id: String) -> String { "credential:\(credentialID):evidence:\(id)" }
    static func nameContext(_ credentialID: Int, _ id: String) -> String { "credential:\(credentialID):evidence:\(id):name" }

    // MARK: practice

    /// Stores a submission with its evidence (sealed) as pending, audits it and tells the administrators.
    static func submit(_ s: CredentialSubmission, evidence: [InspectedAttachment], holder: CredentialHolder, user: SignedInUser,
                       app: Application, source: String, on db: any Database) async throws -> Int {
        let now = app.clock.now()
        // This node drops its cached pages once the submission is stored; the others follow the content generation.
        defer { app.renderCache.invalidate() }
        return try await app.writes.transaction(on: db) { tx in
            let c = Credential()
            c.$practitioner.id = holder.practitionerID
            c.$organization.id = holder.organizationID
            c.kind = s.kind.rawValue
            c.title = s.title
            c.issuer = s.issuer
            c.number = s.number
            c.validFrom = s.validFrom
            c.validUntil = s.validUntil
            c.registerURL = s.registerURL
            c.status = VerificationStatus.pending.rawValue
            c.submittedAt = now
            c.submittedBy = user.id
            c.version = 0
            try await c.create(on: tx)
            let id = try c.requireID()
            try await store(evidence, credentialID: id, from: 0, user: user, app: app, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "credential.submit",
                                                 objectType: "credential", objectID: String(id), source: source), at: now, app: app, on: tx)
            try await changed(holder, app: app, now: now, on: tx)
            try await tellAdministrators(app: app, now: now, on: tx)
            return id
        }
    }

    /// Adds evidence to a credential waiting for checking or for more evidence; it goes back to the queue as pending.
    /// One conditional update on the version the practice saw.
    static func addEvidence(_ evidence: [InspectedAttachment], credentialID: Int, expectedVersion: Int, holder: CredentialHolder,
                            user: SignedInUser, app: Application, source: String, on db: any Database) async throws {
        let now = app.clock.now()
        defer { app.renderCache.invalidate() }
        try await app.writes.transaction(on: db) { tx in
            let sql = tx as! any SQLDatabase
            guard let c = try await Credential.find(credentialID, on: tx), holder.owns(c) else { throw Abort(.notFound) }
            let rows = try await sql.update("credentials")
                .set("status", to: SQLBind(VerificationStatus.pending.rawValue))
                .set("version", to: SQLRaw("version + 1"))
                .where("id", .equal, SQLBind(credentialID)).where("version", .equal, SQLBind(expectedVersion))
                .where("status", .in, SQLBind.group([VerificationStatus.pending.rawValue, VerificationStatus.needsEvidence.rawValue]))
                .returning("id").all()
            guard rows.count == 1 else { throw CredentialChanged() }
            let count = try await CredentialEvidenceRow.query(on: tx).filter(\.$credentialID == credentialID).count()
            guard count + evidence.count <= maxEvidence * 2 else { throw CredentialChanged() }
            try await store(evidence, credentialID: credentialID, from: count, user: user, app: app, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "credential.evidence",
                                                 objectType: "credential", objectID: String(credentialID), source: source), at: now, app: app, on: tx)
            try await changed(holder, app: app, now: now, on: tx)
            try await tellAdministrators(app: app, now: now, on: tx)
        }
    }

    private static func store(_ evidence: [InspectedAttachment], credentialID: Int, from position: Int, user: SignedInUser, app: Application,
                              now: Date, on tx: any Database) async throws {
        guard !evidence.isEmpty else { return }
        let key = try await app.vault.platformKey(evidenceKeyPurpose, creatingIn: tx, now: now)
        for (i, file) in evidence.enumerated() {
            let row = CredentialEvidenceRow()
            let id = UUID().uuidString.lowercased()
            row.id = id
            row.credentialID = credentialID
            row.position = position + i
            row.format = file.kind.rawValue
            row.byteCount = file.bytes.count
            row.nameSealed = try Vault.seal(Data(file.name.utf8), key: key, context: nameContext(credentialID, id))
            row.dataSealed = try Vault.seal(Data(file.bytes), key: key, context: evidenceContext(credentialID, id))
            row.uploadedBy = user.id
            row.uploadedAt = now
            try await row.create(on: tx)
        }
    }

    // MARK: administrators

    /// Records a check and applies its outcome to the credential in one conditional update on the version the
    /// administrator saw: verified (checked today, valid until the confirmed expiry), refused, or needs evidence.
    /// Throws `CredentialChanged` when someone else changed it first.
    static func record(_ check: CheckRecord, credentialID: Int, expectedVersion: Int, admin: SignedInUser, app: Application, source: String,
                       on db: any Database) async throws {
        let now = app.clock.now()
        try await app.writes.transaction(on: db) { tx in
            let sql = tx as! any SQLDatabase
            guard let c = try await Credential.find(credentialID, on: tx) else { throw Abort(.notFound) }
            var update = sql.update("credentials")
                .set("status", to: SQLBind(check.outcome.status.rawValue))
                .set("version", to: SQLRaw("version + 1"))
            if check.outcome == .verified {
                update = update.set("last_verified_at", to: SQLBind(now)).set("valid_until", to: SQLBind(check.expires))
                    .set("register_url", to: SQLBind(check.registerURL))
            }
            let rows = try await update.where("id", .equal, SQLBind(credentialID)).where("version", .equal, SQLBind(expectedVersion))
                .returning("id").all()
            guard rows.count == 1 else { throw CredentialChanged() }
            try await sql.insert(into: "credential_checks")
                .columns("credential_id", "checked_by", "checked_at", "outcome", "what_checked", "register_url", "expires_at", "reason")
                .values(SQLBind(credentialID), SQLBind(admin.id), SQLBind(now), SQLBind(check.outcome.rawValue), SQLBind(check.whatChecked),
                        SQLBind(check.registerURL), SQLBind(check.expires), SQLBind(check.reason))
                .run()
            try await AuditLog.append(AuditEntry(actorUserID: admin.id, actorRole: admin.role.rawValue, action: "credential.check.\(check.outcome.rawValue)",
                                                 objectType: "credential", objectID: String(credentialID), source: source), at: now, app: app, on: tx)
            let holder = CredentialHolder(practitionerID: c.$practitioner.id, organizationID: c.$organization.id)
            try await changed(holder, app: app, now: now, on: tx)
            let link = app.config.baseURL + SiteURL.practiceCredentials.path
            try await CaseService.tellTeam(practitionerID: holder.practitionerID, organizationID: holder.organizationID, kind: "credential-checked",
                                           mail: "mail.credentialChecked",
                                           values: ["title": c.title, "outcome": app.localizer("credential.status.\(check.outcome.status.rawValue)"), "link": link],
                                           app: app, now: now, on: tx)
        }
        app.renderCache.invalidate()
    }

    /// Marks verified credentials whose expiry has passed as expired, re-indexes their holders and moves the
    /// generations, so the badge goes from profiles, clinic pages and search on every node. The badge is already
    /// refused at request time past the expiry; this makes the status say so too and drops cached pages. Runs with
    /// the housekeeping, in batches of at most 500: each batch is one transaction whose conditional update decides
    /// which credentials it expired (a credential checked again meanwhile is left alone), with one audit event per
    /// credential and one move of the generations for the whole batch — one move per credential made every node
    /// reload its search index hundreds of times in a row.
    @discardableResult
    static func expireLapsed(app: Application, batchSize: Int = 500) async throws -> Int {
        let now = app.clock.now()
        var expired = 0
        while true {
            let done = try await app.writes.transaction(on: app.db) { tx -> Int in
                let sql = tx as! any SQLDatabase
                struct ID: Decodable { let id: Int }
                struct Row: Decodable { let id: Int; let practitioner_id: Int?; let organization_id: Int? }
                let ids = try await sql.select().column("id").from("credentials")
                    .where("status", .equal, SQLBind(VerificationStatus.verified.rawValue))
                    .where("valid_until", .lessThan, SQLBind(now)).orderBy("id").limit(batchSize).all(decoding: ID.self).map(\.id)
                guard !ids.isEmpty else { return 0 }
                let rows = try await sql.update("credentials")
                    .set("status", to: SQLBind(VerificationStatus.expired.rawValue)).set("version", to: SQLRaw("version + 1"))
                    .where("id", .in, SQLBind.group(ids)).where("status", .equal, SQLBind(VerificationStatus.verified.rawValue))
                    .where("valid_until", .lessThan, SQLBind(now))
                    .returning(SQLColumn("id"), SQLColumn("practitioner_id"), SQLColumn("organization_id")).all(decoding: Row.self)
                guard !rows.isEmpty else { return 0 }
                for row in rows.sorted(by: { $0.id < $1.id }) {
                    try await AuditLog.append(AuditEntry(actorUserID: nil, actorRole: "system", action: "credential.expire", objectType: "credential",
                                                         objectID: String(row.id), source: "housekeeping"), at: now, app: app, on: tx)
                }
                try await changed(rows.map { CredentialHolder(practitionerID: $0.practitioner_id, organizationID: $0.organization_id) }, app: app, now: now, on: tx)
                return rows.count
            }
            expired += done
            if done < batchSize { break }
        }
        if expired > 0 { app.renderCache.invalidate() }
        return expired
    }

    /// After any change of a holder's credentials: re-index a practitioner (ranking and the verified filter), move
    /// the content generation (profiles and clinic pages on every node).
    private static func changed(_ holder: CredentialHolder, app: Application, now: Date, on tx: any Database) async throws {
        try await changed([holder], app: app, now: now, on: tx)
    }

    /// The same for several holders at once: one re-index of every practitioner concerned, one move.
    private static func changed(_ holders: [CredentialHolder], app: Application, now: Date, on tx: any Database) async throws {
        var practitioners = Set(holders.compactMap(\.practitionerID))
        let organizations = Array(Set(holders.compactMap(\.organizationID)))
        if !organizations.isEmpty {
            let ids = try await PractitionerRole.query(on: tx).filter(\.$organization.$id ~~ organizations).all().map { $0.$practitioner.id }
            practitioners.formUnion(ids)
        }
        if !practitioners.isEmpty { try await ProviderIndexer.reindex(practitioners.sorted(), on: tx, t: app.localizer, now: now) }
        try await ContentGeneration.bump(on: tx)
    }

    private static func tellAdministrators(app: Application, now: Date, on tx: any Database) async throws {
        let t = app.localizer
        let link = app.config.baseURL + SiteURL.adminCredentials.path
        for admin in try await User.query(on: tx).filter(\.$role == Role.admin.rawValue).all() {
            try await Outbox.enqueue(app, kind: "credential-queue", to: admin.email, subject: t("mail.credentialQueue.subject"),
                                     body: t("mail.credentialQueue.body", ["link": link]), now: now, on: tx)
        }
    }

    // MARK: reading

    /// The credentials of a holder, newest first (without evidence and checks, which one credential's page reads).
    static func list(holder: CredentialHolder, app: Application, on db: any Database) async throws -> [CredentialRecord] {
        var query = Credential.query(on: db)
        if let p = holder.practitionerID { query = query.filter(\.$practitioner.$id == p) }
        else if let o = holder.organizationID { query = query.filter(\.$organization.$id == o) }
        else { return [] }
        return try await records(try await query.sort(\.$id, .descending).all(), details: false, app: app, on: db)
    }

    /// One credential with everything an administrator sees.
    static func record(id: Int, app: Application, on db: any Database) async throws -> CredentialRecord? {
        guard let c = try await Credential.find(id, on: db) else { return nil }
        return try await records([c], details: true, app: app, on: db).first
    }

    enum QueueSection: String, CaseIterable, Sendable { case waiting, recheck, evidence, expired }

    /// How many credentials a queue section holds (the administrators' home).
    static func count(_ section: QueueSection, app: Application, on db: any Database) async throws -> Int {
        try await queueQuery(section, now: app.clock.now(), on: db).count()
    }

    /// The section's filter (the caller orders it).
    static func queueQuery(_ section: QueueSection, now: Date, on db: any Database) -> QueryBuilder<Credential> {
        let query = Credential.query(on: db)
        switch section {
        case .waiting:
            return query.filter(\.$status == VerificationStatus.pending.rawValue)
        case .recheck:
            return query.filter(\.$status == VerificationStatus.verified.rawValue)
                .filter(\.$validUntil <= now.addingTimeInterval(TimeInterval(CredentialRecheck.leadDays) * 86_400))
        case .evidence:
            return query.filter(\.$status == VerificationStatus.needsEvidence.rawValue)
        case .expired:
            return query.filter(\.$status == VerificationStatus.expired.rawValue)
        }
    }

    /// The verification queue: submissions waiting (oldest first), verified credentials due for re-checking
    /// within 30 days, those waiting for the practice's evidence, and those that expired.
    static func queue(_ section: QueueSection, app: Application, on db: any Database) async throws -> [CredentialRecord] {
        let query = queueQuery(section, now: app.clock.now(), on: db)
        switch section {
        case .waiting: _ = query.sort(\.$submittedAt).sort(\.$id)
        case .recheck: _ = query.sort(\.$validUntil)
        case .evidence: _ = query.sort(\.$id)
        case .expired: _ = query.sort(\.$validUntil, .descending)
        }
        return try await records(try await query.limit(200).all(), details: false, app: app, on: db)
    }

    private static func records(_ list: [Credential], details: Bool, app: Application, on db: any Database) async throws -> [CredentialRecord] {
        let pids = Set(list.compactMap { $0.$practitioner.id })
        let oids = Set(list.compactMap { $0.$organization.id })
        let practitioners = pids.isEmpty ? [] : try await Practitioner.query(on: db).filter(\.$id ~~ pids).all()
        let organizations = oids.isEmpty ? [] : try await Organization.query(on: db).filter(\.$id ~~ oids).all()
        let fids = Set(list.compactMap(\.facilitatorID))
        let facilitators = fids.isEmpty ? [] : try await Facilitator.query(on: db).filter(\.$id ~~ fids).all()
        var out: [CredentialRecord] = []
        for c in list {
            let id = try c.requireID()
            var name = "", slug = "", profile = SiteURL.providers
            if let p = practitioners.first(where: { $0.id == c.$practitioner.id }) { name = p.displayName; slug = p.slug; profile = .provider(.value(p.slug)) }
            else if let o = organizations.first(where: { $0.id == c.$organization.id }) { name = o.name; slug = o.slug; profile = .clinic(.value(o.slug)) }
            else if let f = facilitators.first(where: { $0.id == c.facilitatorID }) { name = f.name; slug = f.slug; profile = .facilitator(.value(f.slug)) }
            var record = CredentialRecord(id: id, holderName: name, holderSlug: slug, holderProfile: profile, kind: c.kind, title: c.title,
                                          issuer: c.issuer, number: c.number, validFrom: c.validFrom, validUntil: c.validUntil,
                                          lastVerified: c.lastVerifiedAt, status: VerificationStatus(rawValue: c.status) ?? .unverified,
                                          registerURL: c.registerURL, submittedAt: c.submittedAt, version: c.version)
            if details {
                let files = try await CredentialEvidenceRow.query(on: db).filter(\.$credentialID == id).sort(\.$position).all()
                let key = files.isEmpty ? nil : try await app.vault.existingPlatformKey(evidenceKeyPurpose, on: db)
                record.evidence = try files.compactMap { f in
                    guard let key, let fid = f.id, let kind = AttachmentKind(rawValue: f.format) else { return nil }
                    let name = String(decoding: try Vault.open(f.nameSealed, key: key, context: nameContext(id, fid)), as: UTF8.self)
                    return (fid, name, kind, f.byteCount)
                }
                struct CheckRow: Decodable {
                    let checked_at: Date; let display_name: String?; let outcome: String; let what_checked: String; let register_url: String
                    let expires_at: Date?; let reason: String?
                }
                let checks = try await (db as! any SQLDatabase).select()
                    .column(SQLColumn("checked_at", table: "k")).column(SQLColumn("display_name", table: "u")).column(SQLColumn("outcome", table: "k"))
                    .column(SQLColumn("what_checked", table: "k")).column(SQLColumn("register_url", table: "k"))
                    .column(SQLColumn("expires_at", table: "k")).column(SQLColumn("reason", table: "k"))
                    .from(SQLAlias(SQLIdentifier("credential_checks"), as: SQLIdentifier("k")))
                    .join(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("u")), method: SQLJoinMethod.left,
                          on: SQLColumn("checked_by", table: "k"), .equal, SQLColumn("id", table: "u"))
                    .where(SQLColumn("credential_id", table: "k"), .equal, SQLBind(id))
                    .orderBy(SQLColumn("id", table: "k") as any SQLExpression, SQLDirection.descending).all(decoding: CheckRow.self)
                record.checks = checks.map {
                    CheckView(checkedAt: $0.checked_at, checkedBy: $0.display_name ?? "—", outcome: CheckOutcome(rawValue: $0.outcome) ?? .refused,
                              whatChecked: $0.what_checked, registerURL: $0.register_url, expires: $0.expires_at, reason: $0.reason)
                }
            }
            out.append(record)
        }
        return out
    }

    /// An evidence file, opened, when it belongs to the credential.
    static func evidence(id: String, credentialID: Int, app: Application, on db: any Database) async throws -> (AttachmentKind, String, Data)? {
        guard let row = try await CredentialEvidenceRow.query(on: db).filter(\.$id == id).filter(\.$credentialID == credentialID).first(),
              let kind = AttachmentKind(rawValue: row.format),
              let key = try await app.vault.existingPlatformKey(evidenceKeyPurpose, on: db) else { return nil }
        let name = String(decoding: try Vault.open(row.nameSealed, key: key, context: nameContext(credentialID, id)), as: UTF8.self)
        return (kind, name, try Vault.open(row.dataSealed, key: key, context: evidenceContext(credentialID, id)))
    }
}

/// A stored evidence file (sealed).
final class CredentialEvidenceRow: Model, @unchecked Sendable {
    static let schema = "credential_evidence"
    @ID(custom: .id, generatedBy: .user) var id: String?
    @Field(key: "credential_id") var credentialID: Int
    @Field(key: "position") var position: Int
    @Field(key: "format") var format: String
    @Field(key: "byte_count") var byteCount: Int
    @Field(key: "name_sealed") var nameSealed: Data
    @Field(key: "data_sealed") var dataSealed: Data
    @OptionalField(key: "uploaded_by") var uploadedBy: Int?
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}
