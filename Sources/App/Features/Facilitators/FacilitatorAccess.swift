import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// A facilitator's access to a request as people see it.
struct AccessGrant: Sendable, Equatable {
    let id: Int
    let caseID: Int
    let facilitatorID: Int
    let facilitatorName: String
    let facilitatorSlug: String
    let status: FacilitatorAccessStatus
    let scopes: Set<FacilitatorScope>
    let startedSide: String
    let createdAt: Date
    let grantedAt: Date?
    let endedAt: Date?
    let stage: PipelineStage
    let version: Int

    func allows(_ scope: FacilitatorScope) -> Bool { status == .active && scopes.contains(scope) }
}

/// Why an invitation was not stored.
enum InviteRefusal: Error, Equatable {
    /// The request already has a facilitator (or one waiting for the patient's confirmation).
    case alreadyHasFacilitator
    /// The request stopped (withdrawn, declined, closed, expired): there is nothing to share.
    case caseStopped
    /// The organisation is suspended or takes no new cases.
    case notAccepting
}

/// Patients' consent to a facilitator organisation, and the check every facilitator page makes. A facilitator
/// sees a request only while the patient's consent is active, only the parts it names, and every look is audited;
/// without consent the answer is 404, as for any case that is not yours. Consent covers every case the request was
/// sent to (they point at the first through `origin_case_id`).
enum FacilitatorAccess {
    /// The version of the consent wording (`facilitators.consent.*`), stored with every consent.
    static let consentVersion = "2026-12-01"

    /// The first case of the request a case belongs to.
    static func rootID(_ row: ConsultationCase) throws -> Int { try row.originCaseID ?? row.requireID() }

    /// The facilitator organisations a user works for.
    static func organisations(userID: Int, on db: any Database) async throws -> [Int] {
        try await Membership.query(on: db).filter(\.$user.$id == userID).filter(\.$facilitator.$id != nil).all().compactMap { $0.$facilitator.id }
    }

    static func grant(_ row: CaseFacilitator, _ f: Facilitator?) throws -> AccessGrant {
        AccessGrant(id: try row.requireID(), caseID: row.caseID, facilitatorID: row.facilitatorID, facilitatorName: f?.name ?? "",
                    facilitatorSlug: f?.slug ?? "", status: FacilitatorAccessStatus(rawValue: row.status) ?? .withdrawn,
                    scopes: FacilitatorScope.decode(row.scopes), startedSide: row.startedSide, createdAt: row.createdAt, grantedAt: row.grantedAt,
                    endedAt: row.endedAt, stage: PipelineStage(rawValue: row.stage) ?? .new, version: row.version)
    }

    /// Every grant of a request, newest first.
    static func history(caseID root: Int, on db: any Database) async throws -> [AccessGrant] {
        let rows = try await CaseFacilitator.query(on: db).filter(\.$caseID == root).sort(\.$id, .descending).all()
        let orgs = try await Facilitator.query(on: db).filter(\.$id ~~ Set(rows.map(\.facilitatorID))).all()
        return try rows.map { r in try grant(r, orgs.first { $0.id == r.facilitatorID }) }
    }

    /// The open grant (waiting or active) of the request a case belongs to.
    static func current(caseID: Int, on db: any Database) async throws -> AccessGrant? {
        struct Root: Decodable { let root: Int }
        guard let root = try await (db as! any SQLDatabase).raw("SELECT COALESCE(origin_case_id, id) AS root FROM cases WHERE id = \(bind: caseID)")
            .first(decoding: Root.self)?.root,
              let row = try await CaseFacilitator.query(on: db).filter(\.$caseID == root).filter(\.$openClaim != nil).first() else { return nil }
        return try grant(row, try await Facilitator.find(row.facilitatorID, on: db))
    }

    /// The organisation whose active consent on the request of `caseID` names `scope`, if any.
    static func organisation(caseID: Int, scope: FacilitatorScope, on db: any Database) async throws -> Int? {
        guard let g = try await current(caseID: caseID, on: db), g.allows(scope) else { return nil }
        return g.facilitatorID
    }

    /// Organisations a patient can invite: listed, not suspended, taking cases; by name.
    static func invitable(on db: any Database) async throws -> [(slug: String, name: String)] {
        try await Facilitator.query(on: db).filter(\.$suspendedAt == nil).filter(\.$acceptingCases == true).sort(\.$name).limit(500).all()
            .map { ($0.slug, $0.name) }
    }

