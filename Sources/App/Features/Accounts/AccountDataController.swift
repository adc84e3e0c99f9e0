import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// GDPR rights: access and portability (`/account/export`, as JSON or as a FHIR R4 bundle) and erasure
/// (`/account/delete`). Both are audited; erasure leaves only a tombstone in the audit trail.
enum AccountDataController {
    struct ExportDTO: Encodable {
        struct Account: Encodable { let email: String; let name: String; let createdAt: Date; let emailVerifiedAt: Date? }
        struct ConsentDTO: Encodable { let kind: String; let version: String; let text: String; let givenAt: Date; let withdrawnAt: Date?; let caseReference: String? }
        struct EventDTO: Encodable { let at: Date; let kind: String; let status: String; let note: String?; let byPatient: Bool }
        struct PhotoDTO: Encodable { let id: String; let position: Int; let mediaType: String; let data: String }
        struct CaseDTO: Encodable {
            let reference: String; let status: String; let provider: String; let procedures: [String]
            let createdAt: Date; let updatedAt: Date; let request: ConsultationRequest?; let timeline: [EventDTO]; let photos: [PhotoDTO]
        }
        let exportedAt: Date
        let account: Account
        let consents: [ConsentDTO]
        let cases: [CaseDTO]
    }

    static func collect(_ user: SignedInUser, app: Application, on db: any Database) async throws -> ExportDTO {
        guard let row = try await User.find(user.id, on: db) else { throw Abort(.notFound) }
        let cases = try await ConsultationCase.query(on: db).filter(\.$patient.$id == user.id).sort(\.$createdAt).all()
        var caseDTOs: [ExportDTO.CaseDTO] = []
        var references: [Int: String] = [:]
        for c in cases {
            references[c.id!] = c.reference
            let d = try await CaseService.detail(c, app: app, on: db)
            var photos: [ExportDTO.PhotoDTO] = []
            for p in d.photos {
                if let (format, bytes) = try await CaseService.photo(id: p.id, of: c, app: app, on: db) {
                    photos.append(.init(id: p.id, position: p.position, mediaType: format.mediaType, data: bytes.base64EncodedString()))
                }
            }
            caseDTOs.append(.init(reference: d.reference, status: d.status.rawValue, provider: d.providerName, procedures: d.procedures.map(\.name),
                                  createdAt: d.createdAt, updatedAt: d.updatedAt, request: d.payload?.request,
                                  timeline: d.events.map { .init(at: $0.at, kind: $0.kind, status: $0.status.rawValue, note: $0.note, byPatient: $0.byPatient) },
                                  photos: photos))
        }
        let consents = try await Consent.query(on: db).filter(\.$user.$id == user.id).sort(\.$givenAt).all().map {
            ExportDTO.ConsentDTO(kind: $0.kind, version: $0.version, text: $0.text, givenAt: $0.givenAt, withdrawnAt: $0.withdrawnAt,
                                 caseReference: $0.$consultation.id.flatMap { references[$0] })
        }
        return ExportDTO(exportedAt: app.clock.now(),
                         account: .init(email: row.email, name: row.displayName, createdAt: row.createdAt, emailVerifiedAt: row.emailVerifiedAt),
                         consents: consents, cases: caseDTOs)
    }

