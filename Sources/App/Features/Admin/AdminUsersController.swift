import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// `/admin/users`: find a person, see their roles, workplaces and sign-in history, end their sessions, close the
/// account, change the role (with the administrator's one-time code again). `/admin/audit`: the trail, filtered.
enum AdminUsersController {
    static let signInActions = ["account.sign-in", "account.sign-in.password", "account.sign-in.code", "account.sign-in.unverified",
                                "account.two-factor.enable", "account.sign-out"]

    struct UserRow: Sendable {
        let id: Int
        let email: String
        let name: String
        let role: Role
        let createdAt: Date
        let closedAt: Date?
        let isSample: Bool
        let secondFactor: Bool
    }

    static func row(_ u: User) -> UserRow {
        UserRow(id: u.id ?? 0, email: u.email, name: u.displayName, role: u.roleValue, createdAt: u.createdAt, closedAt: u.closedAt, isSample: u.isSample,
                secondFactor: u.totpEnabledAt != nil)
    }

    @Sendable static func users(req: Request) async throws -> Response {
        _ = try req.requireUser(roles: [.admin])
        let params = try req.queryParameters()
        let q = try params.single("q")?.trimmingCharacters(in: .whitespaces) ?? ""
        guard q.utf8.count <= 254 else { throw ParameterError("q", .tooLong(max: 254)) }
        let role = try params.single("role").flatMap(Role.init(rawValue:))
        var query = User.query(on: req.db)
        if !q.isEmpty {
            let pattern = "%" + q.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            query = query.group(.or) { or in
                or.filter(\.$email, .custom("LIKE"), pattern)
                or.filter(\.$displayName, .custom("LIKE"), pattern)
            }
        }
        if let role { query = query.filter(\.$role == role.rawValue) }
        let found = try await query.sort(\.$email).limit(100).all().map(row)
        return .html(AdminUsersPages.list(found, q: q, role: role, req.pageContext))
    }

    struct Detail: Sendable {
        let user: UserRow
        let workplaces: [(name: String, role: String)]
        let sessions: Int
        let history: [(at: Date, action: String, outcome: String, source: String)]
    }

    static func detail(_ req: Request, id: Int) async throws -> Detail {
        guard let u = try await User.find(id, on: req.db) else { throw Abort(.notFound) }
        var workplaces: [(String, String)] = []
        for m in try await Membership.query(on: req.db).filter(\.$user.$id == id).all() {
            if let p = m.$practitioner.id, let row = try await Practitioner.find(p, on: req.db) { workplaces.append((row.displayName, m.role)) }
            if let o = m.$organization.id, let row = try await Organization.find(o, on: req.db) { workplaces.append((row.name, m.role)) }
            if let f = m.$facilitator.id, let row = try await Facilitator.find(f, on: req.db) { workplaces.append((row.name, m.role)) }
        }
        let sessions = try await UserSession.query(on: req.db).filter(\.$user.$id == id).count()
        let history = try await AuditEvent.query(on: req.db).filter(\.$actorUserID == id).filter(\.$action ~~ signInActions)
            .sort(\.$id, .descending).limit(50).all().map { ($0.at, $0.action, $0.outcome, $0.source) }
        return Detail(user: row(u), workplaces: workplaces, sessions: sessions, history: history)
    }

    @Sendable static func user(req: Request) async throws -> Response {
        let admin = try req.requireUser(roles: [.admin])
        let d = try await detail(req, id: try req.itemID())
        try await AuditLog.record(AuditEntry(actorUserID: admin.id, actorRole: admin.role.rawValue, action: "user.view", objectType: "user",
                                             objectID: String(d.user.id), source: req.auditSource), app: req.application)
        let done = try req.queryParameters().single("done")
        return .html(AdminUsersPages.detail(d, me: admin.id, state: FormState(), notice: done.map { req.application.localizer("admin.users.done.\($0)") },
                                            csrf: req.csrfToken, req.pageContext))
    }

