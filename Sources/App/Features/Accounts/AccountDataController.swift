import Foundation
import Crypto
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
        struct QuoteVersionDTO: Encodable {
            let version: Int; let createdAt: Date; let currency: String; let total: String; let binding: Bool; let validUntil: String
            let content: StoredQuote?
        }
        struct QuoteDTO: Encodable { let id: Int; let status: String; let acceptedVersion: Int?; let decidedAt: Date?; let declineReason: String?
                                     let versions: [QuoteVersionDTO] }
        struct AttachmentDTO: Encodable { let name: String; let mediaType: String; let data: String }
        struct MessageDTO: Encodable { let at: Date; let side: String; let author: String; let text: String; let attachments: [AttachmentDTO] }
        struct AppointmentDTO: Encodable {
            let start: Date; let end: Date; let status: String; let providerTimeZone: String; let patientTimeZone: String; let cancelledAt: Date?
        }
        struct CaseDTO: Encodable {
            let reference: String; let status: String; let provider: String; let procedures: [String]
            let createdAt: Date; let updatedAt: Date; let request: ConsultationRequest?; let timeline: [EventDTO]; let photos: [PhotoDTO]
            var quotes: [QuoteDTO] = []
            var messages: [MessageDTO] = []
            var appointments: [AppointmentDTO] = []
        }
        let exportedAt: Date
        let account: Account
        let consents: [ConsentDTO]
        let cases: [CaseDTO]
    }

    /// One case as exported: decrypted request, timeline and photos (read one case at a time).
    static func caseDTO(_ c: ConsultationCase, app: Application, on db: any Database) async throws -> ExportDTO.CaseDTO {
        let d = try await CaseService.detail(c, app: app, on: db)
        var photos: [ExportDTO.PhotoDTO] = []
        for p in d.photos {
            if let (format, bytes) = try await CaseService.photo(id: p.id, of: c, app: app, on: db) {
                photos.append(.init(id: p.id, position: p.position, mediaType: format.mediaType, data: bytes.base64EncodedString()))
            }
        }
        var dto = ExportDTO.CaseDTO(reference: d.reference, status: d.status.rawValue, provider: d.providerName, procedures: d.procedures.map(\.name),
                                    createdAt: d.createdAt, updatedAt: d.updatedAt, request: d.payload?.request,
                                    timeline: d.events.map { .init(at: $0.at, kind: $0.kind, status: $0.status.rawValue, note: $0.note, byPatient: $0.byPatient) },
                                    photos: photos)
        dto.quotes = try await quotes(c, app: app, on: db)
        dto.messages = try await messages(c, app: app, on: db)
        dto.appointments = try await SchedulingService.appointments(caseID: d.id, on: db).map {
            .init(start: $0.startsAt, end: $0.endsAt, status: $0.status, providerTimeZone: $0.providerZone, patientTimeZone: $0.patientZone,
                  cancelledAt: $0.cancelledAt)
        }
        return dto
    }

    /// Every quote of a case with every version's content, opened.
    static func quotes(_ c: ConsultationCase, app: Application, on db: any Database) async throws -> [ExportDTO.QuoteDTO] {
        var list: [ExportDTO.QuoteDTO] = []
        for s in try await QuoteService.summaries(caseIDs: [try c.requireID()], on: db) {
            var versions: [ExportDTO.QuoteVersionDTO] = []
            for v in s.versions.sorted(by: { $0.version < $1.version }) {
                let content = try await QuoteService.content(quoteID: s.id, version: v.version, of: c, app: app, on: db).map(StoredQuote.init)
                versions.append(.init(version: v.version, createdAt: v.createdAt, currency: v.currency.code, total: "\(v.total.amount)",
                                      binding: v.binding, validUntil: ISODate.format(v.validUntil), content: content))
            }
            let record = try await QuoteRecord.find(s.id, on: db)
            list.append(.init(id: s.id, status: s.status.rawValue, acceptedVersion: s.acceptedVersion, decidedAt: s.decidedAt,
                              declineReason: try await QuoteService.decisionNote(record?.decisionNote, quoteID: s.id, of: c, app: app, on: db),
                              versions: versions))
        }
        return list
    }

    /// The whole conversation of a case, opened, page by page from the oldest.
    static func messages(_ c: ConsultationCase, app: Application, on db: any Database) async throws -> [ExportDTO.MessageDTO] {
        let caseID = try c.requireID()
        let key = try await app.vault.dataKey(id: c.dataKeyID, on: db)
        var list: [ExportDTO.MessageDTO] = []
        var after = 0
        while true {
            let rows = try await CaseMessage.query(on: db).filter(\.$caseID == caseID).filter(\.$id > after).sort(\.$id).limit(500).all()
            guard let last = rows.last?.id else { break }
            after = last
            let ids = rows.compactMap(\.id)
            let files = Dictionary(grouping: try await MessageAttachment.query(on: db).filter(\.$messageID ~~ ids).sort(\.$createdAt).all(), by: \.messageID)
            let authors = Dictionary(uniqueKeysWithValues: try await User.query(on: db).filter(\.$id ~~ Set(rows.compactMap(\.authorUserID))).all()
                .map { ($0.id ?? 0, $0.displayName) })
            for m in rows {
                let id = m.id ?? 0
                list.append(.init(at: m.createdAt, side: m.side, author: m.authorUserID.flatMap { authors[$0] } ?? "",
                                  text: String(decoding: try Vault.open(m.body, key: key, context: MessageService.bodyContext(c.reference, id)), as: UTF8.self),
                                  attachments: try (files[id] ?? []).map { f in
                                      let fid = f.id ?? ""
                                      return .init(name: String(decoding: try Vault.open(f.name, key: key, context: MessageService.nameContext(c.reference, fid)), as: UTF8.self),
                                                   mediaType: (AttachmentKind(rawValue: f.mediaType) ?? .pdf).mediaType,
                                                   data: try Vault.open(f.ciphertext, key: key, context: MessageService.attachmentContext(c.reference, fid)).base64EncodedString())
                                  }))
            }
        }
        return list
    }

    /// Everything exported, gathered at once (small accounts and tests; the download streams instead).
    static func collect(_ user: SignedInUser, app: Application, on db: any Database) async throws -> ExportDTO {
        let head = try await exportHead(user, app: app, on: db)
        var cases: [ExportDTO.CaseDTO] = []
        for id in head.caseIDs {
            if let c = try await ConsultationCase.find(id, on: db) { cases.append(try await caseDTO(c, app: app, on: db)) }
        }
        return ExportDTO(exportedAt: head.exportedAt, account: head.account, consents: head.consents, cases: cases)
    }

    /// What an export knows before it reads the cases: the account, the consents and the ids of the cases.
    struct ExportHead: Sendable {
        let exportedAt: Date
        let account: ExportDTO.Account
        let consents: [ExportDTO.ConsentDTO]
        let caseIDs: [Int]
    }

    static func exportHead(_ user: SignedInUser, app: Application, on db: any Database) async throws -> ExportHead {
        guard let row = try await User.find(user.id, on: db) else { throw Abort(.notFound) }
        struct CaseRef: Decodable { let id: Int; let reference: String }
        let refs = try await (db as! any SQLDatabase).select().column("id").column("reference").from(ConsultationCase.schema)
            .where("patient_id", .equal, SQLBind(user.id)).orderBy("created_at").orderBy("id").all(decoding: CaseRef.self)
        let references = Dictionary(uniqueKeysWithValues: refs.map { ($0.id, $0.reference) })
        let consents = try await Consent.query(on: db).filter(\.$user.$id == user.id).sort(\.$givenAt).all().map {
            ExportDTO.ConsentDTO(kind: $0.kind, version: $0.version, text: $0.text, givenAt: $0.givenAt, withdrawnAt: $0.withdrawnAt,
                                 caseReference: $0.$consultation.id.flatMap { references[$0] })
        }
        return ExportHead(exportedAt: app.clock.now(),
                          account: .init(email: row.email, name: row.displayName, createdAt: row.createdAt, emailVerifiedAt: row.emailVerifiedAt),
                          consents: consents, caseIDs: refs.map(\.id))
    }

    static var exportEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// The export as a download, streamed: the account first, then one case at a time (each decrypted, written and
    /// let go), so memory does not grow with the number of cases or photos.
    @Sendable static func export(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let format = (try? req.query.get(String.self, at: "format")) ?? "json"
        guard ["json", "fhir"].contains(format) else { throw ParameterError("format", .unknownValue) }
        let app = req.application
        let db = req.db
        let head = try await exportHead(user, app: app, on: db)
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "account.export.\(format)",
                                             objectType: "user", objectID: String(user.id), source: req.auditSource), app: app)
        let logger = req.logger
        let body = Response.Body(asyncStream: { writer in
            do {
                func write(_ data: Data) async throws { try await writer.writeBuffer(ByteBuffer(data: data)) }
                if format == "fhir" {
                    let fhir = FHIRExport(userID: user.id, baseURL: app.config.baseURL)
                    try await write(fhir.opening(exportedAt: head.exportedAt, account: head.account))
                    for id in head.caseIDs {
                        guard let c = try await ConsultationCase.find(id, on: db) else { continue }
                        for entry in fhir.caseEntries(try await caseDTO(c, app: app, on: db)) { try await write(Data(",".utf8) + entry) }
                    }
                    for entry in fhir.consentEntries(head.consents) { try await write(Data(",".utf8) + entry) }
                    try await write(Data("]}".utf8))
                } else {
                    let encoder = exportEncoder
                    try await write(Data("{\"account\":".utf8) + encoder.encode(head.account) + Data(",\"cases\":[".utf8))
                    var first = true
                    for id in head.caseIDs {
                        guard let c = try await ConsultationCase.find(id, on: db) else { continue }
                        try await write(Data((first ? "" : ",").utf8) + encoder.encode(try await caseDTO(c, app: app, on: db)))
                        first = false
                    }
                    try await write(Data("],\"consents\":".utf8) + encoder.encode(head.consents) + Data(",\"exportedAt\":".utf8)
                                    + encoder.encode(head.exportedAt) + Data("}".utf8))
                }
                try await writer.write(.end)
            } catch {
                logger.error("export failed", metadata: ["error": "\(LogSafe.describe(error))"])
                try await writer.write(.error(error))
            }
        })
        let response = Response(status: .ok, body: body)
        response.headers.contentType = format == "fhir" ? HTTPMediaType(type: "application", subType: "fhir+json", parameters: ["charset": "utf-8"]) : .json
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
                // Booked consultations are cancelled first, so no reminder of them goes out after the account is gone.
                for id in caseIDs { try await CaseService.stopOpenWork(caseID: id, by: nil, now: now, on: tx) }
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
/// photo, so the patient's own doctor can read them. Written entry by entry, so the download can stream.
/// Every `fullUrl` is a `urn:uuid:` with a real UUID, derived from the account and the resource id so that the
/// references inside one bundle agree (and a second export names the same resources the same way).
struct FHIRExport {
    let userID: Int
    let baseURL: String
    let iso = ISO8601DateFormatter()

