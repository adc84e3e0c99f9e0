import Foundation
import Fluent
import Vapor
import Domain

/// `POST /api/v1/consultations`: the consultation request for apps and partners, with a bearer token and the
/// same rules as the form (fields, limits, photos, consent, idempotency, rate limits).
enum ConsultationAPI {
    /// What one request can legitimately hold: every photo at its largest, base64-encoded, and the answers (each
    /// text field at most 64 KB).
    static let maxBody = ByteCount(value: ConsultationLimits.maxPhotos * (ImageInspector.maxBytes / 3 + 1) * 4 + 2 * 1_048_576)

    struct PhotoDTO: Decodable {
        var filename: String?
        var data: String
    }

    struct ConsentDTO: Decodable {
        var healthData: Bool?
        var shareWithProvider: Bool?
        var terms: Bool?
    }

    struct RequestDTO: Decodable {
        var provider: String
        var idempotencyKey: String?
        var answers: [String: Answer]
        var consent: ConsentDTO?
        var photos: [PhotoDTO]?
    }

    /// An answer is text or a list of texts (procedures).
    enum Answer: Decodable {
        case one(String), many([String])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let list = try? c.decode([String].self) { self = .many(list) }
            else if let n = try? c.decode(Int.self) { self = .one(String(n)) }
            else { self = .one(try c.decode(String.self)) }
        }
        var values: [String] {
            switch self {
            case .one(let v): return [v]
            case .many(let v): return v
            }
        }
    }

    struct CreatedDTO: Content {
        var reference: String
        var status: String
        var url: String
    }

    struct FieldErrorDTO: Content {
        var field: String
        var message: String
    }

    struct ValidationProblem: Content {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
        var errors: [FieldErrorDTO]
    }

    /// The patient behind the bearer token, or 401.
    static func tokenUser(_ req: Request) async throws -> User {
        guard let bearer = req.headers.bearerAuthorization?.token, SecretToken.isWellFormed(bearer),
              let token = try await APIToken.query(on: req.db).filter(\.$id == SecretToken.digest(bearer)).filter(\.$revokedAt == nil)
                .with(\.$user).first(),
              token.effectiveExpiry > req.application.clock.now(), token.user.emailVerifiedAt != nil else {
            throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: req.application.localizer("api.token.invalid"))
        }
        let now = req.application.clock.now()
        if (token.lastUsedAt.map { now.timeIntervalSince($0) > 300 } ?? true) {
            let id = token.id!
            _ = try await req.application.writes.run(on: req.db) { db in
                try await APIToken.query(on: db).filter(\.$id == id).set(\.$lastUsedAt, to: now).update()
            }
        }
        return token.user
    }

    static func problem(_ status: HTTPResponseStatus, _ problems: [FieldProblem], _ req: Request) throws -> Response {
        let t = req.application.localizer
        let body = ValidationProblem(title: status.reasonPhrase, status: Int(status.code), detail: t("api.validation"),
                                     errors: problems.map { FieldErrorDTO(field: $0.field, message: t.message(for: $0)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let response = Response(status: status, body: .init(data: try encoder.encode(body)))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
        return response
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let user = try RequireBearer.user(req)
        guard user.roleValue == .patient else { throw Abort(.forbidden, reason: req.application.localizer("consult.staffOnly")) }
        let dto: RequestDTO
        do { dto = try req.content.decode(RequestDTO.self) } catch {
            throw Abort(.badRequest, reason: req.application.localizer("api.badJSON"))
        }
        guard let target = try await req.consultTarget(dto.provider) else { throw Abort(.notFound) }
        let key = req.headers.first(name: "Idempotency-Key") ?? dto.idempotencyKey ?? ""
        guard ConsultService.isIdempotencyKey(key) else {
            return try problem(.unprocessableEntity, [FieldProblem("idempotencyKey", .required)], req)
        }
        var input = FormInput()
        for (field, answer) in dto.answers { input.set(field, answer.values) }
        let t = req.application.localizer
        let languages = Set(ConsultController.languages(t).map(\.0))
        let today = Calendar.utc.startOfDay(for: req.application.clock.now())
        var problems: [FieldProblem] = []
        var request: ConsultationRequest?
        switch ConsultationRequest.read(input, through: .travel, procedures: Set(target.procedures.map(\.slug)), languages: languages, today: today) {
        case .success(let r): request = r
        case .failure(let e): problems += e.problems
        }
        if dto.consent?.healthData != true { problems.append(FieldProblem("consent.healthData", .consentMissing)) }
        if dto.consent?.shareWithProvider != true { problems.append(FieldProblem("consent.shareWithProvider", .consentMissing)) }
        if dto.consent?.terms != true { problems.append(FieldProblem("consent.terms", .consentMissing)) }
        var status: HTTPResponseStatus = .unprocessableEntity
        var photos: [InspectedImage] = []
        let sent = dto.photos ?? []
        if sent.count > ConsultationLimits.maxPhotos {
            problems.append(FieldProblem("photos", .tooMany(max: ConsultationLimits.maxPhotos)))
        } else {
            for (index, photo) in sent.enumerated() {
                guard let data = Data(base64Encoded: photo.data) else {
                    problems.append(FieldProblem("photos[\(index)]", .unknownValue)); continue
                }
                do { photos.append(try ImageInspector.inspect(Array(data))) }
                catch .tooLarge {
                    problems.append(FieldProblem("photos[\(index)]", .tooLong(max: ImageInspector.maxBytes / 1_048_576)))
                    status = .payloadTooLarge
                } catch {
                    problems.append(FieldProblem("photos[\(index)]", .unknownValue))
                    if status != .payloadTooLarge { status = .unsupportedMediaType }
                }
            }
        }
        guard problems.isEmpty, let request else { return try problem(status, problems, req) }

        let limits = req.application.config.rateLimits
        try await RateLimiter.enforce([("submit:user:\(try user.requireID())", .init(limit: limits.submissionsPerAccount, window: TimeInterval(limits.window)))], req: req)
        let outcome = try await ConsultService.submit(
            Submission(request: request, photos: photos, idempotencyKey: key, target: target, patient: .account(userID: try user.requireID()), channel: "api"),
            app: req.application, source: req.auditSource, on: req.db)
        switch outcome {
        case .keyConflict:
            throw Abort(.conflict, reason: t("consult.keyConflict"))
        case .accountExists:
            // API requests always come from a signed-in account, never as a guest.
            throw Abort(.conflict)
        case .stored(let reference, let caseStatus, _, _):
            let body = CreatedDTO(reference: reference, status: caseStatus.rawValue,
                                  url: req.application.config.baseURL + SiteURL.caseShow(.value(reference)).path)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let response = Response(status: .created, body: .init(data: try encoder.encode(body)))
            response.headers.contentType = .json
            response.headers.replaceOrAdd(name: .location, value: SiteURL.caseShow(.value(reference)).path)
            return response
        }
    }
}

/// `/account/api-tokens`: personal tokens for the JSON API, shown once at creation and stored as digests.
enum APITokenController {
    @Sendable static func index(req: Request) async throws -> Response {
        let user = try req.requireUser()
        return try await page(req, user: user, created: nil, state: FormState(), status: .ok)
    }

    static func page(_ req: Request, user: SignedInUser, created: String?, state: FormState, status: HTTPResponseStatus) async throws -> Response {
        let tokens = try await APIToken.query(on: req.db).filter(\.$user.$id == user.id).filter(\.$revokedAt == nil).sort(\.$createdAt).all()
        let t = req.application.localizer
        let csrf = req.csrfToken
        let items = tokens.map { (id: $0.id!, name: $0.name, created: $0.createdAt, used: $0.lastUsedAt) }
        return .html(AccountPages.shell(t("account.apiTokens.title"), lead: t("account.apiTokens.lead"), req.pageContext, .group(
            .if(created != nil, .div(.class("notice"), .attr("role", "status"),
                .p(.plain(t("account.apiTokens.created"))), .p(.code(.class("secret"), .plain(created ?? ""))))),
            items.isEmpty ? .p(.plain(t("account.apiTokens.none"))) : .ul(.class("plain-links"), .forEach(items) { item in
                .li(.plain(item.name), .plain(" · "), .plain(t("account.apiTokens.since", ["date": t.date(item.created)])),
                    Fields.form(action: SiteURL.apiTokens.path, csrf: csrf, classes: "inline", [
                        Fields.hidden("revoke", item.id),
                        .button(.type(.submit), .class("button"), .plain(t("account.apiTokens.revoke")))]))
            }),
            Fields.form(action: SiteURL.apiTokens.path, csrf: csrf, [
                Fields.input("name", label: t("account.apiTokens.name"), state: state, t, required: true, maxLength: 60),
                .button(.type(.submit), .class("button primary"), .plain(t("account.apiTokens.create")))])
        )), status: status)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser()
        let now = req.application.clock.now()
        // Tokens are named by their digest, which cannot be used to authenticate.
        if let digest = form.input["revoke"], digest.count == 64, digest.allSatisfy(\.isHexDigit) {
            _ = try await req.application.writes.run(on: req.db) { db in
                try await APIToken.query(on: db).filter(\.$user.$id == user.id).filter(\.$id == digest)
                    .set(\.$revokedAt, to: now).update()
            }
            return try await page(req, user: user, created: nil, state: FormState(), status: .ok)
        }
        var reader = FormReader(form.input)
        guard let name = reader.text("name", max: 60, required: true) else {
            return try await page(req, user: user, created: nil, state: FormState(form.input, problems: reader.problems), status: .unprocessableEntity)
        }
        let token = SecretToken.make()
        try await req.application.writes.transaction(on: req.db) { tx in
            try await APIToken(id: SecretToken.digest(token), userID: user.id, name: name, now: now).create(on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "api-token.create",
                                                 objectType: "user", objectID: String(user.id), source: req.auditSource), at: now, app: req.application, on: tx)
        }
        return try await page(req, user: user, created: token, state: FormState(), status: .created)
    }
}
