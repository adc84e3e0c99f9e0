import Foundation
import Crypto
import Fluent
import SQLKit
import Vapor
import Domain

/// A case as the people allowed to see it read it: decrypted, with its timeline.
struct CaseDetail: Sendable {
    struct Event: Sendable {
        let at: Date
        let kind: String
        let status: CaseStatus
        let note: String?
        let byPatient: Bool
    }
    struct Photo: Sendable {
        let id: String
        let position: Int
        let format: String
        let byteCount: Int
    }

    let id: Int
    let reference: String
    let status: CaseStatus
    let createdAt: Date
    let updatedAt: Date
    let patientID: Int
    let providerName: String
    let providerSlug: String?
    let procedures: [(slug: String, name: String)]
    /// `nil` once the patient withdrew consent and the request was erased.
    let payload: CasePayload?
    let events: [Event]
    let photos: [Photo]
}

enum CaseService {
    /// Adds a timeline entry; `note` is sealed with the patient's data key.
    static func addEvent(caseID: Int, kind: String, status: CaseStatus, actor: Int?, note: String?, reference: String,
                         key: SymmetricKey, now: Date, on tx: any Database) async throws {
        let event = CaseEvent()
        event.$consultation.id = caseID
        event.at = now
        event.kind = kind
        event.status = status.rawValue
        event.$actor.id = actor
        if let note { event.note = try Vault.seal(Data(note.utf8), key: key, context: "case:\(reference):event") }
        try await event.create(on: tx)
    }

    /// Moves a case from `expected` to `status` with one conditional write (`UPDATE … WHERE status = expected`):
    /// of two requests acting at once, only the one whose update changed the row goes on (true); the other finds
    /// the status changed (false) and the caller rolls back. The procedure links repeat the status for the inbox
    /// filter. `clearPayload` empties the sealed request in the same write (a withdrawal).
    static func transition(caseID: Int, from expected: CaseStatus, to status: CaseStatus, now: Date, clearPayload: Bool = false,
                           on tx: any Database) async throws -> Bool {
        let sql = tx as! any SQLDatabase
        struct Changed: Decodable { let id: Int }
        var update = sql.update("cases").set("status", to: SQLBind(status.rawValue)).set("updated_at", to: SQLBind(now))
        if clearPayload { update = update.set("payload", to: SQLBind(Data())) }
        let changed = try await update.where("id", .equal, SQLBind(caseID)).where("status", .equal, SQLBind(expected.rawValue))
            .returning("id").all(decoding: Changed.self)
        guard changed.count == 1 else { return false }
        try await sql.update("case_procedures").set("status", to: SQLBind(status.rawValue)).where("case_id", .equal, SQLBind(caseID)).run()
        try await FacilitatorAccess.casesChanged(caseID: caseID, now: now, on: tx)
        return true
    }

    /// Marks activity on a case (`updated_at`) with one conditional write that holds only while its status is one of
    /// `allowed`: false when it is not (withdrawn meanwhile, say). On PostgreSQL the write also locks the case row
    /// until the transaction ends, so two changes of one case's quotes, conversation or bookings run one after the
    /// other, and a withdrawal cannot slip between a check and a write.
    static func touch(caseID: Int, allowed: [CaseStatus], now: Date, on tx: any Database) async throws -> Bool {
        struct Changed: Decodable { let id: Int }
        return try await (tx as! any SQLDatabase).update("cases").set("updated_at", to: SQLBind(now)).where("id", .equal, SQLBind(caseID))
            .where("status", .in, SQLBind.group(allowed.map(\.rawValue))).returning("id").all(decoding: Changed.self).count == 1
    }

    /// When a case stops (withdrawn, declined, closed, expired): its open quotes close, its booked consultations
    /// are cancelled and their reminders withdrawn.
    static func stopOpenWork(caseID: Int, by userID: Int?, now: Date, on tx: any Database) async throws {
        try await QuoteRecord.query(on: tx).filter(\.$consultation.$id == caseID).filter(\.$status == QuoteStatus.open.rawValue)
            .set(\.$status, to: QuoteStatus.closed.rawValue).set(\.$decidedAt, to: now).update()
        for a in try await Appointment.query(on: tx).filter(\.$caseID == caseID).filter(\.$status == AppointmentStatus.booked.rawValue).all() {
            _ = try await SchedulingService.release(a, by: userID, now: now, on: tx)
        }
    }