    /// The patient invites an organisation into their request with the scopes they chose. One insert whose unique
    /// claim decides, when invitations race, which one the request keeps. The consent's wording is stored with it.
    static func invite(_ row: ConsultationCase, facilitator: Facilitator, scopes: Set<FacilitatorScope>, patient: SignedInUser,
                       app: Application, source: String, on db: any Database) async throws -> Result<Int, InviteRefusal> {
        guard facilitator.suspendedAt == nil, facilitator.acceptingCases, let fid = facilitator.id else { return .failure(.notAccepting) }
        let root = try rootID(row)
        let now = app.clock.now()
        let t = app.localizer
        do {
            let id = try await app.writes.transaction(on: db) { tx -> Int? in
                // Holds while the request is open, and on PostgreSQL locks it until the end (a withdrawal of the request
                // waits for this invitation, and ends it).
                guard try await CaseService.touch(caseID: root, allowed: CaseStatus.allCases.filter(\.isOpen), now: now, on: tx) else { return nil }
                let grant = CaseFacilitator()
                grant.caseID = root
                grant.facilitatorID = fid
                grant.patientID = patient.id
                grant.status = FacilitatorAccessStatus.active.rawValue
                grant.scopes = FacilitatorScope.encode(scopes)
                grant.openClaim = CaseFacilitator.claim(caseID: root)
                grant.startedSide = "patient"
                grant.startedBy = patient.id
                grant.consentVersion = consentVersion
                grant.stage = PipelineStage.derived(from: try await statuses(root: root, on: tx)).rawValue
                grant.version = 0
                grant.createdAt = now
                grant.grantedAt = now
                grant.updatedAt = now
                try await grant.create(on: tx)
                let consent = Consent()
                consent.$user.id = patient.id
                consent.$consultation.id = root
                consent.kind = "facilitator-access"
                consent.version = consentVersion
                consent.text = consentText(organisation: facilitator.name, scopes: scopes, t)
                consent.givenAt = now
                try await consent.create(on: tx)
                let grantID = try grant.requireID()
                try await AuditLog.append(AuditEntry(actorUserID: patient.id, actorRole: patient.role.rawValue, action: "facilitator.grant",
                                                     objectType: "case", objectID: row.reference, source: source), at: now, app: app, on: tx)
                try await tellOrganisation(fid, kind: "facilitator-invited", mail: "mail.facilitatorInvited",
                                           values: ["reference": row.reference, "link": app.config.baseURL + SiteURL.pipelineCase(.value(row.reference)).path],
                                           app: app, now: now, on: tx)
                return grantID
            }
            guard let id else { return .failure(.caseStopped) }
            return .success(id)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .failure(.alreadyHasFacilitator)
        }
    }

    /// The wording a patient agrees to, with the organisation and the parts named.
    static func consentText(organisation: String, scopes: Set<FacilitatorScope>, _ t: Localizer) -> String {
        let parts = scopes.sorted().map { t("facilitators.scope.\($0.rawValue)") }.joined(separator: "; ")
        return t("facilitators.consent.text", ["name": organisation, "value": parts])
    }

    /// Ends an open grant at once: one conditional update on its status (of two withdrawals, one changes it).
    /// `by` is the patient; `reason` is stored in the audit trail's action.
    @discardableResult
    static func end(grantID: Int, patientID: Int, reference: String, actor: SignedInUser?, action: String, app: Application, source: String,
                    on tx: any Database) async throws -> Bool {
        let now = app.clock.now()
        struct Changed: Decodable { let id: Int; let facilitator_id: Int; let case_id: Int }
        let changed = try await (tx as! any SQLDatabase).update(CaseFacilitator.schema)
            .set("status", to: SQLBind(FacilitatorAccessStatus.withdrawn.rawValue)).set("open_claim", to: SQLLiteral.null)
            .set("ended_at", to: SQLBind(now)).set("updated_at", to: SQLBind(now)).set("version", to: SQLRaw("version + 1"))
            .where("id", .equal, SQLBind(grantID)).where("patient_id", .equal, SQLBind(patientID))
            .where("status", .in, SQLBind.group(FacilitatorAccessStatus.allCases.filter(\.isOpen).map(\.rawValue)))
            .returning("id", "facilitator_id", "case_id").all(decoding: Changed.self)
        guard let row = changed.first else { return false }
        // The consent that gave this access is marked withdrawn (it is kept, with both dates, in the patient's export).
        try await Consent.query(on: tx).filter(\.$consultation.$id == row.case_id).filter(\.$kind == "facilitator-access")
            .filter(\.$withdrawnAt == nil).set(\.$withdrawnAt, to: now).update()
        try await AuditLog.append(AuditEntry(actorUserID: actor?.id, actorRole: actor?.role.rawValue ?? "system", action: action,
                                             objectType: "case", objectID: reference, source: source), at: now, app: app, on: tx)
        try await tellOrganisation(row.facilitator_id, kind: "facilitator-withdrawn", mail: "mail.facilitatorWithdrawn",
                                   values: ["reference": reference], app: app, now: now, on: tx)
        return true
    }

