import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// The JSON API of a case's journey, with bearer tokens and the same rules as the pages: quotes (read, accept),
/// the conversation (read, send), slots (read), appointments (list, book, cancel). Amounts are decimal strings,
/// times RFC 3339 in UTC; refusals are problem+json naming the field, or 409 with the reason.
enum JourneyAPI {
    /// Five attachments at their largest, base64-encoded, and the text.
    static let messageMaxBody = ByteCount(value: AttachmentInspector.maxPerMessage * (AttachmentInspector.maxBytes / 3 + 1) * 4 + 1_048_576)

    static func signedIn(_ req: Request) throws -> SignedInUser {
        let user = try RequireBearer.user(req)
        return SignedInUser(id: try user.requireID(), email: user.email, displayName: user.displayName, role: user.roleValue,
                            emailVerified: user.emailVerifiedAt != nil, sessionID: "api", secondFactorDone: true, totpEnabled: user.totpSecret != nil)
    }

    /// The case named in the path, if the token's user takes part in it (404 and an audit entry otherwise).
    static func participantCase(_ req: Request, _ user: SignedInUser) async throws -> (ConsultationCase, ConversationSide) {
        let reference = try req.caseReference()
        let row: ConsultationCase?
        switch user.role {
        case .patient: row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db)
        case .provider: row = try await CaseService.forStaff(reference: reference, userID: user.id, on: req.db)
        default: row = nil
        }
        guard let row else { try await CaseController.notFound(req, user, reference) }
        return (row, user.role == .patient ? .patient : .provider)
    }

    static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(ISODate.timestamp(date))
        }
        let response = Response(status: status, body: .init(data: try encoder.encode(value)))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func decode<T: Decodable>(_ type: T.Type, _ req: Request) throws -> T {
        do { return try req.content.decode(T.self) } catch { throw Abort(.badRequest, reason: req.application.localizer("api.badJSON")) }
    }

    // MARK: quotes

    struct MoneyDTO: Encodable { let amount: String; let currency: String }
    struct ConvertedDTO: Encodable { let amount: String; let currency: String; let rate: String; let rateDate: String }
    struct LineDTO: Encodable {
        let kind: String; let description: String; let quantity: String; let unitAmount: String; let lineTotal: String
        let included: String; let excluded: String
    }
    struct CapDTO: Encodable { let kind: String; let value: String }
    struct ContentDTO: Encodable {
        let version: Int; let total: MoneyDTO; let converted: ConvertedDTO?; let binding: Bool; let ceiling: MoneyDTO?; let validUntil: String
        let deposit: MoneyDTO; let depositDueDaysBeforeTreatment: Int; let cancellation: String; let scopeFindings: String; let scopeCap: CapDTO?
        let lines: [LineDTO]
    }
    struct VersionDTO: Encodable { let version: Int; let total: MoneyDTO; let binding: Bool; let validUntil: String; let createdAt: Date }
    struct QuoteDTO: Encodable {
        let id: Int; let status: String; let expired: Bool; let provider: String; let latestVersion: Int; let acceptedVersion: Int?
        let versions: [VersionDTO]; let latest: ContentDTO?
    }
    struct QuotesDTO: Encodable { let reference: String; let currency: String; let quotes: [QuoteDTO] }

    static func money(_ m: Money) -> MoneyDTO { MoneyDTO(amount: "\(m.rounded().amount)", currency: m.currency.code) }

    @Sendable static func quotes(req: Request) async throws -> Response {
        let user = try signedIn(req)
        let (row, _) = try await participantCase(req, user)
        let query = try req.queryParameters()
        var currency: CurrencyCode?
        if let raw = try query.single("currency") {
            guard let code = CurrencyCode(raw.uppercased()) else { throw ParameterError("currency", .unknownCurrency) }
            currency = code
        }
        let rates = try await RatesStore.latest(on: req.db)
        let today = QuoteService.today(req.application.clock.now())
        let provider = try await QuoteController.providerName(row, on: req.db)
        var list: [QuoteDTO] = []
        for s in try await QuoteService.summaries(caseIDs: [try row.requireID()], on: req.db) {
            let q = try await QuoteService.content(quoteID: s.id, version: s.latestVersion, of: row, app: req.application, on: req.db)
            let content = q.map { q -> ContentDTO in
                let converted = currency.flatMap { c in c == q.currency ? nil : rates?.exactConversion(q.total, to: c) }
                let cap: CapDTO? = switch q.scopeChange.cap {
                case .amount(let a)?: CapDTO(kind: "amount", value: "\(a)")
                case .percent(let p)?: CapDTO(kind: "percent", value: "\(p)")
                case nil: nil
                }
                return ContentDTO(version: s.latestVersion, total: money(q.total),
                                  converted: converted.map { ConvertedDTO(amount: "\($0.converted.amount)", currency: $0.converted.currency.code,
                                                                          rate: "\($0.rate.rounded(10))", rateDate: $0.rateDate) },
                                  binding: q.isBinding, ceiling: q.ceiling.map(money), validUntil: ISODate.format(q.validUntil),
                                  deposit: money(Money(q.depositAmount, q.currency)), depositDueDaysBeforeTreatment: q.depositDueDays,
                                  cancellation: q.cancellation, scopeFindings: q.scopeChange.findings, scopeCap: cap,
                                  lines: q.lines.map { LineDTO(kind: $0.kind.rawValue, description: $0.description, quantity: "\($0.quantity)",
                                                               unitAmount: "\($0.unitAmount)", lineTotal: "\($0.exactTotal)", included: $0.included,
                                                               excluded: $0.excluded) })
            }
            list.append(QuoteDTO(id: s.id, status: s.status.rawValue, expired: s.isExpired(today: today), provider: provider,
                                 latestVersion: s.latestVersion, acceptedVersion: s.acceptedVersion,
                                 versions: s.versions.map { VersionDTO(version: $0.version, total: money($0.total), binding: $0.binding,
                                                                       validUntil: ISODate.format($0.validUntil), createdAt: $0.createdAt) },
                                 latest: content))
        }
        try await QuoteController.auditView(req, user, "quote.view", row.reference)
        return try json(QuotesDTO(reference: row.reference, currency: currency?.code ?? "", quotes: list))
    }

    struct AcceptDTO: Decodable { let version: Int?; let confirm: Bool? }
    struct DecisionDTO: Encodable { let status: String; let agreement: String }

    @Sendable static func accept(req: Request) async throws -> Response {
        let user = try signedIn(req)
        guard user.role == .patient else { throw Abort(.forbidden) }
        let (row, _) = try await participantCase(req, user)
        let quoteID = try req.quoteID()
        let dto = try decode(AcceptDTO.self, req)
        var problems: [FieldProblem] = []
        if dto.version == nil { problems.append(FieldProblem("version", .required)) }
        if dto.confirm != true { problems.append(FieldProblem("confirm", .consentMissing)) }
        guard problems.isEmpty, let version = dto.version else { return try ConsultationAPI.problem(.unprocessableEntity, problems, req) }
        switch try await QuoteService.accept(quoteID: quoteID, version: version, of: row, patient: user, app: req.application,
                                             source: req.auditSource, on: req.db) {
        case .success:
            return try json(DecisionDTO(status: QuoteStatus.accepted.rawValue,
                                        agreement: req.application.config.baseURL + SiteURL.caseQuoteAgreement(case: .value(row.reference), quote: .value("\(quoteID)")).path))
        case .failure(let refusal):
            throw Abort(.conflict, reason: req.application.localizer(refusal.key))
        }
    }

    // MARK: messages

    struct AttachmentDTO: Encodable { let id: String; let name: String; let kind: String; let bytes: Int; let url: String }
    struct MessageDTO: Encodable {
        let id: Int; let side: String; let author: String; let mine: Bool; let text: String; let createdAt: Date; let seen: Bool
        let attachments: [AttachmentDTO]
    }
    struct MessagesDTO: Encodable { let reference: String; let messages: [MessageDTO]; let olderBefore: Int? }
    struct NewMessageDTO: Decodable {
        struct File: Decodable { let filename: String?; let data: String }
        let text: String?
        let attachments: [File]?
    }
    struct CreatedMessageDTO: Encodable { let id: Int; let url: String }

    @Sendable static func messages(req: Request) async throws -> Response {
        let user = try signedIn(req)
        let (row, side) = try await participantCase(req, user)
        let before = try req.queryParameters().integer("before", in: 1...Int(Int32.max))
        let page = try await MessageService.page(row: row, viewer: side, viewerID: user.id, before: before, app: req.application, on: req.db)
        if let newest = page.messages.last?.id {
            try await req.application.writes.run(on: req.db) { db in
                try await MessageService.markRead(caseID: try row.requireID(), userID: user.id, side: side, upTo: newest, now: req.application.clock.now(), on: db)
            }
        }
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "messages.view", objectType: "case",
                                             objectID: row.reference, source: req.auditSource), app: req.application)
        let base = req.application.config.baseURL
        return try json(MessagesDTO(reference: row.reference, messages: page.messages.map { m in
            MessageDTO(id: m.id, side: m.side.rawValue, author: m.authorName, mine: m.mine, text: m.text, createdAt: m.at, seen: m.seen,
                       attachments: m.attachments.map { a in
                           AttachmentDTO(id: a.id, name: a.name, kind: a.kind.rawValue, bytes: a.byteCount,
                                         url: base + (side == .patient ? SiteURL.caseAttachment(case: .value(row.reference), attachment: .value(a.id))
                                                                       : SiteURL.inboxAttachment(case: .value(row.reference), attachment: .value(a.id))).path)
                       })
        }, olderBefore: page.olderBefore))
    }

    @Sendable static func sendMessage(req: Request) async throws -> Response {
        let user = try signedIn(req)
        let (row, side) = try await participantCase(req, user)
        guard let status = CaseStatus(rawValue: row.status), MessageService.openStatuses.contains(status) else {
            throw Abort(.conflict, reason: req.application.localizer("messages.closed"))
        }
        let dto = try decode(NewMessageDTO.self, req)
        var input = FormInput()
        input["text"] = dto.text
        var reader = FormReader(input)
        let text = reader.text("text", max: MessageLimits.maxText) ?? ""
        let checked = MessageService.inspect((dto.attachments ?? []).map { ($0.filename ?? "", Data(base64Encoded: $0.data).map { Array($0) }) },
                                             field: { "attachments[\($0)]" })
        let attachments = checked.attachments
        var problems = reader.problems + checked.problems
        if problems.isEmpty && text.isEmpty && attachments.isEmpty { problems.append(FieldProblem("text", .required)) }
        guard problems.isEmpty else {
            return try ConsultationAPI.problem(checked.problems.isEmpty ? .unprocessableEntity : checked.status, problems, req)
        }
        let id: Int
        do {
            id = try await MessageService.post(text: text, attachments: attachments, side: side, row: row, author: user, app: req.application,
                                               source: req.auditSource, on: req.db)
        } catch is ConversationClosed {
            throw Abort(.conflict, reason: req.application.localizer("messages.closed"))
        }
        let page = side == .patient ? SiteURL.caseMessages(.value(row.reference)) : SiteURL.inboxMessages(.value(row.reference))
        return try json(CreatedMessageDTO(id: id, url: req.application.config.baseURL + page.path + "#m\(id)"), status: .created)
    }

    // MARK: slots and appointments

    struct SlotDTO: Encodable { let start: Date; let end: Date; let label: String }
    struct SlotsDTO: Encodable {
        let provider: String; let timeZone: String; let slotMinutes: Int; let noticeMinutes: Int; let shownIn: String; let slots: [SlotDTO]
    }

    /// Free slots of a provider (public: availability is not personal). `from` and `to` are dates (`YYYY-MM-DD`,
    /// UTC) or RFC 3339 times, at most 31 days apart; `zone` names the zone of the labels.
    @Sendable static func slots(req: Request) async throws -> Response {
        let slug = try req.slug()
        guard let target = try await req.consultTarget(slug) else { throw Abort(.notFound) }
        let query = try req.queryParameters()
        let now = req.application.clock.now()
        func instant(_ name: String) throws -> Date? {
            guard let raw = try query.single(name) else { return nil }
            if let d = ISODate.parse(raw) { return d }
            let f = ISO8601DateFormatter()
            guard let d = f.date(from: raw) else { throw ParameterError(name, .malformed) }
            return d
        }
        let from = try instant("from") ?? now
        let to = try instant("to") ?? from.addingTimeInterval(7 * 86_400)
        guard to > from else { throw ParameterError("to", .minAboveMax) }
        guard to.timeIntervalSince(from) <= 31 * 86_400 else { throw ParameterError("to", .outOfRange(min: 1, max: 31)) }
        let zone = try query.single("zone") ?? "UTC"
        guard ScheduleController.validZone(zone) else { throw ParameterError("zone", .unknownValue) }
        let keys = [target.practitionerID.map(ProviderKey.practitioner), target.organizationID.map(ProviderKey.organization)].compactMap { $0 }
        var found: (String, PublishedAvailability)?
        for key in keys { if let p = try await SchedulingService.published(key: key, on: req.db) { found = (key, p); break } }
        guard let (key, published) = found else { throw Abort(.notFound, reason: req.application.localizer("book.refused.noAvailability")) }
        let slots = try await SchedulingService.freeSlots(key: key, published: published, from: from, to: to, now: now, on: req.db)
        return try json(SlotsDTO(provider: slug, timeZone: published.availability.timeZone, slotMinutes: published.availability.slotMinutes,
                                 noticeMinutes: published.availability.noticeMinutes, shownIn: zone,
                                 slots: slots.map { SlotDTO(start: $0.start, end: $0.end,
                                                            label: SlotLabel.text($0, patientZone: zone, providerZone: published.availability.timeZone)) }))
    }

    struct AppointmentDTO: Encodable {
        let id: String; let reference: String; let status: String; let start: Date; let end: Date; let providerTimeZone: String
        let patientTimeZone: String; let sequence: Int; let url: String; let calendar: String; let videoLink: String?
    }

    static func dto(_ a: Appointment, reference: String, now: Date, app: Application) -> AppointmentDTO {
        let id = a.id ?? ""
        return AppointmentDTO(id: id, reference: reference, status: a.status, start: a.startsAt, end: a.endsAt, providerTimeZone: a.providerZone,
                              patientTimeZone: a.patientZone, sequence: a.sequence, url: app.config.baseURL + SiteURL.appointment(.value(id)).path,
                              calendar: app.config.baseURL + SiteURL.appointmentCalendar(.value(id)).path,
                              videoLink: SchedulingService.linkVisible(a, now: now) ? a.videoLink : nil)
    }

    @Sendable static func appointments(req: Request) async throws -> Response {
        let user = try signedIn(req)
        let now = req.application.clock.now()
        var result: [AppointmentDTO] = []
        let query = Appointment.query(on: req.db).join(ConsultationCase.self, on: \Appointment.$caseID == \ConsultationCase.$id)
        switch user.role {
        case .patient:
            query.filter(ConsultationCase.self, \.$patient.$id == user.id)
        case .provider:
            let places = try await CaseService.workplaces(userID: user.id, on: req.db)
            guard !places.practitioners.isEmpty || !places.organizations.isEmpty else { return try json([AppointmentDTO]()) }
            query.group(.or) { or in
                if !places.practitioners.isEmpty { or.filter(ConsultationCase.self, \.$practitioner.$id ~~ places.practitioners) }
                if !places.organizations.isEmpty { or.filter(ConsultationCase.self, \.$organization.$id ~~ places.organizations) }
            }
        default:
            throw Abort(.forbidden)
        }
        for a in try await query.filter(\.$endsAt >= now.addingTimeInterval(-30 * 86_400)).sort(\.$startsAt).limit(500).all() {
            result.append(dto(a, reference: try a.joined(ConsultationCase.self).reference, now: now, app: req.application))
        }
        return try json(result)
    }

    struct BookDTO: Decodable { let reference: String?; let start: String?; let timeZone: String? }

    @Sendable static func book(req: Request) async throws -> Response {
        let user = try signedIn(req)
        guard user.role == .patient else { throw Abort(.forbidden) }
        let body = try decode(BookDTO.self, req)
        var problems: [FieldProblem] = []
        let start = body.start.flatMap { ISO8601DateFormatter().date(from: $0) }
        if body.start == nil { problems.append(FieldProblem("start", .required)) } else if start == nil { problems.append(FieldProblem("start", .invalidDate)) }
        let zone = body.timeZone ?? "UTC"
        if !ScheduleController.validZone(zone) { problems.append(FieldProblem("timeZone", .invalidTimeZone)) }
        let reference = body.reference.flatMap(CaseReference.normalise)
        if reference == nil { problems.append(FieldProblem("reference", body.reference == nil ? .required : .unknownValue)) }
        guard problems.isEmpty, let start, let reference else { return try ConsultationAPI.problem(.unprocessableEntity, problems, req) }
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db) else {
            try await CaseController.notFound(req, user, reference)
        }
        switch try await SchedulingService.book(row, start: start, patientZone: zone, actor: user, app: req.application, source: req.auditSource, on: req.db) {
        case .success(let a):
            let response = try json(dto(a, reference: row.reference, now: req.application.clock.now(), app: req.application), status: .created)
            response.headers.replaceOrAdd(name: .location, value: SiteURL.appointment(.value(a.id ?? "")).path)
            return response
        case .failure(let refusal):
            throw Abort(.conflict, reason: req.application.localizer(refusal.key))
        }
    }

    @Sendable static func cancel(req: Request) async throws -> Response {
        let user = try signedIn(req)
        let (id, calendar) = try req.appointmentID()
        guard !calendar else { throw Abort(.notFound) }
        let (a, row) = try await ScheduleController.participant(req, user, id: id)
        switch try await SchedulingService.cancel(a, row: row, actor: user, app: req.application, source: req.auditSource, on: req.db) {
        case .success: return try json(dto(a, reference: row.reference, now: req.application.clock.now(), app: req.application))
        case .failure(let refusal): throw Abort(.conflict, reason: req.application.localizer(refusal.key))
        }
    }
}
