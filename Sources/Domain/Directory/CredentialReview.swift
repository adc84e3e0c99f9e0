import Foundation

/// A web address of an issuing register: `https` (or `http`, many registers still are), with a host, no spaces,
/// quotes or angle brackets, at most 500 characters.
public enum RegisterLink {
    public static let maxLength = 500

    public static func isValid(_ text: String) -> Bool {
        let lower = text.lowercased()
        guard text.count <= maxLength, lower.hasPrefix("https://") || lower.hasPrefix("http://"),
              !text.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == "<" || $0 == ">" || $0 == "\\" }),
              let url = URL(string: text), let host = url.host, host.contains("."), !host.hasPrefix("."), !host.hasSuffix(".")
        else { return false }
        return true
    }
}

/// What a practice submits for checking: a licence, board certification, society membership or facility
/// accreditation with its issuer, number, validity and the issuing register's address. Evidence files travel
/// beside it. It is never shown as verified on the strength of this: only an administrator's check does that.
public struct CredentialSubmission: Sendable, Equatable, Codable {
    public var kind: CredentialKind
    public var title: String
    public var issuer: String
    public var number: String
    public var validFrom: Date?
    public var validUntil: Date?
    public var registerURL: String

    public static let maxTitle = 160
    public static let maxIssuer = 160
    public static let maxNumber = 80

    public init(kind: CredentialKind, title: String, issuer: String, number: String, validFrom: Date?, validUntil: Date?, registerURL: String) {
        self.kind = kind
        self.title = title
        self.issuer = issuer
        self.number = number
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.registerURL = registerURL
    }

    /// Reads the submission form (`kind`, `title`, `issuer`, `number`, `valid_from`, `valid_until`,
    /// `register_url`); every problem is named at its field. A credential already past its end date is refused.
    public static func read(_ input: FormInput, now: Date) -> Result<CredentialSubmission, FormError> {
        var r = FormReader(input)
        let kind = r.choice("kind", CredentialKind.self, required: true)
        let title = r.text("title", max: maxTitle, required: true)
        let issuer = r.text("issuer", max: maxIssuer, required: true)
        let number = r.text("number", max: maxNumber, required: true)
        let from = r.date("valid_from")
        let until = r.date("valid_until")
        if let from, let until, until < from { r.fail("valid_until", .endBeforeStart) }
        else if let until, until < now { r.fail("valid_until", .dateInPast) }
        let link = r.text("register_url", max: RegisterLink.maxLength, required: true)
        if let link, !RegisterLink.isValid(link) { r.fail("register_url", .unknownValue) }
        guard r.problems.isEmpty, let kind, let title, let issuer, let number, let link else { return .failure(FormError(r.problems)) }
        return .success(CredentialSubmission(kind: kind, title: title, issuer: issuer, number: number, validFrom: from, validUntil: until,
                                             registerURL: link))
    }
}

/// What an administrator concludes after looking a credential up at its issuing register.
public enum CheckOutcome: String, Codable, Sendable, CaseIterable {
    /// Confirmed at the register, valid until the recorded expiry.
    case verified
    /// Not confirmed (not found, different holder, revoked); the reason is recorded and told to the practice.
    case refused
    /// The register cannot confirm it from what was sent; the practice is asked for more.
    case needsEvidence = "needs-evidence"

    /// The credential's status after a check with this outcome.
    public var status: VerificationStatus {
        switch self {
        case .verified: return .verified
        case .refused: return .refused
        case .needsEvidence: return .needsEvidence
        }
    }
}

/// One check of a credential, as an administrator records it: what was checked and where, the outcome, the
/// expiry confirmed by the register (a verified credential always has one) or the reason for anything else.
public struct CheckRecord: Sendable, Equatable, Codable {
    public var outcome: CheckOutcome
    public var whatChecked: String
    public var registerURL: String
    public var expires: Date?
    public var reason: String?

    public static let maxWhatChecked = 2_000
    public static let maxReason = 2_000
    /// A verified credential's expiry at most this many years ahead (registers rarely vouch for longer; a typo
    /// such as 2205 must not earn a badge for two centuries).
    public static let maxYearsAhead = 10

    public init(outcome: CheckOutcome, whatChecked: String, registerURL: String, expires: Date?, reason: String?) {
        self.outcome = outcome
        self.whatChecked = whatChecked
        self.registerURL = registerURL
        self.expires = expires
        self.reason = reason
    }

    /// Reads the check form (`outcome`, `what_checked`, `register_url`, `expires`, `reason`). Verified needs an
    /// expiry after today and within ten years; refused and needs-evidence need a reason.
    public static func read(_ input: FormInput, now: Date) -> Result<CheckRecord, FormError> {
        var r = FormReader(input)
        let outcome = r.choice("outcome", CheckOutcome.self, required: true)
        let what = r.text("what_checked", max: maxWhatChecked, required: true)
        let link = r.text("register_url", max: RegisterLink.maxLength, required: true)
        if let link, !RegisterLink.isValid(link) { r.fail("register_url", .unknownValue) }
        var expires: Date?
        var reason: String?
        switch outcome {
        case .verified?:
            expires = r.date("expires", required: true)
            if let e = expires {
                let latest = ISODate.utcCalendar.date(byAdding: .year, value: maxYearsAhead, to: now) ?? now
                if e <= now { r.fail("expires", .dateInPast); expires = nil }
                else if e > latest { r.fail("expires", .unknownValue); expires = nil }
            }
        case .refused?, .needsEvidence?:
            reason = r.text("reason", max: maxReason, required: true)
        case nil:
            break
        }
        guard r.problems.isEmpty, let outcome, let what, let link else { return .failure(FormError(r.problems)) }
        return .success(CheckRecord(outcome: outcome, whatChecked: what, registerURL: link, expires: expires, reason: reason))
    }
}

/// When a verified credential is queued for checking again: 30 days before it runs out.
public enum CredentialRecheck {
    public static let leadDays = 30

    public static func isDue(status: VerificationStatus, validUntil: Date?, now: Date) -> Bool {
        guard status == .verified, let validUntil else { return false }
        return validUntil <= now.addingTimeInterval(TimeInterval(leadDays) * 86_400)
    }
}