    /// Tells the patient the request was sent and the provider's team that it arrived.
    static func notifyOpened(reference: String, patient: User, practitionerID: Int?, organizationID: Int?, app: Application,
                             now: Date, on tx: any Database) async throws {
        let t = app.localizer
        let caseLink = app.config.baseURL + SiteURL.caseShow(.value(reference)).path
        try await Outbox.enqueue(app, kind: "case-sent", to: patient.email, subject: t("mail.caseSent.subject", ["reference": reference]),
                                 body: t("mail.caseSent.body", ["name": patient.displayName, "reference": reference, "link": caseLink]),
                                 now: now, on: tx)
        let inboxLink = app.config.baseURL + SiteURL.inboxCase(.value(reference)).path
        try await tellTeam(practitionerID: practitionerID, organizationID: organizationID, kind: "case-new", mail: "mail.caseNew",
                           values: ["reference": reference, "link": inboxLink], app: app, now: now, on: tx)
    }

    /// Tells every staff member of a practice or clinic, through the outbox: the message `mail` (its `.subject`
    /// and `.body` keys) filled with `values`, which never carry health data.
    static func tellTeam(practitionerID: Int?, organizationID: Int?, kind: String, mail: String, values: [String: String],
                         app: Application, now: Date, on tx: any Database) async throws {
        let t = app.localizer
        for email in try await staffEmails(practitionerID: practitionerID, organizationID: organizationID, on: tx) {
            try await Outbox.enqueue(app, kind: kind, to: email, subject: t("\(mail).subject", values), body: t("\(mail).body", values), now: now, on: tx)
        }
    }

    /// Tells the team of the case `row` is addressed to.
    static func tellTeam(of row: ConsultationCase, kind: String, mail: String, values: [String: String], app: Application, now: Date,
                         on tx: any Database) async throws {
        try await tellTeam(practitionerID: row.$practitioner.id, organizationID: row.$organization.id, kind: kind, mail: mail, values: values,
                           app: app, now: now, on: tx)
    }

    /// Email addresses of the staff of a practice or clinic.
    static func staffEmails(practitionerID: Int?, organizationID: Int?, on db: any Database) async throws -> [String] {
        guard practitionerID != nil || organizationID != nil else { return [] }
        let memberships = try await Membership.query(on: db).group(.or) { or in
            if let practitionerID { or.filter(\.$practitioner.$id == practitionerID) }
            if let organizationID { or.filter(\.$organization.$id == organizationID) }
        }.with(\.$user).all()
        return Array(Set(memberships.map(\.user.email))).sorted()
    }

    /// Opens the cases that waited for the patient's address to be verified.
    static func openAwaitingCases(patientID: Int, now: Date, app: Application, on tx: any Database) async throws {
        let waiting = try await ConsultationCase.query(on: tx).filter(\.$patient.$id == patientID)
            .filter(\.$status == CaseStatus.awaitingVerification.rawValue).all()
        guard !waiting.isEmpty, let patient = try await User.find(patientID, on: tx) else { return }
        for row in waiting {
            guard let next = CaseAction.verify.apply(to: .awaitingVerification),
                  try await transition(caseID: try row.requireID(), from: .awaitingVerification, to: next, now: now, on: tx) else { continue }
            let key = try await app.vault.dataKey(id: row.dataKeyID, on: tx)
            try await addEvent(caseID: try row.requireID(), kind: "opened", status: next, actor: patientID, note: nil,
                               reference: row.reference, key: key, now: now, on: tx)
            try await notifyOpened(reference: row.reference, patient: patient, practitionerID: row.$practitioner.id,
                                   organizationID: row.$organization.id, app: app, now: now, on: tx)
        }
    }

    // MARK: access

    /// The patient's own case, or `nil` (answered with 404).
    static func forPatient(reference: String, userID: Int, on db: any Database) async throws -> ConsultationCase? {
        try await ConsultationCase.query(on: db).filter(\.$reference == reference).filter(\.$patient.$id == userID).first()
    }

    /// The practices and clinics a staff member works for.
    static func workplaces(userID: Int, on db: any Database) async throws -> (practitioners: [Int], organizations: [Int]) {
        let memberships = try await Membership.query(on: db).filter(\.$user.$id == userID).all()
        return (memberships.compactMap { $0.$practitioner.id }, memberships.compactMap { $0.$organization.id })
    }