    /// A name-based UUID (version 5 layout over SHA-256, truncated): the same input gives the same UUID.
    func uuid(_ resourceID: String) -> String {
        var bytes = Array(SHA256.hash(data: Data("careabroad:fhir:\(userID):\(resourceID)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])).uuidString.lowercased()
    }

    func ref(_ resourceID: String) -> [String: Any] { ["reference": "urn:uuid:\(uuid(resourceID))"] }

    func entry(_ resource: [String: Any]) -> Data {
        let id = resource["id"] as? String ?? ""
        let object: [String: Any] = ["fullUrl": "urn:uuid:\(uuid(id))", "resource": resource]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    static let patientID = "patient"

    /// The bundle's opening, up to and including the Patient entry (the caller closes it with `]}`).
    func opening(exportedAt: Date, account: AccountDataController.ExportDTO.Account) -> Data {
        let patient = entry(["resourceType": "Patient", "id": Self.patientID, "name": [["text": account.name]],
                             "telecom": [["system": "email", "value": account.email]]])
        let top = "{\"resourceType\":\"Bundle\",\"timestamp\":\"\(iso.string(from: exportedAt))\",\"type\":\"collection\",\"entry\":["
        return Data(top.utf8) + patient
    }

    func caseEntries(_ c: AccountDataController.ExportDTO.CaseDTO) -> [Data] {
        var entries: [Data] = []
        let requestID = "request-\(c.reference)"
        var supporting: [[String: Any]] = [ref("answers-\(c.reference)")]
        for p in c.photos { supporting.append(ref("photo-\(p.id)")) }
        let status: String = {
            switch c.status {
            case "declined": return "revoked"
            case "withdrawn": return "entered-in-error"
            case "awaiting-verification": return "draft"
            default: return "active"
            }
        }()
        entries.append(entry(["resourceType": "ServiceRequest", "id": requestID, "status": status, "intent": "proposal",
                              "identifier": [["system": baseURL + "/cases", "value": c.reference]],
                              "subject": ref(Self.patientID), "authoredOn": iso.string(from: c.createdAt),
                              "code": ["text": c.procedures.joined(separator: ", ")],
                              "performer": [["display": c.provider]], "supportingInfo": supporting]))
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
        entries.append(entry(["resourceType": "QuestionnaireResponse", "id": "answers-\(c.reference)", "status": c.request == nil ? "entered-in-error" : "completed",
                              "subject": ref(Self.patientID), "authored": iso.string(from: c.createdAt),
                              "basedOn": [ref(requestID)], "item": items]))
        for p in c.photos {
            entries.append(entry(["resourceType": "DocumentReference", "id": "photo-\(p.id)", "status": "current",
                                  "subject": ref(Self.patientID),
                                  "content": [["attachment": ["contentType": p.mediaType, "data": p.data, "title": "Photo \(p.position)"]]]]))
        }
        return entries
    }

    func consentEntries(_ consents: [AccountDataController.ExportDTO.ConsentDTO]) -> [Data] {
        consents.enumerated().map { index, consent in
            entry(["resourceType": "Consent", "id": "consent-\(index + 1)", "status": consent.withdrawnAt == nil ? "active" : "inactive",
                   "scope": ["coding": [["system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"]]],
                   "category": [["text": consent.kind]], "patient": ref(Self.patientID),
                   "dateTime": iso.string(from: consent.givenAt),
                   "policyRule": ["text": "CareAbroad consent \(consent.version)"],
                   "sourceAttachment": ["contentType": "text/plain", "title": consent.text]])
        }
    }
}
