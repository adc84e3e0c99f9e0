import Foundation
import Testing
@testable import Domain

@Suite("Case life cycle")
struct CaseLifecycleTests {
    // MARK: Transitions

    /// Every action, in the order the table below lists them (CaseAction is not CaseIterable).
    private static let actions: [CaseAction] = [.verify, .markInReview, .requestInfo, .answer, .decline, .withdraw]

    /// The rules, written out for every (action, status) pair: `nil` means the action is not allowed.
    /// Columns: awaitingVerification, submitted, inReview, infoRequested, answered, declined, withdrawn.
    private static let expected: [CaseAction: [CaseStatus: CaseStatus?]] = [
        .verify: [
            .awaitingVerification: .submitted,
            .submitted: nil, .inReview: nil, .infoRequested: nil, .answered: nil, .declined: nil, .withdrawn: nil,
        ],
        .markInReview: [
            .awaitingVerification: nil,
            .submitted: .inReview,
            .inReview: nil,
            .infoRequested: nil,
            .answered: .inReview,
            .declined: nil,
            .withdrawn: nil,
        ],
        .requestInfo: [
            .awaitingVerification: nil,
            .submitted: .infoRequested,
            .inReview: .infoRequested,
            .infoRequested: .infoRequested,
            .answered: .infoRequested,
            .declined: nil,
            .withdrawn: nil,
        ],
        .answer: [
            .awaitingVerification: nil,
            .submitted: nil,
            .inReview: nil,
            .infoRequested: .answered,
            .answered: nil,
            .declined: nil,
            .withdrawn: nil,
        ],
        .decline: [
            .awaitingVerification: nil,
            .submitted: .declined,
            .inReview: .declined,
            .infoRequested: .declined,
            .answered: .declined,
            .declined: nil,
            .withdrawn: nil,
        ],
        .withdraw: [
            .awaitingVerification: .withdrawn,
            .submitted: .withdrawn,
            .inReview: .withdrawn,
            .infoRequested: .withdrawn,
            .answered: .withdrawn,
            .declined: .withdrawn,
            .withdrawn: nil,
        ],
    ]

    @Test("The expectation table covers every (action, status) pair")
    func tableIsComplete() {
        #expect(Self.expected.count == 6)
        #expect(Set(Self.expected.keys) == Set(Self.actions))
        for action in Self.actions {
            let row = Self.expected[action] ?? [:]
            #expect(Set(row.keys) == Set(CaseStatus.allCases), "row for \(action) is incomplete")
        }
        #expect(CaseStatus.allCases.count == 7)
    }

    @Test("apply gives the table's result for every action from every status", arguments: actions)
    func applyMatchesTable(_ action: CaseAction) throws {
        let row = try #require(Self.expected[action])
        for status in CaseStatus.allCases {
            let want = try #require(row[status], "no expectation for \(action) from \(status)")
            #expect(action.apply(to: status) == want, "\(action.rawValue) from \(status.rawValue)")
        }
    }

    @Test("Exactly 18 of the 42 (action, status) pairs are allowed")
    func allowedCount() {
        var allowed = 0
        for action in Self.actions {
            for status in CaseStatus.allCases where action.apply(to: status) != nil { allowed += 1 }
        }
        #expect(allowed == 18)
    }

    @Test("Nothing leads out of withdrawn, and a declined case can only be withdrawn")
    func closedStatuses() {
        for action in Self.actions {
            #expect(action.apply(to: .withdrawn) == nil, "\(action.rawValue) from withdrawn")
        }
        let fromDeclined = Self.actions.filter { $0.apply(to: .declined) != nil }
        #expect(fromDeclined == [.withdraw])
        #expect(CaseAction.withdraw.apply(to: .declined) == .withdrawn)
    }

    @Test("An unverified case can only be verified or withdrawn")
    func unverified() {
        let allowed = Self.actions.filter { $0.apply(to: .awaitingVerification) != nil }
        #expect(allowed == [.verify, .withdraw])
    }

