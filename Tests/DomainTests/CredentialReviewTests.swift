import Foundation
import Testing
import Domain

@Suite("Credential submissions and checks")
struct CredentialReviewTests {
    let now = ISODate.parse("2026-11-30")!

    func input(_ pairs: [String: String]) -> FormInput { FormInput(pairs.mapValues { [$0] }) }

    var submission: [String: String] {
        ["kind": "board-certification", "title": "Board certification in plastic surgery", "issuer": "Sample Board of Surgery",
         "number": "SB-1234", "valid_from": "2020-01-01", "valid_until": "2030-01-01", "register_url": "https://register.example.org/lookup?id=SB-1234"]
    }

    @Test("A complete submission reads with its dates")
    func submissionReads() throws {
        let s = try CredentialSubmission.read(input(submission), now: now).get()
        #expect(s.kind == .boardCertification)
        #expect(s.validUntil == ISODate.parse("2030-01-01"))
        #expect(s.registerURL.hasPrefix("https://register.example.org"))
    }

    @Test("Each missing or wrong field is named",
          arguments: [("kind", "diploma", FieldProblem.Code.unknownValue), ("title", "", .required), ("issuer", "", .required),
                      ("number", "", .required), ("register_url", "javascript:alert(1)", .unknownValue),
                      ("register_url", "https://exa mple.org", .unknownValue), ("valid_until", "2019-01-01", .endBeforeStart),
                      ("valid_from", "2020-02-30x", .invalidDate)])
    func submissionProblems(field: String, value: String, code: FieldProblem.Code) {
        var pairs = submission
        pairs[field] = value
        let problems = CredentialSubmission.read(input(pairs), now: now).problems
        #expect(problems.contains(FieldProblem(field, code)))
    }

    @Test("A credential that already ran out cannot be submitted")
    func pastEnd() {
        var pairs = submission
        pairs["valid_from"] = nil
        pairs["valid_until"] = "2026-01-01"
        #expect(CredentialSubmission.read(input(pairs), now: now).problems == [FieldProblem("valid_until", .dateInPast)])
    }

    @Test("A title is limited in bytes as well as characters")
    func titleBytes() {
        var pairs = submission
        pairs["title"] = "a" + String(repeating: "\u{301}", count: 2_000)
        #expect(CredentialSubmission.read(input(pairs), now: now).problems == [FieldProblem("title", .tooLong(max: CredentialSubmission.maxTitle))])
    }

    var check: [String: String] {
        ["outcome": "verified", "what_checked": "Name, number and status in the board's public register", "register_url": "https://register.example.org/SB-1234",
         "expires": "2028-06-30"]
    }

    @Test("Verified needs an expiry after today and within ten years")
    func verifiedExpiry() throws {
        #expect(try CheckRecord.read(input(check), now: now).get().expires == ISODate.parse("2028-06-30"))
        var pairs = check
        pairs["expires"] = nil
        #expect(CheckRecord.read(input(pairs), now: now).problems == [FieldProblem("expires", .required)])
        pairs["expires"] = "2026-11-29"
        #expect(CheckRecord.read(input(pairs), now: now).problems == [FieldProblem("expires", .dateInPast)])
        pairs["expires"] = "2205-01-01"
        #expect(CheckRecord.read(input(pairs), now: now).problems == [FieldProblem("expires", .unknownValue)])
    }

    @Test("Refused and needs-evidence need a reason, and ignore an expiry", arguments: [CheckOutcome.refused, .needsEvidence])
    func reasons(_ outcome: CheckOutcome) throws {
        var pairs = check
        pairs["outcome"] = outcome.rawValue
        #expect(CheckRecord.read(input(pairs), now: now).problems == [FieldProblem("reason", .required)])
        pairs["reason"] = "The register lists a different holder for this number."
        let record = try CheckRecord.read(input(pairs), now: now).get()
        #expect(record.expires == nil)
        #expect(record.outcome.status == outcome.status)
        #expect(record.outcome.status != .verified)
    }

    @Test("What was checked and where are always required")
    func required() {
        let problems = CheckRecord.read(input(["outcome": "verified", "expires": "2028-01-01"]), now: now).problems
        #expect(Set(problems) == [FieldProblem("what_checked", .required), FieldProblem("register_url", .required)])
    }

    @Test("A verified credential is due for re-checking 30 days before it runs out, not earlier")
    func recheck() {
        let day: TimeInterval = 86_400
        #expect(CredentialRecheck.isDue(status: .verified, validUntil: now.addingTimeInterval(30 * day), now: now))
        #expect(!CredentialRecheck.isDue(status: .verified, validUntil: now.addingTimeInterval(31 * day), now: now))
        #expect(!CredentialRecheck.isDue(status: .pending, validUntil: now.addingTimeInterval(5 * day), now: now))
        #expect(!CredentialRecheck.isDue(status: .verified, validUntil: nil, now: now))
    }

    @Test("Refused and needs-evidence keep their status past the end date and never verify")
    func statuses() {
        for status in [VerificationStatus.refused, .needsEvidence] {
            let c = CredentialCheck(status: status, validFrom: nil, validUntil: ISODate.parse("2026-01-01"), lastVerified: ISODate.parse("2025-01-01"))
            #expect(c.effectiveStatus(at: now) == status)
            #expect(!c.isVerified(at: now))
        }
    }
}