    @Sendable static func export(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let format = (try? req.query.get(String.self, at: "format")) ?? "json"
        guard ["json", "fhir"].contains(format) else { throw ParameterError("format", .unknownValue) }
        let data = try await collect(user, app: req.application, on: req.db)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let body: Data
        let type: HTTPMediaType
        if format == "fhir" {
            body = try JSONSerialization.data(withJSONObject: FHIRExport.bundle(data, baseURL: req.application.config.baseURL), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            type = HTTPMediaType(type: "application", subType: "fhir+json", parameters: ["charset": "utf-8"])
        } else {
            body = try encoder.encode(data)
            type = .json
        }
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "account.export.\(format)",
                                             objectType: "user", objectID: String(user.id), source: req.auditSource), app: req.application)
        let response = Response(status: .ok, body: .init(data: body))
        response.headers.contentType = type
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"careabroad-export.\(format == "fhir" ? "fhir.json" : "json")\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable static func deleteForm(req: Request) async throws -> Response {
        let user = try req.requireUser()
        return .html(page(user, state: FormState(), csrf: req.csrfToken, req.pageContext))
    }

    static func page(_ user: SignedInUser, state: FormState, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        return AccountPages.shell(t("account.delete.title"), lead: t("account.delete.lead"), ctx, .group(
            .p(.a(.to(SiteURL.accountExport.path), .plain(t("account.export.json")))),
            user.role == .patient
                ? Fields.form(action: SiteURL.accountDelete.path, csrf: csrf, [
                    Fields.summary(state, labels: ["password": t("account.field.currentPassword"), "confirm": t("account.delete.title")], t),
                    Fields.input("password", label: t("account.field.currentPassword"), type: "password", state: state, t, required: true,
                                 autocomplete: "current-password", maxLength: PasswordPolicy.maximumLength),
                    Fields.checkbox("confirm", label: t("account.delete.confirm"), state: state, t),
                    .button(.type(.submit), .class("button danger"), .plain(t("account.delete.submit")))])
                : .p(.class("notice"), .plain(t("account.delete.staff")))
        ))
    }

    @Sendable static func delete(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.patient])
        guard let row = try await User.find(user.id, on: req.db) else { throw Abort(.notFound) }
        var problems: [FieldProblem] = []
        if !(try await Passwords.verify(form.input["password"] ?? "", hash: row.passwordHash, app: req.application)) {
            problems.append(FieldProblem("password", .mismatch))
        }
        if !FormReader(form.input).checked("confirm") { problems.append(FieldProblem("confirm", .consentMissing)) }
        guard problems.isEmpty else {
            return .html(page(user, state: FormState(FormInput(), problems: problems), csrf: req.csrfToken, req.pageContext), status: .unprocessableEntity)
        }
        try await erase(userID: user.id, email: row.email, role: user.role, app: req.application, source: req.auditSource, on: req.db)
        let t = req.application.localizer
        let response = Response.html(AccountPages.notice(t("account.deleted.title"), t("account.deleted.body"), req.pageContext))
        response.cookies[SessionPolicy.cookieName(tls: req.tls)] = SessionPolicy.cookie("", tls: req.tls, maxAge: 0)
        return response
    }

    /// Removes the account and everything it holds. The data keys go too, so any copy of the ciphertext that
    /// survives elsewhere (a backup) can no longer be read. The audit trail keeps a tombstone naming only the id.
    static func erase(userID: Int, email: String, role: Role, app: Application, source: String, on db: any Database) async throws {
        let now = app.clock.now()
        try await app.writes.transaction(on: db) { tx in
            let caseIDs = try await ConsultationCase.query(on: tx).filter(\.$patient.$id == userID).all().compactMap(\.id)
            if !caseIDs.isEmpty {
                try await CasePhoto.query(on: tx).filter(\.$consultation.$id ~~ caseIDs).delete()
                try await CaseEvent.query(on: tx).filter(\.$consultation.$id ~~ caseIDs).delete()
                try await Consent.query(on: tx).filter(\.$consultation.$id ~~ caseIDs).delete()
                try await (tx as! any SQLDatabase).delete(from: "case_procedures").where("case_id", .in, SQLBind.group(caseIDs)).run()
                try await ConsultationCase.query(on: tx).filter(\.$id ~~ caseIDs).delete()
            }
            try await Consent.query(on: tx).filter(\.$user.$id == userID).delete()
            try await DataKey.query(on: tx).filter(\.$user.$id == userID).delete()
            try await UserSession.query(on: tx).filter(\.$user.$id == userID).delete()
            try await EmailToken.query(on: tx).filter(\.$user.$id == userID).delete()
            try await APIToken.query(on: tx).filter(\.$user.$id == userID).delete()
            try await Membership.query(on: tx).filter(\.$user.$id == userID).delete()
            try await OutboxMessage.query(on: tx).filter(\.$recipient == email).delete()
            try await MailboxMessage.query(on: tx).filter(\.$recipient == email).delete()
            try await User.query(on: tx).filter(\.$id == userID).delete()
            try await AuditLog.append(AuditEntry(actorUserID: userID, actorRole: role.rawValue, action: "account.erase",
                                                 objectType: "user", objectID: String(userID), source: source), at: now, app: app, on: tx)
        }
    }
}

