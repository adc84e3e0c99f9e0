import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// `/practice`: a practice's or clinic's staff at work on their own listing. The group admits provider staff only;
/// each page acts on one of the signed-in person's workplaces (`?provider=`), and anything of another practice
/// answers 404, audited.
enum PracticeController {
    static func context(_ req: Request) async throws -> (SignedInUser, [SchedulePages.Workplace], SchedulePages.Workplace) {
        let user = try req.requireUser(roles: [.provider])
        let list = try await ScheduleController.workplaces(req, user)
        return (user, list, try ScheduleController.currentWorkplace(req, list))
    }

    @Sendable static func home(req: Request) async throws -> Response {
        let (_, list, current) = try await context(req)
        let credentials = try await CredentialService.list(holder: CredentialHolder(current), app: req.application, on: req.db)
        return .html(PracticePages.home(current: current, workplaces: list, credentials: credentials, now: req.application.clock.now(), req.pageContext))
    }

    // MARK: credentials

    @Sendable static func credentials(req: Request) async throws -> Response {
        let (_, list, current) = try await context(req)
        return try await renderCredentials(req, list, current, state: FormState(), submitted: (try? req.queryParameters().single("submitted")) != nil, status: .ok)
    }

    static func renderCredentials(_ req: Request, _ list: [SchedulePages.Workplace], _ current: SchedulePages.Workplace, state: FormState,
                                  submitted: Bool, status: HTTPStatus) async throws -> Response {
        let records = try await CredentialService.list(holder: CredentialHolder(current), app: req.application, on: req.db)
        return .html(PracticePages.credentials(current: current, workplaces: list, list: records, state: state, submitted: submitted, csrf: req.csrfToken,
                                               now: req.application.clock.now(), req.pageContext), status: status)
    }

    /// The evidence files of a form, checked by their bytes (the rules of the consultation photos and messages).
    static func evidence(_ form: FormBody, required: Bool) -> (files: [InspectedAttachment], problems: [FieldProblem], status: HTTPStatus) {
        let files = form.files.filter { $0.field == "evidence" && !($0.bytes.isEmpty && $0.filename.isEmpty) }
        if files.isEmpty && required { return ([], [FieldProblem("evidence", .required)], .unprocessableEntity) }
        guard files.count <= CredentialService.maxEvidence else {
            return ([], [FieldProblem("evidence", .tooMany(max: CredentialService.maxEvidence))], .unprocessableEntity)
        }
        let checked = MessageService.inspect(files.map { ($0.filename, $0.bytes) }, field: { _ in "evidence" })
        return (checked.attachments, checked.problems, checked.status)
    }

    @Sendable static func submitCredential(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let (user, list, current) = try await context(req)
        let now = req.application.clock.now()
        let read = CredentialSubmission.read(form.input, now: now)
        let files = evidence(form, required: true)
        let problems = read.problems + files.problems
        guard problems.isEmpty, case .success(let submission) = read else {
            let status: HTTPStatus = files.problems.isEmpty ? .unprocessableEntity : files.status
            return try await renderCredentials(req, list, current, state: FormState(form.input, problems: problems), submitted: false, status: status)
        }
        let id = try await CredentialService.submit(submission, evidence: files.files, holder: CredentialHolder(current), user: user,
                                                    app: req.application, source: req.auditSource, on: req.db)
        return CaseController.redirect(SiteURL.practiceCredential(.value("\(id)")).path(query: [("provider", current.key), ("submitted", "1")]))
    }

