import Foundation

/// What a credential attests.
public enum CredentialKind: String, Codable, Sendable, CaseIterable {
    case licence
    case boardCertification = "board-certification"
    case societyMembership = "society-membership"
    case facilityAccreditation = "facility-accreditation"
}

/// Where a credential stands after our checks.
public enum VerificationStatus: String, Codable, Sendable, CaseIterable {
    case verified, pending, unverified, expired
    /// An administrator found it could not be confirmed at the issuing register (never shown publicly).
    case refused
    /// An administrator asked the practice for more evidence; shown publicly as submitted, not yet verified.
    case needsEvidence = "needs-evidence"
    /// Shown only, never stored: checked by us but its validity starts later.
    case notYetValid = "not-yet-valid"
}

/// The facts that decide whether a credential earns the "verified" badge.
public struct CredentialCheck: Sendable, Equatable {
    public var status: VerificationStatus
    public var validFrom: Date?
    public var validUntil: Date?
    public var lastVerified: Date?

    public init(status: VerificationStatus, validFrom: Date?, validUntil: Date?, lastVerified: Date?) {
        self.status = status
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.lastVerified = lastVerified
    }

    /// Verified by us, with a date, and neither expired nor not yet valid at `now`.
    public func isVerified(at now: Date) -> Bool {
        guard status == .verified, lastVerified != nil else { return false }
        if let validFrom, validFrom > now { return false }
        if let validUntil, validUntil < now { return false }
        return true
    }

    /// The status a person should see at `now`: a verified credential past its end date shows as expired.
    public func effectiveStatus(at now: Date) -> VerificationStatus {
        if status == .refused || status == .needsEvidence { return status }
        if let validUntil, validUntil < now { return .expired }
        if status == .verified, lastVerified == nil { return .unverified }
        if status == .verified, let validFrom, validFrom > now { return .notYetValid }
        return status
    }

    /// Until when a badge earned by this credential holds (distant future when it has no end date).
    public func badgeValidUntil(at now: Date) -> Date? {
        guard isVerified(at: now) else { return nil }
        return validUntil ?? .distantFuture
    }
}