    /// The patient withdraws consent: access ends at once.
    static func withdraw(grantID: Int, row: ConsultationCase, patient: SignedInUser, app: Application, source: String,
                         on db: any Database) async throws -> Bool {
        try await app.writes.transaction(on: db) { tx in
            try await end(grantID: grantID, patientID: patient.id, reference: row.reference, actor: patient, action: "facilitator.withdraw",
                          app: app, source: source, on: tx)
        }
    }

    /// Moves the pipeline stage of the request `caseID` belongs to forward when its cases moved (called in the
    /// transaction of every status change). One read when no facilitator follows the request; the stage is written
    /// with a condition on the stage read, so two changes at once cannot move it back.
    static func casesChanged(caseID: Int, now: Date, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        struct Row: Decodable { let id: Int; let stage: String; let case_id: Int }
        guard let g = try await sql.raw("""
            SELECT g.id, g.stage, g.case_id FROM case_facilitators g JOIN cases c ON g.case_id = COALESCE(c.origin_case_id, c.id) \
            WHERE c.id = \(bind: caseID) AND g.open_claim IS NOT NULL
            """).first(decoding: Row.self) else { return }
        let current = PipelineStage(rawValue: g.stage) ?? .new
        let next = PipelineStage.advanced(from: current, statuses: try await statuses(root: g.case_id, on: tx))
        guard next != current else { return }
        try await sql.update(CaseFacilitator.schema).set("stage", to: SQLBind(next.rawValue)).set("updated_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(g.id)).where("stage", .equal, SQLBind(g.stage)).run()
    }

    /// The statuses of every case of a request.
    static func statuses(root: Int, on db: any Database) async throws -> [CaseStatus] {
        struct Row: Decodable { let status: String }
        return try await (db as! any SQLDatabase).select().column("status").from("cases")
            .where("id", .equal, SQLBind(root)).orWhere("origin_case_id", .equal, SQLBind(root))
            .all(decoding: Row.self).compactMap { CaseStatus(rawValue: $0.status) }
    }

    /// A case the facilitator user may open (its request's consent is active and names `scope`), with the grant;
    /// `nil` otherwise (answered with 404).
    static func forFacilitator(reference: String, userID: Int, scope: FacilitatorScope? = nil, on db: any Database)
        async throws -> (ConsultationCase, AccessGrant)? {
        let orgs = try await organisations(userID: userID, on: db)
        guard !orgs.isEmpty, let row = try await ConsultationCase.query(on: db).filter(\.$reference == reference).first() else { return nil }
        let root = try rootID(row)
        guard let g = try await CaseFacilitator.query(on: db).filter(\.$caseID == root).filter(\.$facilitatorID ~~ orgs)
            .filter(\.$status == FacilitatorAccessStatus.active.rawValue).first() else { return nil }
        let access = try grant(g, try await Facilitator.find(g.facilitatorID, on: db))
        if let scope, !access.scopes.contains(scope) { return nil }
        return (row, access)
    }

    /// Tells every member of a facilitator organisation through the outbox; `values` never carry health data.
    static func tellOrganisation(_ facilitatorID: Int, kind: String, mail: String, values: [String: String], app: Application, now: Date,
                                 on tx: any Database) async throws {
        let t = app.localizer
        let members = try await Membership.query(on: tx).filter(\.$facilitator.$id == facilitatorID).with(\.$user).all()
        for email in Set(members.map(\.user.email)).sorted() {
            try await Outbox.enqueue(app, kind: kind, to: email, subject: t("\(mail).subject", values), body: t("\(mail).body", values), now: now, on: tx)
        }
    }
}
