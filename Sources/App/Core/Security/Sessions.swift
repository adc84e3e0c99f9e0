import Foundation
import Fluent
import Vapor

/// The person behind a request, once their session has been checked.
struct SignedInUser: Sendable {
    let id: Int
    let email: String
    let displayName: String
    let role: Role
    let emailVerified: Bool
    let sessionID: String
    /// False while a staff member has given the password but not yet the one-time code.
    let secondFactorDone: Bool
    let totpEnabled: Bool

    /// Signed in far enough to use the platform.
    var isComplete: Bool { secondFactorDone || !role.needsSecondFactor }
}

/// Session rules (ASVS V3): database-stored, so any app node can serve the user; idle and absolute expiry.
enum SessionPolicy {
    static let idleTimeout: TimeInterval = 30 * 60
    static let absoluteTimeout: TimeInterval = 12 * 60 * 60
    /// `last_seen_at` is written at most this often, so reading pages does not turn into a write per request.
    static let touchInterval: TimeInterval = 60

    static func cookieName(tls: Bool) -> String { tls ? "__Host-careabroad_session" : "careabroad_session" }
    static func visitorCookieName(tls: Bool) -> String { tls ? "__Host-careabroad_visitor" : "careabroad_visitor" }

    static func cookie(_ value: String, tls: Bool, maxAge: Int?) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, expires: nil, maxAge: maxAge, domain: nil, path: "/",
                          isSecure: tls, isHTTPOnly: true, sameSite: .lax)
    }

    static func expired(createdAt: Date, lastSeenAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) > idleTimeout || now.timeIntervalSince(createdAt) > absoluteTimeout
    }
}

extension Request {
    private struct UserKey: StorageKey { typealias Value = SignedInUser }
    private struct LookedUpKey: StorageKey { typealias Value = Bool }

    /// The signed-in user (complete or waiting for the second factor), after `SessionMiddleware` has run.
    var signedIn: SignedInUser? {
        get { storage[UserKey.self] }
        set { storage[UserKey.self] = newValue }
    }

    /// The user when fully signed in; otherwise `nil`.
    var user: SignedInUser? { signedIn.flatMap { $0.isComplete ? $0 : nil } }

    var tls: Bool { application.config.tlsEnabled }
}

/// Reads the session cookie, checks the session in the database and its expiry, and refreshes its last use.
struct SessionMiddleware: AsyncMiddleware {
    /// Pages that depend on who asks, under these paths, even for a visitor who is not signed in.
    static let privatePrefixes = ["/account", "/cases", "/inbox", "/consult", "/dev"]

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let name = SessionPolicy.cookieName(tls: req.tls)
        var clearCookie = false
        if let token = req.cookies[name]?.string {
            if SecretToken.isWellFormed(token), let user = try await Self.load(token: token, req: req) {
                req.signedIn = user
            } else {
                clearCookie = true
            }
        }
        let response = try await next.respond(to: req)
        if clearCookie && response.cookies[name] == nil {
            response.cookies[name] = SessionPolicy.cookie("", tls: req.tls, maxAge: 0)
        }
        let path = req.sitePath
        if req.signedIn != nil || Self.privatePrefixes.contains(where: { path.hasPrefix($0) }) {
            // Pages that depend on who asks are never stored by browsers or proxies.
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }

    static func load(token: String, req: Request) async throws -> SignedInUser? {
        let id = SecretToken.digest(token)
        guard let session = try await UserSession.query(on: req.db).filter(\.$id == id).with(\.$user).first() else { return nil }
        let now = req.application.clock.now()
        if SessionPolicy.expired(createdAt: session.createdAt, lastSeenAt: session.lastSeenAt, now: now) {
            _ = try await req.application.writes.run(on: req.db) { db in
                try await UserSession.query(on: db).filter(\.$id == id).delete()
            }
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > SessionPolicy.touchInterval {
            _ = try await req.application.writes.run(on: req.db) { db in
                try await UserSession.query(on: db).filter(\.$id == id).set(\.$lastSeenAt, to: now).update()
            }
        }
        let user = session.user
        // An address that was never confirmed opens nothing, whatever session was started before.
        guard user.emailVerifiedAt != nil else { return nil }
        return SignedInUser(id: try user.requireID(), email: user.email, displayName: user.displayName, role: user.roleValue,
                            emailVerified: user.emailVerifiedAt != nil, sessionID: id,
                            secondFactorDone: session.secondFactorDone, totpEnabled: user.totpEnabledAt != nil)
    }
}

/// Starting and ending sessions.
enum SessionStore {
    /// Starts a new session (a new id every time: the old cookie, if any, is ended) and sets the cookie.
    static func start(userID: Int, secondFactorDone: Bool, req: Request, response: Response) async throws {
        let token = SecretToken.make()
        let now = req.application.clock.now()
        let old = req.signedIn?.sessionID
        let session = UserSession(id: SecretToken.digest(token), userID: userID, now: now, secondFactorDone: secondFactorDone)
        try await req.application.writes.transaction(on: req.db) { tx in
            if let old { try await UserSession.query(on: tx).filter(\.$id == old).delete() }
            try await session.create(on: tx)
        }
        response.cookies[SessionPolicy.cookieName(tls: req.tls)] = SessionPolicy.cookie(token, tls: req.tls, maxAge: Int(SessionPolicy.absoluteTimeout))
    }

    /// Ends the current session on the server and clears the cookie.
    static func end(req: Request, response: Response) async throws {
        if let id = req.signedIn?.sessionID {
            _ = try await req.application.writes.run(on: req.db) { db in
                try await UserSession.query(on: db).filter(\.$id == id).delete()
            }
        }
        response.cookies[SessionPolicy.cookieName(tls: req.tls)] = SessionPolicy.cookie("", tls: req.tls, maxAge: 0)
    }
}

/// Guards for pages that need a signed-in user.
extension Request {
    /// The signed-in user, or a redirect to sign-in (the page asked for comes back after).
    func requireUser() throws -> SignedInUser {
        guard let user else {
            throw Redirect(to: SiteURL.signIn.path(query: [("next", url.path)]))
        }
        return user
    }

    /// A signed-in user with one of `roles`; other signed-in users get 403.
    func requireUser(roles: Set<Role>) throws -> SignedInUser {
        let user = try requireUser()
        guard roles.contains(user.role) else { throw Abort(.forbidden) }
        return user
    }
}

/// Thrown by guards to send the browser elsewhere; `SiteErrorMiddleware` turns it into a 303.
struct Redirect: Error {
    let to: String
}
