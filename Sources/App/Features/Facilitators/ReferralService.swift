import Foundation
import Crypto
import Fluent
import SQLKit
import Vapor
import Domain

/// One provider of a request's referral list, as the patient and the facilitator see it.
struct ReferralView: Sendable, Equatable {
    let id: Int
    let providerKey: String
    let providerName: String
    let status: CaseReferral.Status
    let proposedSide: String
    let note: String?
    /// The case sending made.
    let caseReference: String?
}

/// Why a referral was refused.
enum ReferralRefusal: Error, Equatable {
    /// The request was withdrawn (its data is erased) or is not confirmed yet.
    case requestUnavailable
    /// The provider is not one of the candidates (suspended, already asked, or not offered).
    case unknownProvider
    /// The provider offers none of the treatments the request asks about.
    case notOffered(String)
    /// Someone else sent or decided it first.
    case changed
}

/// Sending one request to more providers. A facilitator proposes providers it has agreements with; the patient
/// (who may also choose from that list) agrees, naming each provider, and only then is each new case made: the
/// same request, photos and consent, addressed to that provider, pointing at the first case. Quotes then come back
/// into the patient's comparison (it compares every request for the same treatment) and the facilitator's.
enum ReferralService {
    /// The providers already asked in this request (the first case's and every sent referral's).
    static func askedKeys(root: ConsultationCase, on db: any Database) async throws -> Set<String> {
        let rootID = try root.requireID()
        let cases = try await ConsultationCase.query(on: db).group(.or) { $0.filter(\.$id == rootID).filter(\.$originCaseID == rootID) }.all()
        return Set(cases.flatMap { ProviderKey.candidates(for: $0).prefix(1) })
    }

    /// Providers that can still be proposed or chosen: the facilitator's partners not asked yet.
    static func candidates(root: ConsultationCase, facilitatorID: Int?, now: Date, on db: any Database) async throws -> [FacilitatorProfile.Partner] {
        guard let facilitatorID else { return [] }
        let asked = try await askedKeys(root: root, on: db)
        return try await FacilitatorQueries.partners(facilitatorID: facilitatorID, now: now, on: db).filter { !asked.contains($0.key) }
    }

    static func list(root: ConsultationCase, on db: any Database) async throws -> [ReferralView] {
        let rows = try await CaseReferral.query(on: db).filter(\.$rootCaseID == (try root.requireID())).sort(\.$id).all()
        let created = try await ConsultationCase.query(on: db).filter(\.$id ~~ rows.compactMap(\.createdCaseID)).all()
        let names = try await providerNames(rows.map { ($0.practitionerID, $0.organizationID) }, on: db)
        return try rows.map { r in
            ReferralView(id: try r.requireID(), providerKey: r.providerKey, providerName: names[r.providerKey] ?? "",
                         status: CaseReferral.Status(rawValue: r.status) ?? .declined, proposedSide: r.proposedSide, note: r.note,
                         caseReference: created.first { $0.id == r.createdCaseID }?.reference)
        }
    }

    static func providerNames(_ pairs: [(Int?, Int?)], on db: any Database) async throws -> [String: String] {
        var names: [String: String] = [:]
        let pids = pairs.compactMap(\.0), oids = pairs.compactMap(\.1)
        for p in try await Practitioner.query(on: db).filter(\.$id ~~ pids).all() { names[ProviderKey.practitioner(p.id ?? 0)] = p.displayName }
        for o in try await Organization.query(on: db).filter(\.$id ~~ oids).all() { names[ProviderKey.organization(o.id ?? 0)] = o.name }
        return names
    }

