import Foundation
import Crypto
import Fluent
import SQLKit
import Vapor
import Domain

/// Who a request goes to: a practitioner (with their main clinic) or a clinic.
struct ConsultTarget: Sendable {
    let practitionerID: Int?
    let organizationID: Int?
    let slug: String
    let name: String
    let isClinic: Bool
    /// Procedures the patient may ask about: what this provider offers, or every procedure when it lists none.
    let procedures: [(slug: String, name: String, id: Int)]

    static func find(slug: String, on db: any Database) async throws -> ConsultTarget? {
        guard Slug.isValid(slug) else { return nil }
        struct Choice: Decodable { let id: Int; let slug: String; let name: String }
        let sql = db as! any SQLDatabase
        /// The procedures offered by a practitioner or an organisation (`column` of `offers`).
        func offered(by column: String, _ id: Int) async throws -> [Choice] {
            try await sql.select().distinct().column(SQLColumn("id", table: "procedures")).column(SQLColumn("slug", table: "procedures"))
                .column(SQLColumn("name", table: "procedures")).from("procedures")
                .join("offers", on: SQLColumn("procedure_id", table: "offers"), .equal, SQLColumn("id", table: "procedures"))
                .where(SQLColumn(column, table: "offers"), .equal, SQLBind(id))
                .orderBy(SQLColumn("name", table: "procedures")).all(decoding: Choice.self)
        }
        if let p = try await Practitioner.query(on: db).filter(\.$slug == slug).first(), let id = p.id {
            // A suspended listing takes no requests (its page says so).
            guard p.suspendedAt == nil else { throw ListingSuspended() }
            let offered = try await offered(by: "practitioner_id", id)
            let org = try await PractitionerRole.query(on: db).filter(\.$practitioner.$id == id).sort(\.$id).first()?.$organization.id
            return ConsultTarget(practitionerID: id, organizationID: org, slug: slug, name: p.displayName, isClinic: false,
                                 procedures: try await orAll(offered, sql))
        }
        if let o = try await Organization.query(on: db).filter(\.$slug == slug).first(), let id = o.id {
            guard o.suspendedAt == nil else { throw ListingSuspended() }
            let offered = try await offered(by: "organization_id", id)
            return ConsultTarget(practitionerID: nil, organizationID: id, slug: slug, name: o.name, isClinic: true,
                                 procedures: try await orAll(offered, sql))
        }
        return nil

        func orAll(_ offered: [Choice], _ sql: any SQLDatabase) async throws -> [(slug: String, name: String, id: Int)] {
            let list = offered.isEmpty
                ? try await sql.select().column("id").column("slug").column("name").from("procedures").orderBy("name").all(decoding: Choice.self)
                : offered
            return list.map { ($0.slug, $0.name, $0.id) }
        }
    }
}

/// What is sealed in `cases.payload`.
struct CasePayload: Codable, Sendable {
    var patientName: String
    var request: ConsultationRequest
    var channel: String
}

/// A checked submission, ready to store.
struct Submission: Sendable {
    enum Patient: Sendable {
        case account(userID: Int)
        case guest(name: String, email: String, password: String)
    }

    let request: ConsultationRequest
    let photos: [InspectedImage]
    let idempotencyKey: String
    let target: ConsultTarget
    let patient: Patient
    let channel: String
}

/// The consent texts a patient agrees to, versioned: the version and the exact text are stored with the time.
enum ConsentTerms {
    static let version = "2026-11-25"
    static let healthKey = "consult.consent.health"
    static let shareKey = "consult.consent.share"
}

enum SubmitOutcome: Sendable, Equatable {
    /// The case exists (made now or by an earlier identical submission).
    case stored(reference: String, status: CaseStatus, patientID: Int, new: Bool)
    /// The key was used by someone else: nothing is stored.
    case keyConflict
    /// A guest gave the address of an existing account: nothing is stored (the owner must sign in).
    case accountExists
}

