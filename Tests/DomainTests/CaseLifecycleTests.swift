import Foundation
import Testing
@testable import Domain

@Suite("Case life cycle")
struct CaseLifecycleTests {
    // MARK: Transitions

    /// The life cycle as the product describes it, written out independently of the implementation: each rule names
    /// the action, the statuses it starts from, where it leads and who may take it. Anything not listed is refused.
    private struct Rule { let action: CaseAction; let from: [CaseStatus]; let to: CaseStatus; let actors: Set<CaseActor> }

    private static let beforeQuote: [CaseStatus] = [.submitted, .inReview, .infoRequested, .answered]

    private static let rules: [Rule] = [
        Rule(action: .verify, from: [.awaitingVerification], to: .submitted, actors: [.patient, .system]),
        Rule(action: .markInReview, from: [.submitted, .answered], to: .inReview, actors: [.providerStaff]),
        Rule(action: .requestInfo, from: [.submitted, .inReview, .infoRequested, .answered, .quoted], to: .infoRequested, actors: [.providerStaff]),
        Rule(action: .answer, from: [.infoRequested], to: .answered, actors: [.patient]),
        Rule(action: .decline, from: beforeQuote + [.quoted], to: .declined, actors: [.providerStaff]),
        Rule(action: .sendQuote, from: beforeQuote + [.quoted], to: .quoted, actors: [.providerStaff]),
        Rule(action: .acceptQuote, from: [.quoted], to: .accepted, actors: [.patient]),
        Rule(action: .declineQuote, from: [.quoted], to: .declined, actors: [.patient]),
        Rule(action: .scheduleConsultation, from: [.accepted], to: .consultationScheduled, actors: [.patient, .providerStaff]),
        Rule(action: .bookTreatment, from: [.accepted, .consultationScheduled], to: .treatmentBooked, actors: [.providerStaff]),
        Rule(action: .markTreated, from: [.treatmentBooked], to: .treated, actors: [.providerStaff]),
        Rule(action: .startAftercare, from: [.treated], to: .aftercare, actors: [.providerStaff]),
        Rule(action: .close, from: [.treated, .aftercare], to: .closed, actors: [.providerStaff]),
        Rule(action: .expire, from: beforeQuote + [.quoted], to: .expired, actors: [.system]),
        Rule(action: .withdraw, from: CaseStatus.allCases.filter { $0 != .withdrawn }, to: .withdrawn, actors: [.patient]),
    ]

    private static func expected(_ action: CaseAction, _ status: CaseStatus, _ actor: CaseActor) -> CaseStatus? {
        rules.first { $0.action == action && $0.from.contains(status) && $0.actors.contains(actor) }?.to
    }

    @Test("Every action has a rule, and no rule repeats an (action, status) pair")
    func rulesAreComplete() {
        #expect(Set(Self.rules.map(\.action)) == Set(CaseAction.allCases))
        var seen = Set<String>()
        for rule in Self.rules {
            for status in rule.from { #expect(seen.insert("\(rule.action.rawValue)|\(status.rawValue)").inserted) }
        }
        #expect(CaseStatus.allCases.count == 15)
        #expect(CaseAction.allCases.count == 15)
    }

    @Test("Every (status, action, actor) triple gives exactly what the rules say", arguments: CaseAction.allCases)
    func exhaustive(_ action: CaseAction) {
        for status in CaseStatus.allCases {
            for actor in CaseActor.allCases {
                #expect(action.apply(to: status, by: actor) == Self.expected(action, status, actor),
                        "\(actor.rawValue) \(action.rawValue) from \(status.rawValue)")
            }
            // Without naming an actor, the status alone decides (for code that checked the actor already).
            let anyone = CaseActor.allCases.compactMap { Self.expected(action, status, $0) }.first
            #expect(action.apply(to: status) == anyone, "\(action.rawValue) from \(status.rawValue)")
        }
    }

    @Test("Nothing leads out of withdrawn; declined, closed and expired cases can only be withdrawn")
    func terminalStatuses() {
        for action in CaseAction.allCases {
            #expect(action.apply(to: .withdrawn) == nil, "\(action.rawValue) from withdrawn")
        }
        for status in [CaseStatus.declined, .closed, .expired] {
            #expect(CaseAction.allCases.filter { $0.apply(to: status) != nil } == [.withdraw], "\(status.rawValue)")
        }
    }

    @Test("Every status is reachable from a new request, and every open status can still reach an end")
    func reachability() {
        func reachable(from start: CaseStatus) -> Set<CaseStatus> {
            var seen: Set<CaseStatus> = [start], queue = [start]
            while let s = queue.popLast() {
                for action in CaseAction.allCases { if let next = action.apply(to: s), seen.insert(next).inserted { queue.append(next) } }
            }
            return seen
        }
        #expect(reachable(from: .awaitingVerification) == Set(CaseStatus.allCases))
        for status in CaseStatus.allCases where status.isOpen {
            #expect(!reachable(from: status).intersection([.closed, .declined, .expired, .withdrawn]).isEmpty, "\(status.rawValue)")
        }
    }

    @Test("A facilitator can take no action yet; the system only confirms and expires")
    func actorsScope() {
        for action in CaseAction.allCases { #expect(!action.actors.contains(.facilitator)) }
        #expect(Set(CaseAction.allCases.filter { $0.actors.contains(.system) }) == [.verify, .expire])
    }

    @Test("The journey of the product walks through the statuses, each step by its own side")
    func typicalPath() {
        var status: CaseStatus? = .awaitingVerification
        let steps: [(CaseAction, CaseActor, CaseStatus)] = [
            (.verify, .patient, .submitted), (.markInReview, .providerStaff, .inReview), (.requestInfo, .providerStaff, .infoRequested),
            (.answer, .patient, .answered), (.sendQuote, .providerStaff, .quoted), (.sendQuote, .providerStaff, .quoted),
            (.acceptQuote, .patient, .accepted), (.scheduleConsultation, .patient, .consultationScheduled),
            (.bookTreatment, .providerStaff, .treatmentBooked), (.markTreated, .providerStaff, .treated),
            (.startAftercare, .providerStaff, .aftercare), (.close, .providerStaff, .closed), (.withdraw, .patient, .withdrawn),
        ]
        for (action, actor, next) in steps {
            status = status.flatMap { action.apply(to: $0, by: actor) }
            #expect(status == next, "after \(action.rawValue)")
        }
        // The other side cannot take a step that is not theirs.
        #expect(CaseAction.acceptQuote.apply(to: .quoted, by: .providerStaff) == nil)
        #expect(CaseAction.sendQuote.apply(to: .inReview, by: .patient) == nil)
    }

    // MARK: Status properties

    @Test("Declined, withdrawn, closed and expired cases are no longer open")
    func openness() {
        let closed = CaseStatus.allCases.filter { !$0.isOpen }
        #expect(closed == [.closed, .declined, .withdrawn, .expired])
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
                ["awaiting-verification", "submitted", "in-review", "info-requested", "answered", "quoted", "accepted",
                 "consultation-scheduled", "treatment-booked", "treated", "aftercare", "closed", "declined", "withdrawn", "expired"])
        #expect(CaseAction.allCases.prefix(6).map(\.rawValue) == ["verify", "mark-in-review", "request-info", "answer", "decline", "withdraw"])
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
        var generator = SplitMix64(seed: seed)
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


/// Always answers the same number.
private struct ConstantGenerator: RandomNumberGenerator {
    let value: UInt64
    mutating func next() -> UInt64 { value }
}
