import Foundation
import Crypto
import Vapor

/// OWASP's device cookie against account lockout: after a successful sign-in the browser gets a signed cookie naming
/// the account. Failed attempts from a browser that holds one count against that device only; attempts from
/// anywhere else count against the account's "unknown devices" allowance. Strangers guessing a password are
/// throttled as before, but they no longer lock the owner out of the devices the owner has used.
enum DeviceCookie {
    static let lifetime: TimeInterval = 180 * 86_400

    static func name(tls: Bool) -> String { tls ? "__Host-careabroad_device" : "careabroad_device" }

    /// `nonce.expiry.mac`, the MAC binding the account's address, the nonce and the expiry.
    static func make(email: String, key: SymmetricKey, now: Date) -> String {
        let nonce = SecretToken.make().prefix(22)
        let expiry = Int64(now.addingTimeInterval(lifetime).timeIntervalSince1970)
        return "\(nonce).\(expiry).\(mac(email: email, nonce: String(nonce), expiry: expiry, key: key))"
    }

    /// The nonce of a valid, unexpired cookie issued for `email`, or nil.
    static func nonce(_ cookie: String?, email: String, key: SymmetricKey, now: Date) -> String? {
        guard let cookie, cookie.utf8.count <= 200 else { return nil }
        let parts = cookie.split(separator: ".").map(String.init)
        guard parts.count == 3, let expiry = Int64(parts[1]), Double(expiry) > now.timeIntervalSince1970 else { return nil }
        let expected = mac(email: email, nonce: parts[0], expiry: expiry, key: key)
        guard Array(expected.utf8).secureCompare(to: Array(parts[2].utf8)) else { return nil }
        return parts[0]
    }

    private static func mac(email: String, nonce: String, expiry: Int64, key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: Data("device\u{1F}\(email)\u{1F}\(nonce)\u{1F}\(expiry)".utf8), using: key).hex
    }
}

extension Request {
    var deviceCookieKey: SymmetricKey { application.vault.derivedKey(purpose: "device-cookie") }

    /// The rate-limit keys for a password attempt on `email`: the address, and the device (a browser that signed in
    /// to this account before) or else the account's allowance for unknown devices.
    func passwordAttemptLimits(email: String) -> [(String, RateLimiter.Rule)] {
        let limits = application.config.rateLimits
        let window = TimeInterval(limits.window)
        var keys = [("sign-in:ip:\(auditSource)", RateLimiter.Rule(limit: limits.signInPerAddress, window: window))]
        if let nonce = DeviceCookie.nonce(cookies[DeviceCookie.name(tls: tls)]?.string, email: email, key: deviceCookieKey,
                                          now: application.clock.now()) {
            keys.append(("sign-in:device:\(nonce)", RateLimiter.Rule(limit: limits.signInPerAccount, window: window)))
        } else {
            keys.append(("sign-in:email:\(AccountController.emailKey(email))", RateLimiter.Rule(limit: limits.signInPerAccount, window: window)))
        }
        return keys
    }

    /// Gives the browser a device cookie for `email` after a successful sign-in.
    func rememberDevice(email: String, on response: Response) {
        let value = DeviceCookie.make(email: email, key: deviceCookieKey, now: application.clock.now())
        response.cookies[DeviceCookie.name(tls: tls)] = SessionPolicy.cookie(value, tls: tls, maxAge: Int(DeviceCookie.lifetime))
    }
}