    /// The facilitator proposes providers (from its partners) with a note for the patient; the patient is told.
    static func propose(_ keys: [String], note: String?, root: ConsultationCase, grant: AccessGrant, user: SignedInUser, app: Application,
                        source: String, on db: any Database) async throws -> Result<Int, ReferralRefusal> {
        let now = app.clock.now()
        let candidates = try await candidates(root: root, facilitatorID: grant.facilitatorID, now: now, on: db)
        let chosen = candidates.filter { keys.contains($0.key) }
        guard !chosen.isEmpty, chosen.count == Set(keys).count else { return .failure(.unknownProvider) }
        let rootID = try root.requireID()
        do {
            try await app.writes.transaction(on: db) { tx in
                for p in chosen {
                    let r = CaseReferral()
                    r.rootCaseID = rootID
                    r.providerKey = p.key
                    (r.practitionerID, r.organizationID) = ids(p.key)
                    r.status = CaseReferral.Status.proposed.rawValue
                    r.proposedSide = "facilitator"
                    r.proposedBy = user.id
                    r.note = note
                    r.createdAt = now
                    try await r.create(on: tx)
                }
                try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "referral.propose", objectType: "case",
                                                     objectID: root.reference, source: source), at: now, app: app, on: tx)
                if let patient = try await User.find(root.$patient.id, on: tx) {
                    let link = app.config.baseURL + SiteURL.caseProviders(.value(root.reference)).path
                    try await Outbox.enqueue(app, kind: "referral-proposed", to: patient.email,
                                             subject: app.localizer("mail.referralsProposed.subject", ["reference": root.reference]),
                                             body: app.localizer("mail.referralsProposed.body", ["name": grant.facilitatorName, "reference": root.reference,
                                                                                                 "count": String(chosen.count), "link": link]),
                                             now: now, on: tx)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .failure(.changed)
        }
        return .success(chosen.count)
    }

    /// The practitioner or organisation id of a provider key.
    static func ids(_ key: String) -> (Int?, Int?) {
        if key.hasPrefix(ProviderKey.practitionerPrefix) { return (Int(key.dropFirst(ProviderKey.practitionerPrefix.count)), nil) }
        if key.hasPrefix("organization:") { return (nil, Int(key.dropFirst("organization:".count))) }
        return (nil, nil)
    }

