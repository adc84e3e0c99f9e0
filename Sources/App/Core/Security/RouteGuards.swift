import Foundation
import Vapor
import NIOConcurrencyHelpers
import Domain

/// Who may call a route. Every route is registered through `GuardedRoutes`, which puts the matching middleware on
/// it and records the access here, so a test can walk `app.routes.all` and prove each one.
enum RouteAccess: Sendable, Equatable {
    /// Anyone; GET only.
    case open
    /// Anyone, with a CSRF-checked form (sign-in, sign-up, the consultation request).
    case openForm
    /// Anyone, JSON in and out, no cookies read (a stateless computation).
    case openAPI
    /// A session whose second factor may still be pending (the code pages, sign-out).
    case session
    /// Fully signed in, with one of these roles (all roles when empty).
    case signedIn(Set<Role>)
    /// A personal API token (`Authorization: Bearer`) of a patient; no cookies read.
    case bearer
    /// Development tools, never registered in production.
    case development

    static let key = "careabroad.access"

    var needsCSRF: Bool {
        switch self {
        case .openForm, .session, .signedIn: return true
        case .open, .openAPI, .bearer, .development: return false
        }
    }

    var isPrivate: Bool {
        switch self {
        case .session, .signedIn, .bearer: return true
        case .open, .openForm, .openAPI, .development: return false
        }
    }
}

extension Route {
    /// The access recorded by `GuardedRoutes` (nil for a route registered around it).
    var access: RouteAccess? { userInfo[RouteAccess.key] as? RouteAccess }
}

/// Registers routes with the guards their access needs: authentication, roles and CSRF belong to the group, so a
/// handler cannot forget them.
struct GuardedRoutes {
    let base: any RoutesBuilder
    let access: RouteAccess
    /// Middleware between the guards and the handler (for example the render cache).
    var inner: [any Middleware] = []

    init(_ base: any RoutesBuilder, _ access: RouteAccess) {
        self.base = base
        self.access = access
    }

    /// The same access with more middleware in front of the handlers.
    func grouped(_ middleware: any Middleware...) -> GuardedRoutes {
        var copy = self
        copy.inner += middleware
        return copy
    }

    /// Authentication first, then (for bodies larger than the default) the upload limit, then CSRF, which reads
    /// the body: nobody unauthenticated or over the limit makes the server buffer a large body.
    private func middleware(largeBody: Bool) -> [any Middleware] {
        var list: [any Middleware] = []
        switch access {
        case .open, .openAPI, .development: break
        case .openForm: break
        case .session: list.append(RequireSession())
        case .signedIn(let roles): list.append(RequireUser(roles: roles))
        case .bearer: list.append(RequireBearer())
        }
        if largeBody { list.append(LargeBodyLimit()) }
        if access.needsCSRF { list.append(CSRFGuard()) }
        if access == .openAPI || access == .bearer { list.append(RequireJSONBody()) }
        return list + inner
    }

    /// A GET route; `query` names the query parameters the page reads (the render cache keys on those alone).
    @discardableResult
    func get(_ url: SiteURL, query: [String] = [], use handler: @Sendable @escaping (Request) async throws -> some AsyncResponseEncodable) -> Route {
        let route = base.grouped(middleware(largeBody: false)).get(url.pathComponents, use: handler)
        route.userInfo[RenderCacheQuery.key] = query
        return mark(route, maxBody: nil)
    }

    /// A POST route; `maxBody` raises the body limit for this route alone (uploads).
    @discardableResult
    func post(_ url: SiteURL, maxBody: ByteCount? = nil, use handler: @Sendable @escaping (Request) async throws -> some AsyncResponseEncodable) -> Route {
        precondition(access != .open, "a POST route needs a form or API access")
        let route = base.grouped(middleware(largeBody: maxBody != nil)).on(.POST, url.pathComponents, body: .collect(maxSize: maxBody), use: handler)
        return mark(route, maxBody: maxBody)
    }

    private func mark(_ route: Route, maxBody: ByteCount?) -> Route {
        route.userInfo[RouteAccess.key] = access
        if let maxBody { route.userInfo[RouteBodyLimit.key] = maxBody.value }
        return route
    }
}

/// Counts a body larger than the default limit against the sender's upload allowance before it is read (429 when
/// over it), and lets only a few such bodies be read at once on this node (503 with Retry-After beyond), so photos
/// cannot be used to make the server buffer without end.
struct LargeBodyLimit: AsyncMiddleware {
    /// Large bodies read at the same time on one node (each may be up to the route's limit).
    static let concurrent = 16

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let declared = req.headers.first(name: .contentLength).flatMap(Int.init)
        if declared.map({ $0 > req.application.routes.defaultMaxBodySize.value }) ?? true {
            let counter = req.application.largeBodiesInFlight
            guard counter.enter(limit: Self.concurrent) else {
                throw Abort(.serviceUnavailable, headers: ["Retry-After": "5"], reason: req.application.localizer("error.busy"))
            }
            defer { counter.leave() }
            try await countUpload(req)
            return try await next.respond(to: req)
        }
        return try await next.respond(to: req)
    }

    private func countUpload(_ req: Request) async throws {
        let limits = req.application.config.rateLimits
        var keys = [("upload:ip:\(req.auditSource)", RateLimiter.Rule(limit: limits.largeBodiesPerAddress, window: TimeInterval(limits.window)))]
        if let user = req.user {
            keys.append(("upload:user:\(user.id)", RateLimiter.Rule(limit: limits.largeBodiesPerAddress, window: TimeInterval(limits.window))))
        }
        try await RateLimiter.enforce(keys, req: req)
    }
}