    @Sendable static func change(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let admin = try req.requireUser(roles: [.admin])
        let id = try req.itemID()
        let app = req.application
        let now = app.clock.now()
        let action = form.input.text("action") ?? ""
        guard let target = try await User.find(id, on: req.db) else { throw Abort(.notFound) }
        switch action {
        case "end-sessions":
            try await app.writes.transaction(on: req.db) { tx in
                try await AccountService.endAccess(userID: id, now: now, on: tx)
                try await AuditLog.append(AuditEntry(actorUserID: admin.id, actorRole: admin.role.rawValue, action: "user.end-sessions", objectType: "user",
                                                     objectID: String(id), source: req.auditSource), at: now, app: app, on: tx)
            }
        case "close":
            guard id != admin.id else { throw Abort(.conflict, reason: app.localizer("admin.users.refused.self")) }
            try await app.writes.transaction(on: req.db) { tx in
                let rows = try await (tx as! any SQLDatabase).update("users").set("closed_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(id)).where("closed_at", .is, SQLLiteral.null).returning("id").all()
                guard rows.count == 1 else { throw Abort(.conflict, reason: app.localizer("admin.users.refused.closed")) }
                try await AccountService.endAccess(userID: id, now: now, on: tx)
                try await AuditLog.append(AuditEntry(actorUserID: admin.id, actorRole: admin.role.rawValue, action: "user.close", objectType: "user",
                                                     objectID: String(id), source: req.auditSource), at: now, app: app, on: tx)
            }
        case "role":
            var reader = FormReader(form.input)
            let role = reader.choice("role", Role.self, required: true)
            let code = form.input.text("code") ?? ""
            if code.isEmpty { reader.fail("code", .required) }
            if id == admin.id { reader.fail("role", .unknownValue) }
            guard reader.problems.isEmpty, let role else {
                return .html(AdminUsersPages.detail(try await detail(req, id: id), me: admin.id, state: FormState(form.input, problems: reader.problems),
                                                    notice: nil, csrf: req.csrfToken, req.pageContext), status: .unprocessableEntity)
            }
            // The administrator's second factor again: the code must be current and unused.
            try await RateLimiter.enforce([("two-factor:user:\(admin.id)", AccountController.rule(AccountController.limits(req).signInPerAccount, req))], req: req)
            guard let me = try await User.find(admin.id, on: req.db), let sealed = me.totpSecret,
                  let secret = try? app.vault.openWithMaster(sealed, context: "totp:\(admin.id)"),
                  let step = SignInCode.match(code, secret: secret, at: now, lastUsed: me.totpLastStep) else {
                try await AuditLog.record(AuditEntry(actorUserID: admin.id, actorRole: admin.role.rawValue, action: "user.role", objectType: "user",
                                                     objectID: String(id), source: req.auditSource, outcome: .denied), app: app)
                return .html(AdminUsersPages.detail(try await detail(req, id: id), me: admin.id, state: FormState(form.input, problems: [FieldProblem("code", .mismatch)]),
                                                    notice: nil, csrf: req.csrfToken, req.pageContext), status: .unprocessableEntity)
            }
            try await app.writes.transaction(on: req.db) { tx in
                guard try await AccountService.claimCodeStep(step, userID: admin.id, on: tx) else {
                    throw Abort(.conflict, reason: app.localizer("admin.users.refused.code"))
                }
                // One conditional update on the role the page showed.
                let rows = try await (tx as! any SQLDatabase).update("users").set("role", to: SQLBind(role.rawValue))
                    .where("id", .equal, SQLBind(id)).where("role", .equal, SQLBind(target.role)).returning("id").all()
                guard rows.count == 1 else { throw Abort(.conflict, reason: app.localizer("admin.users.refused.changed")) }
                // A new role starts with a new sign-in (and, for staff roles, the second factor).
                try await AccountService.endAccess(userID: id, now: now, on: tx)
                try await AuditLog.append(AuditEntry(actorUserID: admin.id, actorRole: admin.role.rawValue, action: "user.role.\(role.rawValue)",
                                                     objectType: "user", objectID: String(id), source: req.auditSource), at: now, app: app, on: tx)
            }
        default:
            throw Abort(.badRequest)
        }
        return CaseController.redirect(SiteURL.adminUser(.value("\(id)")).path(query: [("done", action)]))
    }

    // MARK: audit

    struct AuditFilter: Sendable {
        var actor: String = ""
        var objectType: String = ""
        var objectID: String = ""
        var action: String = ""
        var from: Date?
        var to: Date?
        var before: Int64?
    }

    static let auditPage = 50

    @Sendable static func audit(req: Request) async throws -> Response {
        let admin = try req.requireUser(roles: [.admin])
        let p = try req.queryParameters()
        var f = AuditFilter()
        func text(_ name: String, _ max: Int) throws -> String {
            let v = try p.single(name)?.trimmingCharacters(in: .whitespaces) ?? ""
            guard v.utf8.count <= max else { throw ParameterError(name, .tooLong(max: max)) }
            return v
        }
        f.actor = try text("actor", 254)
        f.objectType = try text("object_type", 40)
        f.objectID = try text("object_id", 120)
        f.action = try text("action", 80)
        if let raw = try p.single("from") { guard let d = ISODate.parse(raw) else { throw ParameterError("from", .malformed) }; f.from = d }
        if let raw = try p.single("to") { guard let d = ISODate.parse(raw) else { throw ParameterError("to", .malformed) }; f.to = d.addingTimeInterval(86_400) }
        if let raw = try p.single("before") { guard let v = Int64(raw), v > 0 else { throw ParameterError("before", .notAWholeNumber) }; f.before = v }

        var query = AuditEvent.query(on: req.db)
        if !f.actor.isEmpty {
            if let id = Int(f.actor) { query = query.filter(\.$actorUserID == id) }
            else if let u = try await User.query(on: req.db).filter(\.$email == f.actor.lowercased()).first() { query = query.filter(\.$actorUserID == u.id) }
            else { query = query.filter(\.$actorRole == f.actor) }
        }
        if !f.objectType.isEmpty { query = query.filter(\.$objectType == f.objectType) }
        if !f.objectID.isEmpty { query = query.filter(\.$objectID == f.objectID) }
        if !f.action.isEmpty {
            let prefix = f.action.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
            query = query.group(.or) { $0.filter(\.$action == prefix).filter(\.$action, .custom("LIKE"), prefix + ".%") }
        }
        if let from = f.from { query = query.filter(\.$at >= from) }
        if let to = f.to { query = query.filter(\.$at < to) }
        if let before = f.before { query = query.filter(\.$id < before) }
        let rows = try await query.sort(\.$id, .descending).limit(auditPage + 1).all()
        let names = Dictionary(try await User.query(on: req.db).filter(\.$id ~~ Set(rows.compactMap(\.actorUserID))).all().map { ($0.id ?? 0, $0.email) },
                               uniquingKeysWith: { a, _ in a })
        // Walking the whole chain costs time in its length: only when asked.
        let verification = try p.single("verify") == "1" ? try await AuditLog.verify(app: req.application, on: req.db) : nil
        try await AuditLog.record(AuditEntry(actorUserID: admin.id, actorRole: admin.role.rawValue, action: "audit.view", objectType: "audit",
                                             source: req.auditSource), app: req.application)
        return .html(AdminUsersPages.audit(Array(rows.prefix(auditPage)), names: names, filter: f, more: rows.count > auditPage, verification: verification,
                                           req.pageContext))
    }
}