    /// One of this workplace's credentials, or 404 (audited) for anyone else's.
    static func owned(_ req: Request, _ user: SignedInUser, _ current: SchedulePages.Workplace) async throws -> CredentialRecord {
        let id = try req.itemID()
        guard let c = try await Credential.find(id, on: req.db), CredentialHolder(current).owns(c),
              let record = try await CredentialService.record(id: id, app: req.application, on: req.db) else {
            try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "credential.view", objectType: "credential",
                                                 objectID: String(id), source: req.auditSource, outcome: .denied), app: req.application)
            throw Abort(.notFound)
        }
        return record
    }

    @Sendable static func credential(req: Request) async throws -> Response {
        let (user, list, current) = try await context(req)
        let record = try await owned(req, user, current)
        return .html(PracticePages.credential(current: current, workplaces: list, record, state: FormState(), csrf: req.csrfToken,
                                              now: req.application.clock.now(), req.pageContext))
    }

    @Sendable static func addEvidence(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let (user, list, current) = try await context(req)
        let record = try await owned(req, user, current)
        let files = evidence(form, required: true)
        var problems = files.problems
        if problems.isEmpty, record.evidence.count + files.files.count > CredentialService.maxEvidence * 2 {
            problems = [FieldProblem("evidence", .tooMany(max: CredentialService.maxEvidence * 2 - record.evidence.count))]
        }
        guard problems.isEmpty else {
            return .html(PracticePages.credential(current: current, workplaces: list, record, state: FormState(form.input, problems: problems), csrf: req.csrfToken,
                                                  now: req.application.clock.now(), req.pageContext),
                         status: files.problems.isEmpty ? .unprocessableEntity : files.status)
        }
        guard let version = form.input.text("version").flatMap(Int.init) else { throw Abort(.badRequest) }
        do {
            try await CredentialService.addEvidence(files.files, credentialID: record.id, expectedVersion: version, holder: CredentialHolder(current),
                                                    user: user, app: req.application, source: req.auditSource, on: req.db)
        } catch is CredentialChanged {
            throw Abort(.conflict, reason: req.application.localizer("credential.changed"))
        }
        return CaseController.redirect(SiteURL.practiceCredential(.value("\(record.id)")).path(query: [("provider", current.key)]))
    }

    @Sendable static func evidenceFile(req: Request) async throws -> Response {
        let (user, _, current) = try await context(req)
        let record = try await owned(req, user, current)
        return try await serveEvidence(req, user, credentialID: record.id)
    }

    /// An evidence file, opened, never cached, sandboxed; audited.
    static func serveEvidence(_ req: Request, _ user: SignedInUser, credentialID: Int) async throws -> Response {
        let id = try req.attachmentID()
        guard let (kind, name, bytes) = try await CredentialService.evidence(id: id, credentialID: credentialID, app: req.application, on: req.db) else {
            throw Abort(.notFound)
        }
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "credential.evidence.view", objectType: "credential",
                                             objectID: String(credentialID), source: req.auditSource), app: req.application)
        return MessageController.fileResponse(kind: kind, name: name, bytes: bytes)
    }
}

// MARK: profile

extension PracticeController {
    static func languageOptions(_ t: Localizer) -> [(String, String)] {
        t.keys.filter { $0.hasPrefix("language.") }.map { String($0.dropFirst("language.".count)) }.map { ($0, t.language($0)) }.sorted { $0.1 < $1.1 }
    }

    static func countryOptions(_ t: Localizer) -> [(String, String)] {
        t.keys.filter { $0.hasPrefix("country.") }.map { String($0.dropFirst("country.".count)) }.filter { $0.count == 2 }
            .map { ($0, t.country($0)) }.sorted { $0.1 < $1.1 }
    }

    static func renderProfile(_ req: Request, _ list: [SchedulePages.Workplace], _ current: SchedulePages.Workplace, edit: PracticePages.ProfileState,
                              status: HTTPStatus) async throws -> Response {
        let snapshot = try await ProfileService.load(current, on: req.db)
        let t = req.application.localizer
        return .html(PracticePages.profile(current: current, workplaces: list, snapshot: snapshot, edit: edit, saved: try? req.queryParameters().single("saved"),
                                           csrf: req.csrfToken, languages: languageOptions(t), countries: countryOptions(t), req.pageContext), status: status)
    }

    @Sendable static func profile(req: Request) async throws -> Response {
        let (_, list, current) = try await context(req)
        return try await renderProfile(req, list, current, edit: PracticePages.ProfileState(section: nil, state: FormState()), status: .ok)
    }

