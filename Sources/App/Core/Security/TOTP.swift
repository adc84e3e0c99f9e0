import Foundation
import Crypto

/// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as authenticator apps
/// expect. Written here on swift-crypto's HMAC because none of the packages available to us provide TOTP; it
/// is a few lines over a primitive we do take from a library.
enum TOTP {
    static let step: TimeInterval = 30
    static let digits = 6
    /// Codes from one step before or after are accepted, for clocks that drift.
    static let window = 1

    static func newSecret() -> Data {
        var g = SystemRandomNumberGenerator()
        return Data((0..<20).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    static func counter(at date: Date) -> Int64 { Int64(floor(date.timeIntervalSince1970 / step)) }

    static func code(secret: Data, counter: Int64) -> String {
        var big = UInt64(bitPattern: counter).bigEndian
        let message = withUnsafeBytes(of: &big) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let value = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let code = value % 1_000_000
        return String(format: "%06u", code)
    }

    /// The counter of the step whose code matches, if any, within the window and after `lastUsed`
    /// (a code works once).
    static func match(_ input: String, secret: Data, at date: Date, lastUsed: Int64?) -> Int64? {
        let code = input.filter { !$0.isWhitespace }
        guard code.count == digits, code.allSatisfy(\.isNumber) else { return nil }
        let now = counter(at: date)
        for c in (now - Int64(window))...(now + Int64(window)) where c > (lastUsed ?? Int64.min) {
            if CSRFProtection.constantTimeEqual(Self.code(secret: secret, counter: c), code) { return c }
        }
        return nil
    }

    /// RFC 4648 base 32 without padding, as authenticator apps take secrets.
    static func base32(_ data: Data) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in data {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return out
    }

    static func decodeBase32(_ text: String) -> Data? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var buffer: UInt32 = 0
        var bits = 0
        var out = Data()
        for ch in text.uppercased() where ch != " " && ch != "=" {
            guard let index = alphabet.firstIndex(of: ch) else { return nil }
            buffer = (buffer << 5) | UInt32(index)
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return out
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