enum ConsultService {
    static func isIdempotencyKey(_ key: String) -> Bool {
        (16...64).contains(key.count) && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// Stores a submission once: the same idempotency key always gets the same case back.
    static func submit(_ s: Submission, app: Application, source: String, on db: any Database) async throws -> SubmitOutcome {
        if let existing = try await existingOutcome(s, on: db) { return existing }

        // Work that is slow or needs no transaction happens first: the password hash and the data key.
        var guestHash: String?
        var patientID: Int?
        if case .account(let id) = s.patient { patientID = id }
        if case .guest(_, let email, let password) = s.patient {
            // Never attach a guest's request to an account that did not sign in.
            if try await User.query(on: db).filter(\.$email == email).first() != nil {
                // The account and its first case are committed together: the same form sent twice finds its case.
                if let existing = try await existingOutcome(s, on: db) { return existing }
                return .accountExists
            }
            guestHash = try await Passwords.hash(password, app: app)
        }
        var lastError: (any Error)?
        for _ in 0..<4 {
            do {
                return try await store(s, knownPatientID: patientID, guestHash: guestHash, app: app, source: source, on: db)
            } catch let error where (error as? any DatabaseError)?.isConstraintFailure == true {
                // Another request with the same key (or the same new email) got there first.
                if let existing = try await existingOutcome(s, on: db) { return existing }
                if case .guest(_, let email, _) = s.patient,
                   try await User.query(on: db).filter(\.$email == email).first() != nil { return .accountExists }
                lastError = error
            }
        }
        throw lastError ?? Abort(.internalServerError)
    }

    private static func existingOutcome(_ s: Submission, on db: any Database) async throws -> SubmitOutcome? {
        guard let found = try await ConsultationCase.query(on: db).filter(\.$idempotencyKey == s.idempotencyKey).with(\.$patient).first() else { return nil }
        let owner: Bool
        switch s.patient {
        case .account(let id): owner = found.$patient.id == id
        case .guest(_, let email, _): owner = found.patient.email == email
        }
        guard owner else { return .keyConflict }
        return .stored(reference: found.reference, status: CaseStatus(rawValue: found.status) ?? .submitted, patientID: found.$patient.id, new: false)
    }

    private static func store(_ s: Submission, knownPatientID: Int?, guestHash: String?, app: Application, source: String,
                              on db: any Database) async throws -> SubmitOutcome {
        let now = app.clock.now()
        let t = app.localizer
        let vault = app.vault
        // A data key that exists already is read outside the transaction (it may be created by a parallel request).
        var foundKey: (id: Int, key: SymmetricKey)?
        if let knownPatientID { foundKey = try await vault.dataKey(forUser: knownPatientID, on: db, gate: app.writes, now: now) }
        let existingKey = foundKey
        let reference = CaseReference.make()
        let photoIDs = s.photos.map { _ in UUID().uuidString.lowercased() }

        return try await app.writes.transaction(on: db) { tx in
            // Inside the transaction: a parallel request with this key that committed meanwhile wins.
            if try await ConsultationCase.query(on: tx).filter(\.$idempotencyKey == s.idempotencyKey).count() > 0 {
                throw DuplicateSubmission()
            }
            var patient: User
            var verified: Bool
            if let knownPatientID, let user = try await User.find(knownPatientID, on: tx) {
                patient = user
                verified = user.emailVerifiedAt != nil
            } else if case .guest(let name, let email, _) = s.patient, let guestHash {
                patient = User(email: email, passwordHash: guestHash, displayName: name, role: .patient, now: now)
                try await patient.create(on: tx)
                verified = false
                try await AuditLog.append(AuditEntry(actorUserID: patient.id, actorRole: Role.patient.rawValue, action: "account.create",
                                                     objectType: "user", objectID: patient.id.map(String.init), source: source), at: now, app: app, on: tx)
            } else {
                throw Abort(.notFound)
            }
            let patientID = try patient.requireID()

            let key: (id: Int, key: SymmetricKey)
            if let existingKey { key = existingKey } else {
                let fresh = SymmetricKey(size: .bits256)
                let row = DataKey()
                row.$user.id = patientID
                row.masterKeyID = vault.keyring.current.id
                row.wrappedKey = try vault.wrap(fresh, userID: patientID, with: vault.keyring.current)
                row.createdAt = now
                try await row.create(on: tx)
                key = (try row.requireID(), fresh)
            }

            let status: CaseStatus = verified ? .submitted : .awaitingVerification
            let payload = CasePayload(patientName: patient.displayName, request: s.request, channel: s.channel)
            let row = ConsultationCase()
            row.reference = reference
            row.idempotencyKey = s.idempotencyKey
            row.$patient.id = patientID
            row.$practitioner.id = s.target.practitionerID
            row.$organization.id = s.target.organizationID
            row.status = status.rawValue
            row.payload = try Vault.seal(try JSONEncoder().encode(payload), key: key.key, context: "case:\(reference)")
            row.dataKeyID = key.id
            row.createdAt = now
            row.updatedAt = now
            try await row.create(on: tx)
            let caseID = try row.requireID()

            let ids = Dictionary(s.target.procedures.map { ($0.slug, $0.id) }, uniquingKeysWith: { a, _ in a })
            for slug in s.request.procedures {
                guard let procedureID = ids[slug] else { continue }
                try await (tx as! any SQLDatabase).insert(into: "case_procedures")
                    .columns("case_id", "procedure_id", "practitioner_id", "organization_id", "status", "created_at")
                    .values(SQLBind(caseID), SQLBind(procedureID), SQLBind(s.target.practitionerID), SQLBind(s.target.organizationID),
                            SQLBind(status.rawValue), SQLBind(now)).run()
            }
            for (index, photo) in s.photos.enumerated() {
                let p = CasePhoto()
                p.id = photoIDs[index]
                p.$consultation.id = caseID
                p.position = index + 1
                p.format = photo.format.rawValue
                p.byteCount = photo.bytes.count
                p.ciphertext = try Vault.seal(Data(photo.bytes), key: key.key, context: "photo:\(photoIDs[index])")
                p.createdAt = now
                try await p.create(on: tx)
            }
            for (kind, textKey) in [("health-data", ConsentTerms.healthKey), ("share-with-provider", ConsentTerms.shareKey)] {
                let consent = Consent()
                consent.$user.id = patientID
                consent.$consultation.id = caseID
                consent.kind = kind
                consent.version = ConsentTerms.version
                consent.text = t(textKey, ["provider": s.target.name])
                consent.givenAt = now
                try await consent.create(on: tx)
            }
            try await app.legal.recordAcceptance(userID: patientID, caseID: caseID, now: now, on: tx)
            try await CaseService.addEvent(caseID: caseID, kind: "submitted", status: status, actor: patientID, note: nil,
                                           reference: reference, key: key.key, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: patientID, actorRole: Role.patient.rawValue, action: "case.create",
                                                 objectType: "case", objectID: reference, source: source), at: now, app: app, on: tx)
            if verified {
                try await CaseService.notifyOpened(reference: reference, patient: patient, practitionerID: s.target.practitionerID,
                                                   organizationID: s.target.organizationID, app: app, now: now, on: tx)
            } else {
                try await AccountService.enqueueVerification(user: patient, now: now, app: app, on: tx)
            }
            return .stored(reference: reference, status: status, patientID: patientID, new: true)
        }
    }

    struct DuplicateSubmission: DatabaseError, Error {
        var isSyntaxError: Bool { false }
        var isConstraintFailure: Bool { true }
        var isConnectionClosed: Bool { false }
    }
}

/// A suspended listing was asked to take a request.
struct ListingSuspended: Error {}

extension Request {
    /// The practice or clinic a request would go to; a suspended listing answers 409 with the reason people read.
    func consultTarget(_ slug: String) async throws -> ConsultTarget? {
        do {
            return try await ConsultTarget.find(slug: slug, on: db)
        } catch is ListingSuspended {
            throw Abort(.conflict, reason: application.localizer("listing.suspended.consult"))
        }
    }
}