/// The patient's records as a FHIR R4 `Bundle` (type `collection`): `Patient`, and per case a `ServiceRequest`
/// (intent `proposal`), a `QuestionnaireResponse` with the answers, the `Consent`s and a `DocumentReference` per
/// photo, so the patient's own doctor can read them.
enum FHIRExport {
    static func bundle(_ e: AccountDataController.ExportDTO, baseURL: String) -> [String: Any] {
        let iso = ISO8601DateFormatter()
        var entries: [[String: Any]] = []
        let patientID = "patient"
        func entry(_ resource: [String: Any]) { entries.append(["fullUrl": "urn:uuid:\(resource["id"]!)", "resource": resource]) }
        entry(["resourceType": "Patient", "id": patientID, "name": [["text": e.account.name]],
               "telecom": [["system": "email", "value": e.account.email]]])
        for c in e.cases {
            let requestID = "request-\(c.reference)"
            var supporting: [[String: Any]] = [["reference": "urn:uuid:answers-\(c.reference)"]]
            for p in c.photos { supporting.append(["reference": "urn:uuid:photo-\(p.id)"]) }
            let status: String = {
                switch c.status {
                case "declined": return "revoked"
                case "withdrawn": return "entered-in-error"
                case "awaiting-verification": return "draft"
                default: return "active"
                }
            }()
            entry(["resourceType": "ServiceRequest", "id": requestID, "status": status, "intent": "proposal",
                   "identifier": [["system": baseURL + "/cases", "value": c.reference]],
                   "subject": ["reference": "urn:uuid:\(patientID)"], "authoredOn": iso.string(from: c.createdAt),
                   "code": ["text": c.procedures.joined(separator: ", ")],
                   "performer": [["display": c.provider]], "supportingInfo": supporting])
            var items: [[String: Any]] = []
            if let r = c.request {
                func add(_ id: String, _ text: String, _ value: String?) {
                    guard let value, !value.isEmpty else { return }
                    items.append(["linkId": id, "text": text, "answer": [["valueString": value]]])
                }
                add("concerns", "Concerns", r.concerns); add("goals", "Goals", r.goals)
                add("conditions", "Medical conditions", r.conditions); add("medications", "Medications", r.medications)
                add("blood-thinners", "Takes blood thinners", r.bloodThinners.rawValue); add("allergies", "Allergies", r.allergies)
                add("smoking", "Smoking", r.smoking.rawValue); add("pregnancy", "Pregnancy or breastfeeding", r.pregnancy.rawValue)
                add("fillers", "Fillers in the area", r.fillers.rawValue); add("earlier-treatment", "Earlier treatment of the area", r.earlierTreatment)
                add("earlier-surgery", "Earlier surgery", r.earlierSurgery)
                if let h = r.heightCm { items.append(["linkId": "height", "text": "Height (cm)", "answer": [["valueInteger": h]]]) }
                if let w = r.weightKg { items.append(["linkId": "weight", "text": "Weight (kg)", "answer": [["valueInteger": w]]]) }
            }
            entry(["resourceType": "QuestionnaireResponse", "id": "answers-\(c.reference)", "status": c.request == nil ? "entered-in-error" : "completed",
                   "subject": ["reference": "urn:uuid:\(patientID)"], "authored": iso.string(from: c.createdAt),
                   "basedOn": [["reference": "urn:uuid:\(requestID)"]], "item": items])
            for p in c.photos {
                entry(["resourceType": "DocumentReference", "id": "photo-\(p.id)", "status": "current",
                       "subject": ["reference": "urn:uuid:\(patientID)"],
                       "content": [["attachment": ["contentType": p.mediaType, "data": p.data, "title": "Photo \(p.position)"]]]])
            }
        }
        for (index, consent) in e.consents.enumerated() {
            entry(["resourceType": "Consent", "id": "consent-\(index + 1)", "status": consent.withdrawnAt == nil ? "active" : "inactive",
                   "scope": ["coding": [["system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"]]],
                   "category": [["text": consent.kind]], "patient": ["reference": "urn:uuid:\(patientID)"],
                   "dateTime": iso.string(from: consent.givenAt),
                   "policyRule": ["text": "CareAbroad consent \(consent.version)"],
                   "sourceAttachment": ["contentType": "text/plain", "title": consent.text]])
        }
        return ["resourceType": "Bundle", "type": "collection", "timestamp": iso.string(from: e.exportedAt), "entry": entries]
    }
}
