import Foundation
import Crypto
import Vapor

/// Synchroniser tokens for every state-changing form (ASVS V3.5). The token is an HMAC of the session id, or
/// of a random visitor cookie before sign-in, under a key derived from the master key, so every app node can
/// check it without shared memory.
struct CSRFProtection: Sendable {
    let key: SymmetricKey
    static let field = "csrf"

    /// The token for forms on this request's page. Sets the visitor cookie when the visitor has none, and marks the
    /// response as one that no browser or proxy may store (the token belongs to one visitor).
    func token(for req: Request) -> String {
        req.rendersPrivateToken = true
        return mac(binding(for: req, create: true) ?? "")
    }

    /// Refuses (403) a request from another origin, or one that carries neither a session nor a visitor cookie (no
    /// token could be valid for it). Runs before the body is read, so such a request never makes the server buffer it.
    func precheck(_ req: Request) throws {
        if let origin = req.headers.first(name: .origin), origin != "null" {
            let expected = URL(string: req.application.config.baseURL).map { "\($0.scheme ?? "")://\($0.host ?? "")\($0.port.map { ":\($0)" } ?? "")" }
            guard origin == expected || Self.sameHost(origin, req) else { throw Abort(.forbidden, reason: req.application.localizer("error.csrf")) }
        }
        guard binding(for: req, create: false) != nil else { throw Abort(.forbidden, reason: req.application.localizer("error.csrf")) }
    }

    /// Refuses the request (403) when its token is missing or wrong, or when it comes from another origin.
    func verify(_ req: Request, submitted: String?) throws {
        try precheck(req)
        guard let submitted, let binding = binding(for: req, create: false),
              Array(submitted.utf8).secureCompare(to: Array(mac(binding).utf8)) else {
            throw Abort(.forbidden, reason: req.application.localizer("error.csrf"))
        }
    }

    private static func sameHost(_ origin: String, _ req: Request) -> Bool {
        guard let host = req.headers.first(name: .host) else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    private func binding(for req: Request, create: Bool) -> String? {
        if let session = req.signedIn?.sessionID { return "s:" + session }
        let name = SessionPolicy.visitorCookieName(tls: req.tls)
        if let visitor = req.cookies[name]?.string, SecretToken.isWellFormed(visitor) { return "v:" + visitor }
        if let fresh = req.freshVisitorToken { return "v:" + fresh }
        guard create else { return nil }
        let fresh = SecretToken.make()
        req.freshVisitorToken = fresh
        return "v:" + fresh
    }

    private func mac(_ binding: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(binding.utf8), using: key)
        return Data(code).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension Request {
    private struct FreshVisitorKey: StorageKey { typealias Value = String }

    private struct PrivateTokenKey: StorageKey { typealias Value = Bool }

    /// A CSRF token went into this response: `VisitorCookieMiddleware` makes it `no-store`.
    var rendersPrivateToken: Bool {
        get { storage[PrivateTokenKey.self] ?? false }
        set { storage[PrivateTokenKey.self] = newValue }
    }

    /// A visitor token created while rendering this response; `VisitorCookieMiddleware` sets it as a cookie.
    var freshVisitorToken: String? {
        get { storage[FreshVisitorKey.self] }
        set { storage[FreshVisitorKey.self] = newValue }
    }

    /// The CSRF token for forms on the page being rendered.
    var csrfToken: String { application.csrf.token(for: self) }
}

/// Sets the visitor cookie that a rendered form's CSRF token is bound to, and forbids storing any page that carries
/// a token.
struct VisitorCookieMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: req)
        if req.rendersPrivateToken {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        if let fresh = req.freshVisitorToken {
            response.cookies[SessionPolicy.visitorCookieName(tls: req.tls)] = SessionPolicy.cookie(fresh, tls: req.tls, maxAge: 7 * 86_400)
        }
        return response
    }
}