    @Test("A typical conversation walks through the statuses")
    func typicalPath() {
        var status: CaseStatus? = .awaitingVerification
        let steps: [(CaseAction, CaseStatus)] = [
            (.verify, .submitted), (.markInReview, .inReview), (.requestInfo, .infoRequested),
            (.answer, .answered), (.markInReview, .inReview), (.decline, .declined), (.withdraw, .withdrawn),
        ]
        for (action, next) in steps {
            status = status.flatMap(action.apply(to:))
            #expect(status == next, "after \(action.rawValue)")
        }
    }

    // MARK: Status properties

    @Test("Only declined and withdrawn cases are closed")
    func openness() {
        #expect(!CaseStatus.withdrawn.isOpen)
        #expect(!CaseStatus.declined.isOpen)
        let open = CaseStatus.allCases.filter(\.isOpen)
        #expect(open == [.awaitingVerification, .submitted, .inReview, .infoRequested, .answered])
    }

    @Test("Only a case awaiting verification is hidden from providers")
    func visibility() {
        #expect(!CaseStatus.awaitingVerification.visibleToProvider)
        let hidden = CaseStatus.allCases.filter { !$0.visibleToProvider }
        #expect(hidden == [.awaitingVerification])
        #expect(CaseStatus.withdrawn.visibleToProvider)
        #expect(CaseStatus.declined.visibleToProvider)
    }