    /// A case addressed to one of the staff member's workplaces and visible to providers, or `nil` (404).
    static func forStaff(reference: String, userID: Int, on db: any Database) async throws -> ConsultationCase? {
        let places = try await workplaces(userID: userID, on: db)
        guard !places.practitioners.isEmpty || !places.organizations.isEmpty else { return nil }
        guard let row = try await ConsultationCase.query(on: db).filter(\.$reference == reference).first() else { return nil }
        let status = CaseStatus(rawValue: row.status) ?? .awaitingVerification
        guard status.visibleToProvider else { return nil }
        if let p = row.$practitioner.id, places.practitioners.contains(p) { return row }
        if let o = row.$organization.id, places.organizations.contains(o) { return row }
        return nil
    }

    /// Decrypts a case for display.
    static func detail(_ row: ConsultationCase, app: Application, on db: any Database) async throws -> CaseDetail {
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        let payload = row.payload.isEmpty ? nil
            : try JSONDecoder().decode(CasePayload.self, from: try Vault.open(row.payload, key: key, context: "case:\(row.reference)"))
        let caseID = try row.requireID()
        let events = try await CaseEvent.query(on: db).filter(\.$consultation.$id == caseID).sort(\.$at).sort(\.$id).all()
        struct PhotoRow: Decodable { let id: String; let position: Int; let format: String; let byte_count: Int }
        let sql = db as! any SQLDatabase
        let photos = try await sql.select().column("id").column("position").column("format").column("byte_count")
            .from(CasePhoto.schema).where("case_id", .equal, SQLBind(caseID)).orderBy("position").all(decoding: PhotoRow.self)
        struct ProcedureRow: Decodable { let slug: String; let name: String }
        let procedures = try await sql.select().column(SQLColumn("slug", table: "procedures")).column(SQLColumn("name", table: "procedures"))
            .from("case_procedures").join("procedures", on: SQLColumn("procedure_id", table: "case_procedures"), .equal, SQLColumn("id", table: "procedures"))
            .where(SQLColumn("case_id", table: "case_procedures"), .equal, SQLBind(caseID))
            .orderBy(SQLColumn("name", table: "procedures")).all(decoding: ProcedureRow.self)
        var providerName = ""
        var providerSlug: String?
        if let p = row.$practitioner.id, let practitioner = try await Practitioner.find(p, on: db) {
            providerName = practitioner.displayName
            providerSlug = practitioner.slug
        } else if let o = row.$organization.id, let org = try await Organization.find(o, on: db) {
            providerName = org.name
        }
        return CaseDetail(
            id: caseID, reference: row.reference, status: CaseStatus(rawValue: row.status) ?? .submitted,
            createdAt: row.createdAt, updatedAt: row.updatedAt, patientID: row.$patient.id,
            providerName: providerName, providerSlug: providerSlug,
            procedures: procedures.map { ($0.slug, $0.name) }, payload: payload,
            events: try events.map { e in
                CaseDetail.Event(at: e.at, kind: e.kind, status: CaseStatus(rawValue: e.status) ?? .submitted,
                                 note: try e.note.map { String(decoding: try Vault.open($0, key: key, context: "case:\(row.reference):event"), as: UTF8.self) },
                                 byPatient: e.$actor.id == row.$patient.id)
            },
            photos: photos.map { CaseDetail.Photo(id: $0.id, position: $0.position, format: $0.format, byteCount: $0.byte_count) })
    }

