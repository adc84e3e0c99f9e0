import Foundation

/// Where a consultation case stands. The patient sees every change on their case page.
public enum CaseStatus: String, Codable, Sendable, CaseIterable {
    /// Submitted by a guest whose email address is not verified yet: the provider does not see it.
    case awaitingVerification = "awaiting-verification"
    /// Sent to the provider, not opened yet.
    case submitted
    /// The provider's team is reviewing it.
    case inReview = "in-review"
    /// The provider asked the patient a question; waiting for the answer.
    case infoRequested = "info-requested"
    /// The patient answered; back with the provider.
    case answered
    /// The provider declined, with a reason.
    case declined
    /// The patient withdrew consent: the health data of the case has been erased.
    case withdrawn

    /// Whether the provider's inbox shows the case.
    public var visibleToProvider: Bool { self != .awaitingVerification }

    /// Whether the case can still change.
    public var isOpen: Bool { self != .declined && self != .withdrawn }
}

/// The things that can happen to a case; each is allowed only from some statuses.
public enum CaseAction: String, Codable, Sendable {
    case verify, markInReview = "mark-in-review", requestInfo = "request-info", answer, decline, withdraw

    /// The status after this action, or `nil` when the action is not allowed from `status`.
    public func apply(to status: CaseStatus) -> CaseStatus? {
        switch (self, status) {
        case (.verify, .awaitingVerification): return .submitted
        case (.markInReview, .submitted), (.markInReview, .answered): return .inReview
        case (.requestInfo, .submitted), (.requestInfo, .inReview), (.requestInfo, .answered), (.requestInfo, .infoRequested): return .infoRequested
        case (.answer, .infoRequested): return .answered
        case (.decline, .submitted), (.decline, .inReview), (.decline, .infoRequested), (.decline, .answered): return .declined
        case (.withdraw, let s) where s != .withdrawn: return .withdrawn
        default: return nil
        }
    }
}

/// Short case references people can read out on the phone: `CA-` and 8 characters of Crockford's base 32
/// (no I, L, O or U, so nothing looks like 1, 0 or V), in two groups of four. 40 random bits.
public enum CaseReference {
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A new reference from 40 random bits.
    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var value = UInt64.random(in: 0..<(1 << 40), using: &generator)
        var chars: [Character] = []
        for _ in 0..<8 {
            chars.append(alphabet[Int(value & 31)])
            value >>= 5
        }
        return "CA-" + String(chars[0..<4]) + "-" + String(chars[4..<8])
    }

    public static func make() -> String {
        var g = SystemRandomNumberGenerator()
        return make(using: &g)
    }

    /// Accepts what a person types: any case, with or without dashes, and the look-alikes O→0, I/L→1.
    public static func normalise(_ raw: String) -> String? {
        var text = raw.uppercased().filter { $0 != "-" && !$0.isWhitespace }
        // "CA" is the prefix only when it comes on top of the 8 characters (a body may start with CA too).
        if text.count == 10 && text.hasPrefix("CA") { text.removeFirst(2) }
        text = String(text.map { c -> Character in
            switch c {
            case "O": return "0"
            case "I", "L": return "1"
            default: return c
            }
        })
        guard text.count == 8, text.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return "CA-" + text.prefix(4) + "-" + text.suffix(4)
    }
}