    @Sendable static func saveProfile(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let (user, list, current) = try await context(req)
        let t = req.application.localizer
        guard let section = form.input.text("section").flatMap(PracticePages.ProfileSection.init(rawValue:)),
              let version = form.input.text("version").flatMap(Int.init) else { throw Abort(.badRequest) }
        let app = req.application
        func refuse(_ problems: [FieldProblem], location: Int? = nil) async throws -> Response {
            try await renderProfile(req, list, current, edit: .init(section: section, state: FormState(form.input, problems: problems), location: location),
                                    status: .unprocessableEntity)
        }
        let snapshot = try await ProfileService.load(current, on: req.db)
        do {
            switch section {
            case .about:
                if current.practitionerID != nil {
                    let year = ISODate.utcCalendar.component(.year, from: app.clock.now())
                    switch PractitionerAbout.read(form.input, knownLanguages: Set(languageOptions(t).map(\.0)), currentYear: year) {
                    case .failure(let e): return try await refuse(e.problems)
                    case .success(let about):
                        try await ProfileService.saveAbout(current, practitioner: about, clinic: nil, expected: version, user: user, app: app, source: req.auditSource, on: req.db)
                    }
                } else {
                    switch ClinicAbout.read(form.input) {
                    case .failure(let e): return try await refuse(e.problems)
                    case .success(let about):
                        try await ProfileService.saveAbout(current, practitioner: nil, clinic: about, expected: version, user: user, app: app, source: req.auditSource, on: req.db)
                    }
                }
            case .offers:
                if form.input.text("intent") == "add-rows" {
                    return try await renderProfile(req, list, current, edit: .init(section: .offers, state: FormState(form.input), extraRows: true), status: .ok)
                }
                switch OfferTable.read(form.input, procedures: Set(snapshot.procedures.map(\.0)), locations: Set(snapshot.locations.map(\.id)),
                                       practitioners: current.practitionerID == nil ? Set(snapshot.team.map(\.id)) : nil) {
                case .failure(let e): return try await refuse(e.problems)
                case .success(let rows):
                    try await ProfileService.saveOffers(current, rows: rows, locations: snapshot.locations, expected: version, user: user, app: app,
                                                        source: req.auditSource, on: req.db)
                }
            case .hours:
                guard let location = form.input.text("location").flatMap(Int.init), snapshot.locations.contains(where: { $0.id == location }) else {
                    throw Abort(.notFound)
                }
                if form.input.text("intent") == "add-rows" {
                    return try await renderProfile(req, list, current, edit: .init(section: .hours, state: FormState(form.input), location: location, extraRows: true),
                                                   status: .ok)
                }
                switch OpeningHours.read(form.input) {
                case .failure(let e): return try await refuse(e.problems, location: location)
                case .success(let hours):
                    try await ProfileService.saveHours(current, location: location, hours: hours, expected: version, user: user, app: app,
                                                       source: req.auditSource, on: req.db)
                }
            case .location:
                switch NewLocation.read(form.input, knownCountries: Set(countryOptions(t).map(\.0))) {
                case .failure(let e): return try await refuse(e.problems)
                case .success(let new):
                    try await ProfileService.addLocation(current, new, expected: version, user: user, app: app, source: req.auditSource, on: req.db)
                }
            }
        } catch is ProfileChanged {
            throw Abort(.conflict, reason: t("practice.profile.changed"))
        }
        return CaseController.redirect(SiteURL.practiceProfile.path(query: [("provider", current.key), ("saved", section.rawValue)]) + "#\(section == .hours ? "locations" : section.rawValue)")
    }
}

// MARK: team

extension PracticeController {
    static func renderTeam(_ req: Request, _ user: SignedInUser, _ list: [SchedulePages.Workplace], _ current: SchedulePages.Workplace, state: FormState,
                           notice: String?, status: HTTPStatus) async throws -> Response {
        let now = req.application.clock.now()
        let isOwner = try await TeamService.isOwner(user.id, current, on: req.db)
        return .html(PracticePages.team(current: current, workplaces: list, members: try await TeamService.members(current, on: req.db),
                                        invitations: isOwner ? try await TeamService.invitations(current, now: now, on: req.db) : [],
                                        activity: try await TeamService.activity(current, on: req.db), isOwner: isOwner, me: user.id, state: state,
                                        notice: notice, csrf: req.csrfToken, req.pageContext), status: status)
    }