    /// The patient withdraws consent: the request, its photos and every note are erased at once, the consents are
    /// marked withdrawn, the provider's team is told, and the timeline keeps only what happened and when.
    static func withdraw(_ row: ConsultationCase, patient: SignedInUser, app: Application, source: String, on db: any Database) async throws -> Bool {
        let now = app.clock.now()
        let caseID = try row.requireID()
        let reference = row.reference
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        return try await app.writes.transaction(on: db) { tx in
            guard let current = try await ConsultationCase.find(caseID, on: tx), current.$patient.id == patient.id,
                  let status = CaseStatus(rawValue: current.status), let next = CaseAction.withdraw.apply(to: status) else { return false }
            guard try await transition(caseID: caseID, from: status, to: next, now: now, clearPayload: true, on: tx) else { return false }
            try await CasePhoto.query(on: tx).filter(\.$consultation.$id == caseID).delete()
            // The conversation holds health data too: its messages and their attachments go with the request.
            try await MessageAttachment.query(on: tx).filter(\.$caseID == caseID).delete()
            try await CaseMessage.query(on: tx).filter(\.$caseID == caseID).delete()
            // Nothing goes on with a withdrawn request (the team is told of the withdrawal below).
            try await stopOpenWork(caseID: caseID, by: patient.id, now: now, on: tx)
            try await CaseEvent.query(on: tx).filter(\.$consultation.$id == caseID).set(\.$note, to: nil).update()
            try await Consent.query(on: tx).filter(\.$consultation.$id == caseID).filter(\.$withdrawnAt == nil).set(\.$withdrawnAt, to: now).update()
            try await addEvent(caseID: caseID, kind: CaseAction.withdraw.rawValue, status: next, actor: patient.id, note: nil,
                               reference: reference, key: key, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: patient.id, actorRole: patient.role.rawValue, action: "case.withdraw",
                                                 objectType: "case", objectID: reference, source: source), at: now, app: app, on: tx)
            if status.visibleToProvider {
                let inboxLink = app.config.baseURL + SiteURL.inboxCase(.value(reference)).path
                try await tellTeam(of: current, kind: "case-withdrawn", mail: "mail.caseWithdrawn", values: ["reference": reference, "link": inboxLink],
                                   app: app, now: now, on: tx)
            }
            // The facilitator's consent was given on the request's first case: withdrawing that case ends it too.
            if current.originCaseID == nil,
               let grant = try await CaseFacilitator.query(on: tx).filter(\.$caseID == caseID).filter(\.$openClaim != nil).first() {
                try await FacilitatorAccess.end(grantID: try grant.requireID(), patientID: patient.id, reference: reference, actor: patient,
                                                action: "facilitator.withdraw", app: app, source: source, on: tx)
            }
            return true
        }
    }

    /// A photo's bytes, decrypted, if it belongs to `row`.
    static func photo(id: String, of row: ConsultationCase, app: Application, on db: any Database) async throws -> (ImageFormat, Data)? {
        guard let photo = try await CasePhoto.query(on: db).filter(\.$id == id).filter(\.$consultation.$id == (try row.requireID())).first(),
              let format = ImageFormat(rawValue: photo.format) else { return nil }
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        return (format, try Vault.open(photo.ciphertext, key: key, context: "photo:\(id)"))
    }

    /// Applies an action by the provider's team or the patient; returns false when the status does not allow it.
    static func apply(_ action: CaseAction, to row: ConsultationCase, actor: SignedInUser, note: String?, app: Application,
                      source: String, on db: any Database) async throws -> Bool {
        let now = app.clock.now()
        let t = app.localizer
        let reference = row.reference
        let caseID = try row.requireID()
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        return try await app.writes.transaction(on: db) { tx in
            // The status read here only picks the transition; the conditional write decides, so two staff members
            // acting at once cannot both win (ConcurrencyTests prove it on both databases).
            guard let current = try await ConsultationCase.find(caseID, on: tx),
                  let status = CaseStatus(rawValue: current.status), let next = action.apply(to: status),
                  try await transition(caseID: caseID, from: status, to: next, now: now, on: tx) else { return false }
            if !next.isOpen { try await stopOpenWork(caseID: caseID, by: actor.id, now: now, on: tx) }
            try await addEvent(caseID: caseID, kind: action.rawValue, status: next, actor: actor.id, note: note,
                               reference: reference, key: key, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: actor.id, actorRole: actor.role.rawValue, action: "case.\(action.rawValue)",
                                                 objectType: "case", objectID: reference, source: source), at: now, app: app, on: tx)
            if action == .answer {
                let inboxLink = app.config.baseURL + SiteURL.inboxCase(.value(reference)).path
                try await tellTeam(of: current, kind: "case-answered", mail: "mail.caseAnswered", values: ["reference": reference, "link": inboxLink],
                                   app: app, now: now, on: tx)
            } else if let patient = try await User.find(current.$patient.id, on: tx) {
                let caseLink = app.config.baseURL + SiteURL.caseShow(.value(reference)).path
                try await Outbox.enqueue(app, kind: "case-update", to: patient.email, subject: t("mail.caseUpdate.subject", ["reference": reference]),
                                         body: t("mail.caseUpdate.body", ["name": patient.displayName, "reference": reference,
                                                                          "status": t("case.status.\(next.rawValue)"), "link": caseLink]),
                                         now: now, on: tx)
            }
            return true
        }
    }
}