/// How many large bodies this node is reading now.
final class InFlightCounter: Sendable {
    private let count = NIOLockedValueBox(0)
    func enter(limit: Int) -> Bool { count.withLockedValue { if $0 >= limit { return false }; $0 += 1; return true } }
    func leave() { count.withLockedValue { $0 -= 1 } }
}

extension Application {
    private struct InFlightKey: StorageKey { typealias Value = InFlightCounter }

    /// Set once by `configure`.
    var largeBodiesInFlight: InFlightCounter {
        get { guard let value = storage[InFlightKey.self] else { fatalError("configure has not set up the upload counter") }; return value }
        set { storage[InFlightKey.self] = newValue }
    }
}

/// Refuses a state-changing request whose form carries no valid CSRF token (403), or that comes from another
/// origin. The form is read here, within the route's limits, and kept for the handler.
struct CSRFGuard: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if ![.GET, .HEAD, .OPTIONS].contains(req.method) {
            // Headers first (kind, declared size, origin, a cookie a token could belong to), then the body.
            try req.checkFormHeaders()
            try req.application.csrf.precheck(req)
            let form = try await req.formBody()
            try req.application.csrf.verify(req, submitted: form.input[CSRFProtection.field])
        }
        return try await next.respond(to: req)
    }
}

/// A session is needed (the second factor may still be pending); signed-out visitors go to sign-in.
struct RequireSession: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.signedIn != nil else { throw RequireUser.signInRedirect(req) }
        return try await next.respond(to: req)
    }
}

/// A fully signed-in user (second factor given) with one of `roles` (any role when empty). Signed-out visitors go
/// to sign-in, told why, and come back after; a pending second factor goes to the code page; other roles get 403.
struct RequireUser: AsyncMiddleware {
    let roles: Set<Role>

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let user = req.user else {
            if let pending = req.signedIn {
                throw Redirect(to: pending.totpEnabled ? SiteURL.twoFactor.path : SiteURL.twoFactorSetup.path)
            }
            throw Self.signInRedirect(req)
        }
        if !roles.isEmpty && !roles.contains(user.role) {
            try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "route.refused",
                                                 objectType: "route", objectID: req.route?.description, source: req.auditSource,
                                                 outcome: .denied), app: req.application)
            throw Abort(.forbidden)
        }
        return try await next.respond(to: req)
    }

    /// To sign-in with the page asked for (GET only; a form's target is not a page) and the reason.
    static func signInRedirect(_ req: Request) -> Redirect {
        var query = [("reason", "signin-required")]
        if req.method == .GET, let next = AccountController.safeNext(req.url.path) { query.insert(("next", next), at: 0) }
        return Redirect(to: SiteURL.signIn.path(query: query))
    }
}

/// A personal API token of a verified patient account; 401 with `WWW-Authenticate` otherwise. Runs before the body
/// is read, so an unauthenticated client cannot make the server buffer a large body.
struct RequireBearer: AsyncMiddleware {
    private struct TokenUserKey: StorageKey { typealias Value = User }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let user = try await ConsultationAPI.tokenUser(req)
        req.storage[TokenUserKey.self] = user
        return try await next.respond(to: req)
    }

    static func user(_ req: Request) throws -> User {
        guard let user = req.storage[TokenUserKey.self] else { throw Abort(.unauthorized) }
        return user
    }
}

/// API routes take JSON and nothing else: any other body is refused with 415 before a decoder sees it.
struct RequireJSONBody: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if ![.GET, .HEAD, .OPTIONS, .DELETE].contains(req.method) {
            guard let type = req.headers.contentType, type.type.lowercased() == "application",
                  type.subType.lowercased() == "json" || type.subType.lowercased().hasSuffix("+json") else {
                throw Abort(.unsupportedMediaType)
            }
        }
        return try await next.respond(to: req)
    }
}

/// Refuses, for every route, a multipart body whose boundary is missing, empty, too long or malformed (400),
/// before anything can hand it to the multipart parser, which stops the process on an empty boundary.
struct MultipartBoundaryGuard: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let type = req.headers.contentType, type.type.lowercased() == "multipart" {
            guard let boundary = type.parameters["boundary"], Request.isValidBoundary(boundary) else {
                throw Abort(.badRequest, reason: "The form could not be read.")
            }
        }
        return try await next.respond(to: req)
    }
}
