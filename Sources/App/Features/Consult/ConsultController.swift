import Foundation
import Fluent
import Vapor
import Domain

/// `/consult/{slug}`: the request form (GET shows step 1; POST moves between steps and finally submits).
enum ConsultController {
    static let maxBody: ByteCount = "72mb"

    static func languages(_ t: Localizer) -> [(String, String)] {
        ["ar", "de", "en", "es", "fr", "he", "hi", "it", "ja", "ko", "nl", "pl", "pt", "ro", "ru", "th", "tr", "uk", "zh"]
            .map { ($0, t.has("language.\($0)") ? t("language.\($0)") : $0) }
            .sorted { $0.1 < $1.1 }
    }

    static func target(_ req: Request) async throws -> ConsultTarget {
        guard let target = try await req.consultTarget(try req.slug()) else { throw Abort(.notFound) }
        return target
    }

    /// Only patients (or guests) send requests; staff see an explanation.
    static func refuseStaff(_ req: Request) throws {
        if let user = req.user, user.role != .patient {
            throw Abort(.forbidden, reason: req.application.localizer("consult.staffOnly"))
        }
    }

    static func page(_ req: Request, _ target: ConsultTarget, step: ConsultationStep, state: FormState,
                     status: HTTPResponseStatus = .ok, photosLost: Bool = false, existingAccount: Bool = false) -> Response {
        var model = ConsultForm.Model(target: target, step: step, state: state, csrf: req.csrfToken,
                                      signedInPatient: req.user?.role == .patient, photosLost: photosLost,
                                      languages: languages(req.application.localizer))
        model.existingAccount = existingAccount
        return .html(ConsultForm.render(model, req.pageContext), status: status)
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let target = try await target(req)
        try refuseStaff(req)
        var input = FormInput()
        input["idempotency_key"] = UUID().uuidString.lowercased()
        if let procedure = try? req.query.get(String.self, at: "procedure"), target.procedures.contains(where: { $0.slug == procedure }) {
            input.set("procedures", [procedure])
        }
        input["contact_channel"] = "email"
        input["budget_currency"] = "EUR"
        input["time_zone"] = "UTC"
        return page(req, target, step: .treatment, state: FormState(input))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let target = try await target(req)
        let form = try await req.formBody()
        try refuseStaff(req)
        var input = form.input
        let step = ConsultationStep(rawValue: Int(input["step"] ?? "") ?? 1) ?? .treatment
        if !ConsultService.isIdempotencyKey(input["idempotency_key"] ?? "") { input["idempotency_key"] = UUID().uuidString.lowercased() }
        // Never echo a password back into a page.
        let password = input["password"] ?? ""
        input["password"] = nil
        let go = input["go"] ?? "next"
        input["go"] = nil
        let today = Calendar.utc.startOfDay(for: req.application.clock.now())
        let known = Set(target.procedures.map(\.slug))
        let langs = Set(languages(req.application.localizer).map(\.0))

        if go == "back" {
            return page(req, target, step: step.previous ?? .treatment, state: FormState(input))
        }
        // Arriving from a decision-aid result: a fresh form, pre-filled with its procedure and summary (both editable).
        if go == "start" {
            var fresh = FormInput()
            fresh["idempotency_key"] = UUID().uuidString.lowercased()
            fresh.set("procedures", input.all("procedures").filter { known.contains($0) })
            fresh["prepared_with"] = input.text("prepared_with").map { String($0.prefix(ConsultationLimits.longText)) }
            fresh["contact_channel"] = "email"
            fresh["budget_currency"] = "EUR"
            fresh["time_zone"] = "UTC"
            return page(req, target, step: .treatment, state: FormState(fresh))
        }
        let read = ConsultationRequest.read(input, through: min(step, .travel), procedures: known, languages: langs, today: today)
        if case .failure(let error) = read {
            let first = error.problems.map { ConsultationStep.of(field: $0.field) }.min() ?? step
            return page(req, target, step: first, state: FormState(input, problems: error.problems), status: .unprocessableEntity,
                        photosLost: step == .review && !form.files.isEmpty)
        }
        guard step == .review, go == "submit", case .success(let request) = read else {
            return page(req, target, step: step == .review ? .review : (step.next ?? .review), state: FormState(input))
        }

        // The last step: photos, consent, and the account for a guest.
        var problems: [FieldProblem] = []
        var reader = FormReader(input)
        if !reader.checked("consent_health") { problems.append(FieldProblem("consent_health", .consentMissing)) }
        if !reader.checked("consent_share") { problems.append(FieldProblem("consent_share", .consentMissing)) }
        if !reader.checked("terms") { problems.append(FieldProblem("terms", .consentMissing)) }
        var patient: Submission.Patient?
        var existingAccount = false
        var signsInAs: User?
        if let user = req.user {
            patient = .account(userID: user.id)
        } else {
            let name = reader.text("name", max: 100, required: true)
            let email = reader.email("email")
            if let email, let owner = try await User.query(on: req.db).filter(\.$email == email).first() {
                // The same form sent again (a double click, a retry): its case exists already, made by this guest.
                if let key = input["idempotency_key"], let ownerID = owner.id,
                   let earlier = try await ConsultationCase.query(on: req.db).filter(\.$idempotencyKey == key).filter(\.$patient.$id == ownerID).first(),
                   earlier.status == CaseStatus.awaitingVerification.rawValue {
                    return CaseController.redirect(SiteURL.consultReceived(.value(earlier.reference)).path)
                }
                // An account uses this address. Nothing is stored under it unless its owner signs in here with its
                // password; the check costs one hash, like creating a new account would.
                existingAccount = true
                try await RateLimiter.enforce(req.passwordAttemptLimits(email: email), req: req)
                var matches = false
                if !password.isEmpty && password.count <= PasswordPolicy.maximumLength {
                    matches = try await Passwords.verify(password, hash: owner.passwordHash, app: req.application)
                }
                if matches && owner.emailVerifiedAt != nil && owner.roleValue == .patient, let id = owner.id {
                    signsInAs = owner
                    patient = .account(userID: id)
                } else if matches && owner.emailVerifiedAt == nil {
                    // The right password for an account whose address is not confirmed yet: say so, not "wrong password".
                    reader.fail("email", .unconfirmedAccount)
                } else {
                    reader.fail("password", password.isEmpty ? .required : .mismatch)
                }
                problems += reader.problems
            } else {
                if password.isEmpty { reader.fail("password", .required) }
                else { for p in Passwords.problems(password, email: email, field: "password", app: req.application) { reader.fail(p.field, p.code) } }
                problems += reader.problems
                if let name, let email { patient = .guest(name: name, email: email, password: password) }
            }
        }
        let photoFiles = form.files.filter { $0.field == "photos" }
        var photos: [InspectedImage] = []
        var status: HTTPResponseStatus = .unprocessableEntity
        if photoFiles.count > ConsultationLimits.maxPhotos {
            problems.append(FieldProblem("photos", .tooMany(max: ConsultationLimits.maxPhotos)))
        } else {
            for file in photoFiles {
                do {
                    photos.append(try ImageInspector.inspect(file.bytes))
                } catch .tooLarge {
                    problems.append(FieldProblem("photos", .tooLong(max: ImageInspector.maxBytes / 1_048_576)))
                    status = .payloadTooLarge
                } catch {
                    problems.append(FieldProblem("photos", .unknownValue))
                    if status != .payloadTooLarge { status = .unsupportedMediaType }
                }
            }
        }
        guard problems.isEmpty, let patient else {
            return page(req, target, step: .review, state: FormState(input, problems: problems), status: status, photosLost: !photoFiles.isEmpty,
                        existingAccount: existingAccount)
        }

        let rateKey: String
        if let user = req.user { rateKey = "submit:user:\(user.id)" } else { rateKey = "submit:ip:\(req.auditSource)" }
        let limits = req.application.config.rateLimits
        try await RateLimiter.enforce([
            (rateKey, .init(limit: req.user != nil ? limits.submissionsPerAccount : limits.submissionsPerAddress, window: TimeInterval(limits.window))),
        ], req: req)

        let submission = Submission(request: request, photos: photos, idempotencyKey: input["idempotency_key"]!, target: target,
                                    patient: patient, channel: "web")
        let outcome = try await ConsultService.submit(submission, app: req.application, source: req.auditSource, on: req.db)
        switch outcome {
        case .keyConflict:
            throw Abort(.conflict, reason: req.application.localizer("consult.keyConflict"))
        case .accountExists:
            // Another request created an account with this address a moment ago: ask for its password too.
            return page(req, target, step: .review, state: FormState(input, problems: [FieldProblem("password", .mismatch)]),
                        status: .unprocessableEntity, photosLost: !photoFiles.isEmpty, existingAccount: true)
        case .stored(let reference, let caseStatus, _, _):
            let response = Response(status: .seeOther)
            let signedInOwner = (req.user != nil || signsInAs != nil) && caseStatus != .awaitingVerification
            response.headers.replaceOrAdd(name: .location, value: signedInOwner ? SiteURL.caseShow(.value(reference)).path : SiteURL.consultReceived(.value(reference)).path)
            if let owner = signsInAs, let id = owner.id {
                try await AuditLog.record(AuditEntry(actorUserID: id, actorRole: owner.role, action: "account.sign-in", objectType: "session",
                                                     source: req.auditSource), app: req.application)
                try await SessionStore.start(userID: id, secondFactorDone: true, req: req, response: response)
                req.rememberDevice(email: owner.email, on: response)
            }
            return response
        }
    }

    @Sendable static func received(req: Request) async throws -> Response {
        let reference = try req.caseReference()
        let showMailbox = req.application.environment != .production && req.application.config.mail == .mailbox
        return .html(ConsultForm.received(reference: reference, showMailbox: showMailbox, req.pageContext))
    }
}

extension Calendar {
    static var utc: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }
}