    @Sendable static func team(req: Request) async throws -> Response {
        let (user, list, current) = try await context(req)
        let done = try req.queryParameters().single("done")
        let notice = done.flatMap { ["invite", "revoke", "remove"].contains($0) ? req.application.localizer("practice.team.done.\($0)") : nil }
        return try await renderTeam(req, user, list, current, state: FormState(), notice: notice, status: .ok)
    }

    @Sendable static func changeTeam(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let (user, list, current) = try await context(req)
        let t = req.application.localizer
        let action = form.input.text("action") ?? ""
        do {
            switch action {
            case "invite":
                var r = FormReader(form.input)
                let email = r.email("email")
                let role = r.choice("role", Membership.Kind.self, required: true)
                guard r.problems.isEmpty, let email, let role else {
                    return try await renderTeam(req, user, list, current, state: FormState(form.input, problems: r.problems), notice: nil, status: .unprocessableEntity)
                }
                try await RateLimiter.enforce([("team-invite:user:\(user.id)", AccountController.rule(AccountController.limits(req).signUpPerAddress, req))], req: req)
                do {
                    try await TeamService.invite(email: email, role: role, to: current, by: user, app: req.application, source: req.auditSource, on: req.db)
                } catch TeamRefusal.alreadyMember {
                    return try await renderTeam(req, user, list, current, state: FormState(form.input, problems: [FieldProblem("email", .duplicate)]),
                                                notice: nil, status: .unprocessableEntity)
                }
            case "revoke":
                guard let id = form.input.text("invitation"), id.count == 64 else { throw Abort(.badRequest) }
                try await TeamService.revoke(id, in: current, by: user, app: req.application, source: req.auditSource, on: req.db)
            case "remove":
                guard let id = form.input.text("user").flatMap(Int.init) else { throw Abort(.badRequest) }
                try await TeamService.remove(userID: id, from: current, by: user, app: req.application, source: req.auditSource, on: req.db)
            default:
                throw Abort(.badRequest)
            }
        } catch let refusal as TeamRefusal {
            switch refusal {
            case .notOwner: throw Abort(.forbidden, reason: t("practice.team.refused.notOwner"))
            case .lastOwner: throw Abort(.conflict, reason: t("practice.team.refused.lastOwner"))
            case .notMember, .invitationUsed: throw Abort(.notFound)
            case .alreadyMember, .wrongAccount: throw Abort(.conflict)
            }
        }
        return CaseController.redirect(SiteURL.practiceTeam.path(query: [("provider", current.key), ("done", action)]))
    }
}

/// `/invitations?token=`: joining a team from the emailed link — a new account (then its second factor), or the
/// invited address's existing provider account, signed in.
enum InvitationController {
    @Sendable static func show(req: Request) async throws -> Response {
        let token = (try? req.query.get(String.self, at: "token")) ?? ""
        let invitation = try await TeamService.open(token: token, now: req.application.clock.now(), on: req.db)
        return .html(PracticePages.invitation(invitation, signedInAs: req.signedIn?.email, state: FormState(), csrf: req.csrfToken, token: token, req.pageContext),
                     status: invitation == nil ? .notFound : .ok)
    }

