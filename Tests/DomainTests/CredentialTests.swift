import Foundation
import Testing
import Domain

@Suite("Credential checks")
struct CredentialTests {
    let now = ISODate.parse("2026-11-25")!
    func d(_ s: String) -> Date { ISODate.parse(s)! }

    @Test("Verified, dated and in force: verified")
    func verified() {
        let c = CredentialCheck(status: .verified, validFrom: d("2024-01-01"), validUntil: d("2028-01-01"), lastVerified: d("2026-08-01"))
        #expect(c.isVerified(at: now))
        #expect(c.effectiveStatus(at: now) == .verified)
        #expect(c.badgeValidUntil(at: now) == d("2028-01-01"))
    }

    @Test("Without any validity dates a checked credential is verified with an open-ended badge")
    func openEnded() {
        let c = CredentialCheck(status: .verified, validFrom: nil, validUntil: nil, lastVerified: d("2026-08-01"))
        #expect(c.isVerified(at: now))
        #expect(c.badgeValidUntil(at: now) == .distantFuture)
    }

    @Test("Valid through its last day, expired the day after")
    func boundaries() {
        let c = CredentialCheck(status: .verified, validFrom: d("2026-11-25"), validUntil: d("2026-11-25"), lastVerified: d("2026-11-01"))
        #expect(c.isVerified(at: now))
        #expect(!c.isVerified(at: d("2026-11-26")))
        #expect(!c.isVerified(at: d("2026-11-24")))
    }

    @Test("Expired: not verified, shown as expired")
    func expired() {
        let c = CredentialCheck(status: .verified, validFrom: d("2020-04-27"), validUntil: d("2025-09-09"), lastVerified: d("2024-11-09"))
        #expect(!c.isVerified(at: now))
        #expect(c.effectiveStatus(at: now) == .expired)
        #expect(c.badgeValidUntil(at: now) == nil)
        // The same credential was fine before its end date.
        #expect(c.isVerified(at: d("2025-01-01")))
        #expect(c.effectiveStatus(at: d("2025-01-01")) == .verified)
    }

    @Test("Not yet in force: not verified")
    func notYetValid() {
        let c = CredentialCheck(status: .verified, validFrom: d("2027-01-01"), validUntil: d("2030-01-01"), lastVerified: d("2026-11-01"))
        #expect(!c.isVerified(at: now))
        #expect(c.badgeValidUntil(at: now) == nil)
        #expect(c.isVerified(at: d("2027-06-01")))
    }

    @Test("A credential not yet in force is not shown with the status 'verified'")
    func notYetValidStatus() {
        // What people read must agree with the badge: a credential that does not count as verified today
        // must not be labelled "Verified" (the profile and the API show `effectiveStatus` next to `isVerified`).
        let c = CredentialCheck(status: .verified, validFrom: d("2027-01-01"), validUntil: d("2030-01-01"), lastVerified: d("2026-11-01"))
        #expect(c.effectiveStatus(at: now) != .verified)
    }

    @Test("Pending, unverified and expired statuses never verify", arguments: [VerificationStatus.pending, .unverified, .expired, .refused, .needsEvidence])
    func otherStatuses(_ status: VerificationStatus) {
        let c = CredentialCheck(status: status, validFrom: d("2024-01-01"), validUntil: d("2028-01-01"), lastVerified: d("2026-08-01"))
        #expect(!c.isVerified(at: now))
        #expect(c.effectiveStatus(at: now) == status)
        #expect(c.badgeValidUntil(at: now) == nil)
    }

    @Test("Pending past its end date shows as expired")
    func pendingExpired() {
        let c = CredentialCheck(status: .pending, validFrom: nil, validUntil: d("2025-01-01"), lastVerified: nil)
        #expect(c.effectiveStatus(at: now) == .expired)
    }

    @Test("Verified without a check date: not verified, shown as unverified")
    func verifiedWithoutDate() {
        let c = CredentialCheck(status: .verified, validFrom: d("2024-01-01"), validUntil: d("2028-01-01"), lastVerified: nil)
        #expect(!c.isVerified(at: now))
        #expect(c.effectiveStatus(at: now) == .unverified)
    }

    @Test("Raw values match the stored strings")
    func rawValues() {
        #expect(Set(VerificationStatus.allCases.map(\.rawValue)) == ["verified", "pending", "unverified", "expired", "not-yet-valid", "refused", "needs-evidence"])
        #expect(Set(CredentialKind.allCases.map(\.rawValue)) == ["licence", "board-certification", "society-membership", "facility-accreditation"])
    }
}
