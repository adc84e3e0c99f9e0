import Foundation
import Crypto
import Vapor

/// One-time sign-in codes for staff (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as authenticator apps
/// expect. The codes, base 32 and the constant-time comparison are Vapor's (`HOTP`, `Data(base32Encoded:)`,
/// `secureCompare`); this adds the step window and the "a code works once" rule.
enum SignInCode {
    static let interval = 30
    /// Codes from one step before or after are accepted, for clocks that drift.
    static let window = 1

    static func newSecret() -> Data {
        var g = SystemRandomNumberGenerator()
        return Data((0..<20).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    static func counter(at date: Date) -> Int64 { Int64(floor(date.timeIntervalSince1970 / Double(interval))) }

    static func code(secret: Data, counter: Int64) -> String {
        HOTP(key: SymmetricKey(data: secret), digest: .sha1, digits: .six).generate(counter: UInt64(bitPattern: counter))
    }

    /// The counter of the step whose code matches, if any, within the window and after `lastUsed`
    /// (a code works once; the caller records the step with a conditional write).
    static func match(_ input: String, secret: Data, at date: Date, lastUsed: Int64?) -> Int64? {
        let code = input.filter { !$0.isWhitespace }
        guard code.count == 6, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let now = counter(at: date)
        for c in (now - Int64(window))...(now + Int64(window)) where c > (lastUsed ?? Int64.min) {
            if Array(Self.code(secret: secret, counter: c).utf8).secureCompare(to: Array(code.utf8)) { return c }
        }
        return nil
    }

    /// RFC 4648 base 32 without padding, as authenticator apps take secrets.
    static func base32(_ data: Data) -> String { data.base32EncodedString() }

    static func decodeBase32(_ text: String) -> Data? {
        Data(base32Encoded: text.filter { $0 != " " && $0 != "=" }.uppercased())
    }

    /// The address authenticator apps read from a QR code or a link.
    static func provisioningURI(secret: Data, account: String, issuer: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@")
        let label = "\(issuer):\(account)".addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        let issuerParam = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "otpauth://totp/\(label)?secret=\(base32(secret))&issuer=\(issuerParam)&algorithm=SHA1&digits=6&period=30"
    }
}