    @Sendable static func accept(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let t = req.application.localizer
        let token = form.input.text("token") ?? ""
        let now = req.application.clock.now()
        guard let invitation = try await TeamService.open(token: token, now: now, on: req.db) else {
            return .html(PracticePages.invitation(nil, signedInAs: nil, state: FormState(), csrf: req.csrfToken, token: "", req.pageContext), status: .notFound)
        }
        do {
            if let pending = req.signedIn {
                // An existing account joins: it must be the invited address, a provider account, fully signed in.
                guard pending.email == invitation.email, let user = req.user, user.role == .provider else { throw TeamRefusal.wrongAccount }
                try await req.application.writes.transaction(on: req.db) { tx in
                    try await TeamService.accept(invitation, userID: user.id, now: now, app: req.application, source: req.auditSource, on: tx)
                }
                return CaseController.redirect(SiteURL.practiceTeam.path)
            }
            var r = FormReader(form.input)
            let name = r.text("name", max: 120, required: true)
            let password = form.input["password"] ?? ""
            if password.isEmpty { r.fail("password", .required) }
            else { for p in Passwords.problems(password, email: invitation.email, field: "password", app: req.application) { r.fail(p.field, p.code) } }
            guard r.problems.isEmpty, let name else {
                return .html(PracticePages.invitation(invitation, signedInAs: nil, state: FormState(form.input, problems: r.problems), csrf: req.csrfToken,
                                                      token: token, req.pageContext), status: .unprocessableEntity)
            }
            let userID = try await TeamService.acceptWithNewAccount(invitation, name: name, password: password, app: req.application,
                                                                    source: req.auditSource, on: req.db)
            // Signed in with the password; the second factor is set up next, before any staff page opens.
            let response = AccountController.redirect(SiteURL.twoFactorSetup.path)
            try await SessionStore.start(userID: userID, secondFactorDone: false, req: req, response: response)
            return response
        } catch let refusal as TeamRefusal {
            switch refusal {
            case .wrongAccount:
                return .html(AccountPages.notice(t("invitation.title"), t("invitation.otherAccount", ["email": invitation.email]), req.pageContext,
                                                 links: [(t("account.signIn.title"), SiteURL.signIn.path)]), status: .conflict)
            case .alreadyMember:
                return .html(AccountPages.notice(t("invitation.title"), t("invitation.alreadyMember"), req.pageContext,
                                                 links: [(t("practice.title"), SiteURL.practice.path)]), status: .conflict)
            default:
                return .html(PracticePages.invitation(nil, signedInAs: nil, state: FormState(), csrf: req.csrfToken, token: "", req.pageContext), status: .notFound)
            }
        }
    }
}

// MARK: analytics

extension PracticeController {
    @Sendable static func analytics(req: Request) async throws -> Response {
        let (_, list, current) = try await context(req)
        let weeks = try await AnalyticsService.weekly(current, now: req.application.clock.now(), on: req.db)
        return .html(PracticePages.analytics(current: current, workplaces: list, weeks: weeks, req.pageContext))
    }
}

// MARK: photos

extension PracticeController {
    static let maxPhotos = 12

    @Sendable static func photos(req: Request) async throws -> Response {
        let (_, list, current) = try await context(req)
        return .html(PracticePages.photos(current: current, workplaces: list, assets: try await MediaService.assets(providerKey: current.key, on: req.db),
                                          state: FormState(), done: try req.queryParameters().single("done"), csrf: req.csrfToken, req.pageContext))
    }

    @Sendable static func changePhotos(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let (user, list, current) = try await context(req)
        let assets = try await MediaService.assets(providerKey: current.key, on: req.db)
        func refuse(_ problems: [FieldProblem], _ status: HTTPStatus) -> Response {
            .html(PracticePages.photos(current: current, workplaces: list, assets: assets, state: FormState(form.input, problems: problems), done: nil,
                                       csrf: req.csrfToken, req.pageContext), status: status)
        }
        switch form.input.text("action") {
        case "add":
            let read = MediaController.readUpload(form)
            guard read.problems.isEmpty, let bytes = read.bytes, let alt = read.alt else { return refuse(read.problems, .unprocessableEntity) }
            guard assets.count < maxPhotos else { return refuse([FieldProblem("image", .tooMany(max: maxPhotos))], .unprocessableEntity) }
            do {
                _ = try await MediaService.upload(bytes, alt: alt, caption: nil, credit: nil, providerKey: current.key, user: user, app: req.application,
                                                  source: req.auditSource, on: req.db)
            } catch let problem as MediaProblem {
                let (status, field) = MediaController.status(for: problem)
                return refuse([field], status)
            }
        case "remove":
            guard let id = form.input.text("photo"), assets.contains(where: { $0.id == id }) else { throw Abort(.notFound) }
            try await MediaService.remove(id: id, providerKey: current.key, user: user, app: req.application, source: req.auditSource, on: req.db)
        default:
            throw Abort(.badRequest)
        }
        return CaseController.redirect(SiteURL.practicePhotos.path(query: [("provider", current.key), ("done", "1")]))
    }
}