    @Test("Stored raw values stay the same")
    func rawValues() {
        #expect(CaseStatus.allCases.map(\.rawValue) ==
                ["awaiting-verification", "submitted", "in-review", "info-requested", "answered", "declined", "withdrawn"])
        #expect(Self.actions.map(\.rawValue) == ["verify", "mark-in-review", "request-info", "answer", "decline", "withdraw"])
        #expect(CaseStatus(rawValue: "in-review") == .inReview)
        #expect(CaseAction(rawValue: "mark-in-review") == .markInReview)
        #expect(CaseStatus(rawValue: "inReview") == nil)
    }

    // MARK: CaseReference.make

    /// Crockford's base 32: digits and capitals without I, L, O and U.
    private static let crockford: Set<Character> = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    private static func checkFormat(_ reference: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let chars = Array(reference)
        #expect(chars.count == 12, "\(reference)", sourceLocation: sourceLocation)
        guard chars.count == 12 else { return }
        #expect(String(chars[0..<3]) == "CA-", "\(reference)", sourceLocation: sourceLocation)
        #expect(chars[7] == "-", "\(reference)", sourceLocation: sourceLocation)
        let body = chars[3..<7] + chars[8..<12]
        #expect(body.allSatisfy { crockford.contains($0) }, "\(reference)", sourceLocation: sourceLocation)
        #expect(!body.contains { "ILOU".contains($0) }, "\(reference)", sourceLocation: sourceLocation)
    }

    private static func references(count: Int, seed: UInt64) -> [String] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in CaseReference.make(using: &generator) }
    }

    @Test("The alphabet is Crockford's base 32")
    func alphabet() {
        #expect(CaseReference.alphabet.count == 32)
        #expect(Set(CaseReference.alphabet) == Self.crockford)
        #expect(String(CaseReference.alphabet) == "0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    }

    @Test("References look like CA-XXXX-XXXX with Crockford characters only")
    func format() {
        for reference in Self.references(count: 2_000, seed: 42) { Self.checkFormat(reference) }
        for _ in 0..<200 { Self.checkFormat(CaseReference.make()) }
    }

    @Test("A generator that always answers 0 gives the all-zero reference; all ones gives all Z")
    func extremes() {
        var zero = ConstantGenerator(value: 0)
        #expect(CaseReference.make(using: &zero) == "CA-0000-0000")
        var ones = ConstantGenerator(value: .max)
        #expect(CaseReference.make(using: &ones) == "CA-ZZZZ-ZZZZ")
    }

    @Test("20,000 references from a seeded generator are all distinct and use every character in every position")
    func distinct() {
        let all = Self.references(count: 20_000, seed: 0x0DDB_1A5E_5BAD_5EED)
        #expect(all.count == 20_000)
        #expect(Set(all).count == 20_000)
        for position in [3, 4, 5, 6, 8, 9, 10, 11] {
            let seen = Set(all.map { Array($0)[position] })
            #expect(seen == Self.crockford, "position \(position)")
        }
    }

    @Test("The same seed gives the same references; another seed gives others")
    func deterministic() {
        let a = Self.references(count: 50, seed: 7)
        let b = Self.references(count: 50, seed: 7)
        let c = Self.references(count: 50, seed: 8)
        #expect(a == b)
        #expect(a != c)
        #expect(Set(a).isDisjoint(with: Set(c)))
    }

    // MARK: CaseReference.normalise

    @Test("What people type is read back to the canonical reference", arguments: [
        ("CA-ABCD-EFGH", "CA-ABCD-EFGH"),
        ("ca-abcd-efgh", "CA-ABCD-EFGH"),
        ("Ca-AbCd-eFgH", "CA-ABCD-EFGH"),
        ("CAABCDEFGH", "CA-ABCD-EFGH"),
        ("caabcdefgh", "CA-ABCD-EFGH"),
        ("CA ABCD EFGH", "CA-ABCD-EFGH"),
        (" CA - ABCD - EFGH ", "CA-ABCD-EFGH"),
        ("C-A-A-B-C-D-E-F-G-H", "CA-ABCD-EFGH"),
        ("ABCD-EFGH", "CA-ABCD-EFGH"),
        ("abcdefgh", "CA-ABCD-EFGH"),
        ("CA-O0o0-1234", "CA-0000-1234"),
        ("CA-I1iL-l234", "CA-1111-1234"),
        ("CA-ZZZZ-VWXY", "CA-ZZZZ-VWXY"),
    ])
    func normaliseAccepts(_ raw: String, _ canonical: String) {
        #expect(CaseReference.normalise(raw) == canonical)
    }

    @Test("Wrong lengths, U, and punctuation are refused", arguments: [
        "", "CA", "CA-", "CA-ABCD", "CA-ABCD-EFG", "CA-ABCD-EFGHJ", "ABCDEFG", "ABCDEFGHJ", "CA-ABCD-EFGH-J",
        "CA-ABCU-EFGH", "CA-UUUU-UUUU", "uuuuuuuu",
        "CA-AB!D-EFGH", "CA-ABCD.EFG", "CA_ABCD_EFGH", "CA-AB#D-EFGH", "CA-ABCD-EF/H", "CA-ABC*-EFGH",
        "CA-ÀBCD-EFGH", "CA-ＡBCD-EFGH", "CA-٠١٢٣-EFGH",
    ])
    func normaliseRefuses(_ raw: String) {
        #expect(CaseReference.normalise(raw) == nil)
    }

    @Test("Every made reference reads back as itself, typed in any of the accepted ways")
    func roundTrip() {
        var failures: [String] = []
        for reference in Self.references(count: 20_000, seed: 2026) {
            let typings = [
                reference,
                reference.lowercased(),
                reference.replacingOccurrences(of: "-", with: ""),
                reference.replacingOccurrences(of: "-", with: " "),
                reference.replacingOccurrences(of: "0", with: "O").replacingOccurrences(of: "1", with: "l"),
            ]
            for typed in typings where CaseReference.normalise(typed) != reference {
                failures.append("\(typed) → \(CaseReference.normalise(typed) ?? "nil"), want \(reference)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, e.g. \(failures.prefix(5))")
    }

    @Test("A reference typed without its CA- prefix is accepted, even when its body starts with CA")
    func bodyWithoutPrefix() {
        // The prefix is optional ("ABCD-EFGH" is accepted), and an 8-character entry cannot hold a prefix plus a
        // full body, so a body that happens to start with "CA" (1 reference in 1,024) must be read as a body.
        #expect(CaseReference.normalise("ABCD-EFGH") == "CA-ABCD-EFGH")
        #expect(CaseReference.normalise("CA12-3456") == "CA-CA12-3456")
        #expect(CaseReference.normalise("cajk mnpq") == "CA-CAJK-MNPQ")
        #expect(CaseReference.normalise("CA-CA12-3456") == "CA-CA12-3456")
    }
}

/// SplitMix64: small, seedable and the same on every platform, so the reference tests replay exactly.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Always answers the same number.
private struct ConstantGenerator: RandomNumberGenerator {
    let value: UInt64
    mutating func next() -> UInt64 { value }
}