    /// The patient sends the request to the providers `keys` names (proposed ones, or chosen from the candidates),
    /// consenting for each by name. Each becomes a new case in one transaction: the request and photos re-sealed
    /// under the new reference, the consents named for that provider, the team told. A proposal is moved with one
    /// conditional update, a new choice is one insert on the unique pair: a second click finds it sent.
    static func send(_ keys: [String], root: ConsultationCase, patient: SignedInUser, app: Application, source: String,
                     on db: any Database) async throws -> Result<[String], ReferralRefusal> {
        let now = app.clock.now()
        let rootID = try root.requireID()
        guard let status = CaseStatus(rawValue: root.status), status != .withdrawn, status != .awaitingVerification, !root.payload.isEmpty else {
            return .failure(.requestUnavailable)
        }
        let grant = try await FacilitatorAccess.current(caseID: rootID, on: db)
        let open = try await CaseReferral.query(on: db).filter(\.$rootCaseID == rootID).filter(\.$status == CaseReferral.Status.proposed.rawValue).all()
        let candidates = try await candidates(root: root, facilitatorID: grant?.status == .active ? grant?.facilitatorID : nil, now: now, on: db)
        var targets: [(key: String, target: ConsultTarget)] = []
        for key in Set(keys).sorted() {
            guard open.contains(where: { $0.providerKey == key }) || candidates.contains(where: { $0.key == key }) else { return .failure(.unknownProvider) }
            let slug: String?
            let (pid, oid) = ids(key)
            if let pid { slug = try await Practitioner.find(pid, on: db)?.slug } else if let oid { slug = try await Organization.find(oid, on: db)?.slug } else { slug = nil }
            guard let slug, let target = try? await ConsultTarget.find(slug: slug, on: db) else { return .failure(.unknownProvider) }
            targets.append((key, target))
        }
        guard !targets.isEmpty else { return .failure(.unknownProvider) }
        let chosen = targets

        let key = try await app.vault.dataKey(id: root.dataKeyID, on: db)
        let plain = try Vault.open(root.payload, key: key, context: "case:\(root.reference)")
        let payload = try JSONDecoder().decode(CasePayload.self, from: plain)
        for (_, target) in chosen where !target.procedures.contains(where: { payload.request.procedures.contains($0.slug) }) {
            return .failure(.notOffered(target.name))
        }
        let photos = try await CasePhoto.query(on: db).filter(\.$consultation.$id == rootID).sort(\.$position).all()
        let t = app.localizer
        do {
            let references = try await app.writes.transaction(on: db) { tx -> [String] in
                guard let patientUser = try await User.find(patient.id, on: tx) else { throw Abort(.notFound) }
                var references: [String] = []
                for (providerKey, target) in chosen {
                    let reference = CaseReference.make()
                    let row = ConsultationCase()
                    row.reference = reference
                    row.idempotencyKey = "referral:\(rootID):\(providerKey)"
                    row.$patient.id = patient.id
                    row.$practitioner.id = target.practitionerID
                    row.$organization.id = target.organizationID
                    row.status = CaseStatus.submitted.rawValue
                    row.payload = try Vault.seal(plain, key: key, context: "case:\(reference)")
                    row.dataKeyID = root.dataKeyID
                    row.originCaseID = rootID
                    row.createdAt = now
                    row.updatedAt = now
                    try await row.create(on: tx)
                    let caseID = try row.requireID()
                    for procedure in target.procedures where payload.request.procedures.contains(procedure.slug) {
                        try await (tx as! any SQLDatabase).insert(into: "case_procedures")
                            .columns("case_id", "procedure_id", "practitioner_id", "organization_id", "status", "created_at")
                            .values(SQLBind(caseID), SQLBind(procedure.id), SQLBind(target.practitionerID), SQLBind(target.organizationID),
                                    SQLBind(CaseStatus.submitted.rawValue), SQLBind(now)).run()
                    }
                    for photo in photos {
                        let copy = CasePhoto()
                        let id = UUID().uuidString.lowercased()
                        copy.id = id
                        copy.$consultation.id = caseID
                        copy.position = photo.position
                        copy.format = photo.format
                        copy.byteCount = photo.byteCount
                        let bytes = try Vault.open(photo.ciphertext, key: key, context: "photo:\(photo.id ?? "")")
                        copy.ciphertext = try Vault.seal(bytes, key: key, context: "photo:\(id)")
                        copy.createdAt = now
                        try await copy.create(on: tx)
                    }
                    for (kind, textKey) in [("health-data", ConsentTerms.healthKey), ("share-with-provider", ConsentTerms.shareKey)] {
                        let consent = Consent()
                        consent.$user.id = patient.id
                        consent.$consultation.id = caseID
                        consent.kind = kind
                        consent.version = ConsentTerms.version
                        consent.text = t(textKey, ["provider": target.name])
                        consent.givenAt = now
                        try await consent.create(on: tx)
                    }
                    // The referral: a proposal moves once; a patient's own choice is a new row on the unique pair.
                    let moved = try await (tx as! any SQLDatabase).update(CaseReferral.schema)
                        .set("status", to: SQLBind(CaseReferral.Status.sent.rawValue)).set("created_case_id", to: SQLBind(caseID))
                        .set("decided_by", to: SQLBind(patient.id)).set("decided_at", to: SQLBind(now))
                        .where("root_case_id", .equal, SQLBind(rootID)).where("provider_key", .equal, SQLBind(providerKey))
                        .where("status", .equal, SQLBind(CaseReferral.Status.proposed.rawValue)).returning("id").all()
                    if moved.isEmpty {
                        let r = CaseReferral()
                        r.rootCaseID = rootID
                        r.providerKey = providerKey
                        (r.practitionerID, r.organizationID) = (target.practitionerID, target.organizationID)
                        r.status = CaseReferral.Status.sent.rawValue
                        r.proposedSide = "patient"
                        r.proposedBy = patient.id
                        r.createdCaseID = caseID
                        r.decidedBy = patient.id
                        r.createdAt = now
                        r.decidedAt = now
                        try await r.create(on: tx)
                    }
                    try await CaseService.addEvent(caseID: caseID, kind: "submitted", status: .submitted, actor: patient.id, note: nil,
                                                   reference: reference, key: key, now: now, on: tx)
                    try await AuditLog.append(AuditEntry(actorUserID: patient.id, actorRole: patient.role.rawValue, action: "referral.send",
                                                         objectType: "case", objectID: reference, source: source), at: now, app: app, on: tx)
                    try await CaseService.notifyOpened(reference: reference, patient: patientUser, practitionerID: target.practitionerID,
                                                       organizationID: target.organizationID, app: app, now: now, on: tx)
                    references.append(reference)
                }
                try await FacilitatorAccess.casesChanged(caseID: rootID, now: now, on: tx)
                return references
            }
            return .success(references)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .failure(.changed)
        }
    }

    /// The patient declines a proposal (one conditional update).
    static func decline(referralID: Int, root: ConsultationCase, patient: SignedInUser, app: Application, on db: any Database) async throws -> Bool {
        let now = app.clock.now()
        return try await app.writes.run(on: db) { db in
            try await (db as! any SQLDatabase).update(CaseReferral.schema)
                .set("status", to: SQLBind(CaseReferral.Status.declined.rawValue)).set("decided_by", to: SQLBind(patient.id))
                .set("decided_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(referralID)).where("root_case_id", .equal, SQLBind(try root.requireID()))
                .where("status", .equal, SQLBind(CaseReferral.Status.proposed.rawValue)).returning("id").all().count == 1
        }
    }
}
